#!/usr/bin/env node
// Builds a single executable of the agent for the platform it runs on, with Node's single
// executable application support (https://nodejs.org/api/single-executable-applications.html):
//   1. esbuild bundles dist/ (ESM) and its dependencies into one CommonJS file, since a SEA's
//      main script is a CommonJS script that can require only Node's built-in modules;
//   2. node --experimental-sea-config turns it into a preparation blob;
//   3. a copy of this node binary gets the blob injected with postject.
// The reference Go module of `bench build` is not embedded: it is copied to assets/refmodule
// beside the executable, where the bundled agent looks for it (see the import.meta.url shim).
// Output: agent/sea/devfleet-agent[.exe] and agent/sea/assets/refmodule. Run `npm run build` first.
//
// Usage: node scripts/build-sea.mjs [--bundle-only]
import { execFileSync } from 'node:child_process';
import { cp, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const agentDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(agentDir, 'sea');
const bundleFile = path.join(outDir, 'devfleet-agent.cjs');
const blobFile = path.join(outDir, 'sea-prep.blob');
const exeFile = path.join(
  outDir,
  process.platform === 'win32' ? 'devfleet-agent.exe' : 'devfleet-agent',
);
// The fuse postject flips so that node knows a blob is there; fixed by Node for every SEA.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const bundleOnly = process.argv.includes('--bundle-only');
const { version } = JSON.parse(await readFile(path.join(agentDir, 'package.json'), 'utf8'));

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
await bundle();
await cp(path.join(agentDir, 'assets', 'refmodule'), path.join(outDir, 'assets', 'refmodule'), {
  recursive: true,
});
if (!bundleOnly) await makeExecutable();
console.log(`built ${bundleOnly ? bundleFile : exeFile}`);

async function bundle() {
  await build({
    stdin: {
      contents:
        "import { main } from './dist/cli/main.js';\n" +
        'main(process.argv).then((code) => { process.exitCode = code; });\n',
      resolveDir: agentDir,
      sourcefile: 'sea-entry.js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // jsonc-parser's "main" is a UMD build whose require() calls a bundler cannot follow.
    mainFields: ['module', 'main'],
    outfile: bundleFile,
    logLevel: 'warning',
    // Bundled into CommonJS, import.meta is empty. The agent uses import.meta.url only to find
    // package.json and assets/ two folders above its module; pointing it two levels below the
    // executable's folder finds assets/ beside the executable.
    define: { 'import.meta.url': '__seaModuleUrl' },
    banner: {
      js:
        "const __seaModuleUrl = require('node:url').pathToFileURL(" +
        "require('node:path').join(require('node:path').dirname(process.execPath), 'lib', 'cli', 'main.js')).href;",
    },
    plugins: [fixedVersion(version)],
  });
}

// version.ts reads package.json at run time; an executable has none beside it.
function fixedVersion(agentVersion) {
  return {
    name: 'fixed-version',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]dist[\\/]cli[\\/]version\.js$/ }, () => ({
        contents: `export function readAgentVersion() { return ${JSON.stringify(agentVersion)}; }`,
        loader: 'js',
      }));
    },
  };
}

async function makeExecutable() {
  const config = path.join(outDir, 'sea-config.json');
  await writeFile(
    config,
    JSON.stringify({
      main: bundleFile,
      output: blobFile,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });

  await copyFile(process.execPath, exeFile);
  if (process.platform === 'darwin') {
    execFileSync('codesign', ['--remove-signature', exeFile], { stdio: 'inherit' });
  }
  const postject = path.join(agentDir, '..', 'node_modules', 'postject', 'dist', 'cli.js');
  const machO = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  execFileSync(
    process.execPath,
    [postject, exeFile, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', SEA_FUSE, ...machO],
    { stdio: 'inherit' },
  );
  if (process.platform === 'darwin') {
    execFileSync('codesign', ['--sign', '-', exeFile], { stdio: 'inherit' });
  }
}
