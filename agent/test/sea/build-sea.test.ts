import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/build-sea.mjs', import.meta.url));
const SEA = fileURLToPath(new URL('../../sea/', import.meta.url));
const EXE = `${SEA}devfleet-agent${process.platform === 'win32' ? '.exe' : ''}`;

// About 11 s on a 2-core machine: copying node (~100 MB) and injecting the blob dominate.
describe('build:sea', () => {
  it(
    'builds a single executable that runs without node_modules',
    { timeout: 120_000 },
    async () => {
      await run(process.execPath, [SCRIPT], { timeout: 110_000 });

      const version = await run(EXE, ['--version'], { env: { PATH: '' }, cwd: '/' });
      const dryRun = await run(EXE, ['schedule', 'install', '--dry-run', '--scheduler', 'cron'], {
        env: { HOME: SEA, PATH: '' },
      });

      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      expect(version.stderr).toBe('');
      // Scheduled runs start the executable itself, not node and a script.
      expect(dryRun.stdout).toContain(` ${EXE} report --no-wait >> `);
      expect(existsSync(`${SEA}assets/refmodule/go.mod`)).toBe(true);
    },
  );
});
