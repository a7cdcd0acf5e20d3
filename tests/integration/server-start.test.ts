import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { runNode, serverBin, tempDir } from '../helpers/processes.js';

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
      expect(run.stderr).toMatch(/failed to start: .*(not a database|file is not a database)/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid setting with a message naming the variable', async () => {
    const run = await runNode(serverBin, ['start'], { DEVFLEET_PORT: 'eighty' });

    expect(run.code).toBe(78);
    expect(run.stderr).toContain('DEVFLEET_PORT');
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
