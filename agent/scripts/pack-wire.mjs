#!/usr/bin/env node
// npm pack for the agent: @devfleet/wire is a workspace package, never published, so the agent's
// package carries it (bundleDependencies). Before packing, a copy of wire's built files goes into
// agent/node_modules, where npm looks for bundled dependencies; after packing, it goes again.
//
//   node scripts/pack-wire.mjs          copy (prepack)
//   node scripts/pack-wire.mjs --remove remove (postpack)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const agent = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wire = path.resolve(agent, '..', 'wire');
const target = path.join(agent, 'node_modules', '@devfleet', 'wire');

fs.rmSync(path.join(agent, 'node_modules', '@devfleet'), { recursive: true, force: true });
if (process.argv.includes('--remove')) process.exit(0);

if (!fs.existsSync(path.join(wire, 'dist', 'index.js'))) {
  process.stderr.write('pack-wire: wire/dist is missing: run `npm run build` first\n');
  process.exit(1);
}
if (!fs.existsSync(path.join(agent, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('pack-wire: agent/dist is missing: run `npm run build` first\n');
  process.exit(1);
}
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(path.join(wire, 'package.json'), path.join(target, 'package.json'));
fs.cpSync(path.join(wire, 'dist'), path.join(target, 'dist'), { recursive: true });
