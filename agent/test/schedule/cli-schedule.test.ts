import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from '../helpers/agent-process.js';

// `crontab -l` and `crontab FILE` edit the spool file directly: no cron daemon needs to run,
// so this runs in CI wherever the crontab program is installed (Debian: apt-get install cron).
const crontab = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
const hasCrontab = crontab.error === undefined && process.platform !== 'win32';
const hasSystemdUser =
  process.platform === 'linux' &&
  spawnSync('systemctl', ['--user', 'show-environment']).status === 0;

function readCrontab(): string {
  const result = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout : '';
}

async function writeCrontab(dir: string, text: string): Promise<void> {
  const file = path.join(dir, 'crontab');
  await writeFile(file, text);
  execFileSync('crontab', [file]);
}

describe('devfleet-agent schedule install --dry-run', () => {
  it.each([
    ['systemd', /--- .*devfleet-agent-report\.timer\n\[Unit\][\s\S]*Persistent=true/],
    ['cron', /crontab lines \(the others stay\):\n\d+ [\d,]+ \* \* \* .* report --no-wait >> /],
    ['launchd', /com\.devfleet\.agent\.bench\.plist\n<\?xml/],
    ['schtasks', /agent-report\.xml\n<\?xml version="1\.0" encoding="UTF-16"\?>/],
  ])('prints the %s definitions and changes nothing', async (kind, shape) => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-dry-'));
    const before = hasCrontab ? readCrontab() : '';

    const run = await runAgent(
      ['schedule', 'install', '--dry-run', '--scheduler', kind],
      agentEnv({ PATH: process.env.PATH ?? '', DEVFLEET_AGENT_HOME: home }),
    );

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /^would install with \w+:\n {2}report --no-wait at (\d\d:\d\d, ){5}\d\d:\d\d\n/,
    );
    expect(run.stdout).toMatch(shape);
    if (hasCrontab) expect(readCrontab()).toBe(before);
    await rm(home, { recursive: true, force: true });
  });

  it.skipIf(process.platform === 'win32')(
    'gives the jobs the PATH without npx’s folders and each folder once',
    async () => {
      const npx = path.join(os.homedir(), '.npm', '_npx', 'a1b2c3', 'node_modules', '.bin');
      const gyp = '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin';
      const shell = ['/usr/local/bin', '/usr/bin', '/bin'];
      const PATH = [npx, gyp, ...shell, '/usr/bin', '', '/bin'].join(':');

      const run = await runAgent(
        ['schedule', 'install', '--dry-run', '--scheduler', 'cron'],
        agentEnv({ PATH }),
      );

      expect(run.exitCode).toBe(0);
      const lines = run.stdout.split('\n').filter((line) => line.includes('devfleet-agent:'));
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toContain(` env PATH=${shell.join(':')} `);
    },
  );

  it('refuses an unknown scheduler and a period that does not divide a day', async () => {
    const env = agentEnv({ PATH: process.env.PATH ?? '' });

    const scheduler = await runAgent(['schedule', 'install', '--scheduler', 'at'], env);
    const every = await runAgent(['schedule', 'install', '--dry-run', '--every', '5'], env);

    expect(scheduler.exitCode).toBe(2);
    expect(scheduler.stderr).toMatch(/^error AGENT_USAGE: --scheduler takes systemd, cron/);
    expect(every.exitCode).toBe(2);
    expect(every.stderr).toMatch(/--every takes 1, 2, 3, 4, 6, 8, 12, 24/);
  });
});

describe.skipIf(!hasCrontab)('devfleet-agent schedule with cron, for real', () => {
  let dir: string;
  let saved: string | null;
  const others = 'MAILTO=""\n# a developer’s own job\n17 3 * * * /usr/bin/true nightly\n';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-cron-'));
    // This machine's real crontab: kept here and put back after, whatever happens.
    saved = crontab.status === 0 ? crontab.stdout : null;
    await writeCrontab(dir, others);
  });

  afterAll(async () => {
    if (saved === null) spawnSync('crontab', ['-r']);
    else await writeCrontab(dir, saved);
    await rm(dir, { recursive: true, force: true });
  });

  const env = () =>
    agentEnv({
      PATH: process.env.PATH ?? '',
      DEVFLEET_AGENT_HOME: path.join(dir, 'home'),
      HOME: dir,
    });

  it('installs both jobs beside the other lines, at the same times when installed again', async () => {
    const scheduler = hasSystemdUser ? ['--scheduler', 'cron'] : [];

    const first = await runAgent(['schedule', 'install', ...scheduler], env());
    const afterFirst = readCrontab();
    const second = await runAgent(['schedule', 'install', ...scheduler], env());

    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(
      /^installed with cron:\n {2}report --no-wait at .*\n {2}report --bench --no-wait at \d\d:\d\d\n$/,
    );
    expect(afterFirst.startsWith(others)).toBe(true);
    const added = afterFirst.slice(others.length).trimEnd().split('\n');
    expect(added).toHaveLength(2);
    expect(added[0]).toMatch(/ report --no-wait >> .*schedule\.log 2>&1 # devfleet-agent:report$/);
    expect(added[1]).toMatch(/ report --bench --no-wait >> .* # devfleet-agent:bench$/);
    expect(second.exitCode).toBe(0);
    expect(readCrontab()).toBe(afterFirst);
  });

  it('tells what is installed, and removes only its own lines', async () => {
    const scheduler = hasSystemdUser ? ['--scheduler', 'cron'] : [];

    const status = await runAgent(['schedule', 'status', ...scheduler], env());
    const removed = await runAgent(['schedule', 'remove', ...scheduler], env());
    const after = await runAgent(['schedule', 'status', ...scheduler], env());

    expect(status.stdout).toMatch(/^cron: report, bench installed\n/);
    expect(removed.exitCode).toBe(0);
    expect(readCrontab()).toBe(others);
    expect(after.stdout).toBe('cron: nothing installed\n');
  });

  it('drops the benchmark line when installed again with --no-bench', async () => {
    const scheduler = hasSystemdUser ? ['--scheduler', 'cron'] : [];

    await runAgent(['schedule', 'install', ...scheduler], env());
    await runAgent(['schedule', 'install', '--no-bench', ...scheduler], env());

    expect(readCrontab().match(/# devfleet-agent:/g)).toHaveLength(1);
    await runAgent(['schedule', 'remove', ...scheduler], env());
    expect(readCrontab()).toBe(others);
  });
});

// Needs a systemd user manager (a login session with its D-Bus): containers and CI runners as
// root usually have none, and then this is skipped; the cron tests above run instead.
describe.skipIf(!hasSystemdUser)('devfleet-agent schedule with systemd, for real', () => {
  it('enables both timers and removes them', async () => {
    const env = agentEnv({
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '',
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '',
    });

    const installed = await runAgent(['schedule', 'install', '--scheduler', 'systemd'], env);
    const status = await runAgent(['schedule', 'status', '--scheduler', 'systemd'], env);
    const removed = await runAgent(['schedule', 'remove', '--scheduler', 'systemd'], env);

    expect(installed.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^systemd: report, bench installed/);
    expect(removed.exitCode).toBe(0);
  });
});
