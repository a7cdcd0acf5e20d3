import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Report } from '@devfleet/wire';
import { describe, expect, it } from 'vitest';

import { repoRoot, tempDir } from '../helpers/processes.js';

const run = promisify(execFile);

describe('the agent as a package for other machines', () => {
  it('packs with its checks compiled in, installs outside the repository and runs', async () => {
    const packed = tempDir('agent-pack');
    const machine = tempDir('agent-install');
    const global = tempDir('agent-global');
    try {
      await run('npm', ['pack', '--workspace=agent', '--pack-destination', packed], {
        cwd: repoRoot,
      });
      const [tarball] = fs.readdirSync(packed).filter((f) => f.endsWith('.tgz'));
      expect(tarball).toBe('devfleet-agent-0.1.0.tgz');

      // A fresh folder with no workspace around it: only the tarball and the npm cache.
      fs.writeFileSync(path.join(machine, 'package.json'), '{"private":true}');
      await run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(packed, tarball!)],
        { cwd: machine },
      );
      const bin = path.join(machine, 'node_modules', '.bin', 'devfleet-agent');
      const home = { ...process.env, DEVFLEET_AGENT_HOME: path.join(machine, 'home') };
      const version = await run(bin, ['--version'], { env: home });
      const collected = await run(bin, ['collect', '--json'], { env: home });

      expect(version.stdout.trim()).toBe('0.1.0');
      expect((JSON.parse(collected.stdout) as Report).schemaVersion).toBe(1);
      expect(
        fs.existsSync(path.join(machine, 'node_modules', 'devfleet-agent', 'assets', 'refmodule')),
      ).toBe(true);
      // The wire format's schemas are compiled into the package: neither the workspace package
      // nor TypeBox is needed where the agent runs.
      const installed = fs.readdirSync(path.join(machine, 'node_modules'));
      expect(installed).not.toContain('typebox');
      expect(installed).not.toContain('@devfleet');

      // The README's `npm install -g`: npm leaves a bundled package's own dependencies as empty
      // folders there, so the package must not rely on bundling (it once did, for wire).
      await run(
        'npm',
        ['install', '-g', '--prefix', global, '--prefer-offline', '--no-audit', '--no-fund'].concat(
          path.join(packed, tarball!),
        ),
        { cwd: machine },
      );
      const globalBin =
        process.platform === 'win32'
          ? path.join(global, 'devfleet-agent.cmd')
          : path.join(global, 'bin', 'devfleet-agent');
      const globalVersion = await run(globalBin, ['--version'], { env: home });
      const globalCollected = await run(globalBin, ['collect', '--json'], { env: home });

      expect(globalVersion.stdout.trim()).toBe('0.1.0');
      expect((JSON.parse(globalCollected.stdout) as Report).schemaVersion).toBe(1);
    } finally {
      fs.rmSync(packed, { recursive: true, force: true });
      fs.rmSync(machine, { recursive: true, force: true });
      fs.rmSync(global, { recursive: true, force: true });
    }
  }, 180_000);
});
