import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { runNode, serverBin, startServerProcess, tempDir } from '../helpers/processes.js';

describe('devfleet-server start-up', () => {
  it('stops with a non-zero exit when the database cannot be migrated', async () => {
    const dir = tempDir('broken-db');
    const dbPath = path.join(dir, 'devfleet.db');
    fs.writeFileSync(dbPath, 'this is not an SQLite database, and migrations must not run on it');

    try {
      const run = await runNode(serverBin, ['start'], {
        DEVFLEET_DB: dbPath,
        DEVFLEET_PORT: '0',
        DEVFLEET_ENROLL_SECRET: 'integration-enroll-secret-0123',
        DEVFLEET_ADMIN_PASSWORD: 'integration-admin-password',
      });

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /cannot open the database .*: file is not a database \(DEVFLEET_DB names the file\)$/m,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in one line that the port is taken, and exits 1', async () => {
    const first = await startServerProcess();
    const port = new URL(first.url).port;
    const dir = tempDir('second');

    try {
      const run = await runNode(serverBin, ['start'], {
        DEVFLEET_DB: path.join(dir, 'devfleet.db'),
        DEVFLEET_PORT: port,
        DEVFLEET_ENROLL_SECRET: 'integration-enroll-secret-0123',
        DEVFLEET_ADMIN_PASSWORD: 'integration-admin-password',
      });

      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(`^devfleet-server: cannot listen: EADDRINUSE.*:${port}; .*DEVFLEET_PORT$`),
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await first.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates the database readable by its owner only', async () => {
    const server = await startServerProcess();
    try {
      for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      }
    } finally {
      await server.stop();
    }
  });

  it('refuses an unknown option with exit 2 and the usage', async () => {
    const run = await runNode(serverBin, ['--bogus-flag']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus-flag'");
    expect(run.stderr).toContain('Usage: devfleet-server');
  });

  it('refuses an invalid setting with a message naming the variable', async () => {
    const run = await runNode(serverBin, ['start'], { DEVFLEET_PORT: 'eighty' });

    expect(run.code).toBe(78);
    expect(run.stderr).toContain('DEVFLEET_PORT');
  });

  it.each([
    [
      'a rules file that is missing',
      { DEVFLEET_RULES: '/nonexistent/rules.yml' },
      'DEVFLEET_RULES',
    ],
    ['proxies that are not addresses', { DEVFLEET_TRUST_PROXY: 'maybe' }, 'DEVFLEET_TRUST_PROXY'],
  ])('stops at once with exit 78 on %s', async (_, settings, variable) => {
    const dir = tempDir('bad-setting');
    try {
      const run = await runNode(
        serverBin,
        ['start'],
        { DEVFLEET_DB: path.join(dir, 'devfleet.db'), DEVFLEET_PORT: '0', ...settings },
        20_000,
      );

      expect(run.code).toBe(78);
      expect(run.stderr).toContain(variable);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['start'], ['credentials']])(
    'generates no admin password on a %s that a broken rules file stops',
    async (command) => {
      const dir = tempDir('rules-first');
      const settings = { DEVFLEET_DB: path.join(dir, 'devfleet.db'), DEVFLEET_PORT: '0' };
      try {
        const stopped = await runNode(
          serverBin,
          [command],
          { ...settings, DEVFLEET_RULES: path.join(dir, 'missing-rules.yml') },
          20_000,
        );
        expect(stopped.code).toBe(78);
        expect(stopped.stderr).not.toContain('admin login');

        // The login is still to be generated, so the start that succeeds shows it.
        const next = await runNode(serverBin, ['credentials', '--json'], settings, 20_000);
        expect(next.code).toBe(0);
        expect(JSON.parse(next.stdout).adminPassword).toMatch(/^\S{16,}$/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('generates no admin password on a start that cannot listen', async () => {
    const first = await startServerProcess();
    const dir = tempDir('taken-first');
    const settings = { DEVFLEET_DB: path.join(dir, 'devfleet.db') };
    try {
      const stopped = await runNode(serverBin, ['start'], {
        ...settings,
        DEVFLEET_PORT: new URL(first.url).port,
      });
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).not.toContain('admin login');

      const next = await runNode(serverBin, ['credentials', '--json'], settings, 20_000);
      expect(JSON.parse(next.stdout).adminPassword).toMatch(/^\S{16,}$/);
    } finally {
      await first.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backs up into a copy only its owner reads, and says in one line when it cannot', async () => {
    const dir = tempDir('backup');
    const env = { DEVFLEET_DB: path.join(dir, 'devfleet.db') };
    try {
      expect((await runNode(serverBin, ['credentials'], env)).code).toBe(0);
      const copy = path.join(dir, 'copy.db');
      const made = await runNode(serverBin, ['backup', copy], env);
      expect(made.code).toBe(0);
      expect(fs.statSync(copy).mode & 0o777).toBe(0o600);

      const nowhere = await runNode(serverBin, ['backup', path.join(dir, 'missing', 'x.db')], env);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr.trim().split('\n')).toHaveLength(1);
      expect(nowhere.stderr).toMatch(/^devfleet-server: cannot write .*missing.*x\.db: ENOENT/);

      // A mistyped DEVFLEET_DB: no new empty database, no empty copy.
      const typo = { DEVFLEET_DB: path.join(dir, 'devflet.db') };
      const mistyped = await runNode(serverBin, ['backup', path.join(dir, 'copy2.db')], typo);
      expect(mistyped.code).toBe(1);
      expect(mistyped.stderr).toMatch(
        /^devfleet-server: no database at .*devflet\.db \(DEVFLEET_DB/,
      );
      expect(fs.readdirSync(dir).sort()).toEqual(['copy.db', 'devfleet.db']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists its settings on --help', async () => {
    const run = await runNode(serverBin, ['--help']);

    expect(run.code).toBe(0);
    for (const name of [
      'DEVFLEET_HOST',
      'DEVFLEET_PORT',
      'DEVFLEET_DB',
      'DEVFLEET_ENROLL_SECRET',
    ]) {
      expect(run.stdout).toContain(name);
    }
  });
});
