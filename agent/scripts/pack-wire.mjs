#!/usr/bin/env node
// npm pack for the agent: @devfleet/wire is a workspace package, never published, so the packed
// agent carries its code inside dist/ instead of depending on it. Before packing, wire's built
// files go to dist/wire/ and every `from '@devfleet/wire'` in dist/ points there; after packing,
// both are undone, so the repository's own runs keep using the workspace package.
//
// Why not bundleDependencies: npm 10 and 11 leave a bundled package's own dependencies
// (typebox) as empty folders in a global install (`npm install -g ./devfleet-agent-0.1.0.tgz`),
// and the agent then fails on its first import. Here typebox is an ordinary dependency.
//
//   node scripts/pack-wire.mjs          copy and point at the copy (prepack)
//   node scripts/pack-wire.mjs --remove undo (postpack)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER = '@devfleet/wire';
// Where the copy lives in dist/; the marker in the rewritten specifier lets --remove find it.
const COPY = 'wire-packed';

const agent = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wire = path.resolve(agent, '..', 'wire');
const dist = path.join(agent, 'dist');
const copy = path.join(dist, COPY);

// A copy from an older version of this script, which bundled wire through node_modules.
fs.rmSync(path.join(agent, 'node_modules', '@devfleet'), { recursive: true, force: true });

if (process.argv.includes('--remove')) {
  rewriteImports((file) => [relativeSpecifier(file), SPECIFIER]);
  fs.rmSync(copy, { recursive: true, force: true });
  process.exit(0);
}

if (!fs.existsSync(path.join(wire, 'dist', 'index.js'))) {
  process.stderr.write('pack-wire: wire/dist is missing: run `npm run build` first\n');
  process.exit(1);
}
if (!fs.existsSync(path.join(dist, 'cli', 'main.js'))) {
  process.stderr.write('pack-wire: agent/dist is missing: run `npm run build` first\n');
  process.exit(1);
}
fs.rmSync(copy, { recursive: true, force: true });
fs.mkdirSync(copy, { recursive: true });
for (const name of fs.readdirSync(path.join(wire, 'dist'))) {
  if (name.endsWith('.js')) fs.copyFileSync(path.join(wire, 'dist', name), path.join(copy, name));
}
rewriteImports((file) => [SPECIFIER, relativeSpecifier(file)]);

/** The import of dist/wire-packed/index.js from a file in dist/, as written in an ESM import. */
function relativeSpecifier(file) {
  const relative = path.relative(path.dirname(file), path.join(copy, 'index.js'));
  const posix = relative.split(path.sep).join('/');
  return posix.startsWith('.') ? posix : `./${posix}`;
}

/** Replaces the quoted specifier `from` with `to` in every agent file of dist/. */
function rewriteImports(swap) {
  for (const file of listJs(dist)) {
    const [from, to] = swap(file);
    const text = fs.readFileSync(file, 'utf8');
    const next = text.replaceAll(`from '${from}'`, `from '${to}'`);
    if (next !== text) fs.writeFileSync(file, next);
  }
}

function listJs(folder) {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === COPY ? [] : listJs(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}
