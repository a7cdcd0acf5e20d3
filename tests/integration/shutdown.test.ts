import fs from 'node:fs';

import Database from 'better-sqlite3';
import type { Report } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ENROLL_SECRET,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

// SIGTERM in the middle of a burst: the server stops taking new connections, answers what it
// already accepted, closes the database and exits 0. Every report it acknowledged is stored.
describe('graceful shutdown', () => {
  let server: ServerProcess;
  let report: Report;
  let key: string;
  let home: string;

  beforeAll(async () => {
    server = await startServerProcess();
    home = tempDir('agent');
    const env = { DEVFLEET_AGENT_HOME: home };
    const enroll = await fetch(`${server.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: ENROLL_SECRET, hostname: 'devhost-01' }),
    });
    key = ((await enroll.json()) as { machineKey: string }).machineKey;
    report = JSON.parse((await runAgent(['collect', '--json'], env)).stdout) as Report;
  });

  afterAll(async () => {
    await server?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('finishes in-flight reports, exits 0, and leaves every acknowledged one stored', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    const send = async (i: number) => {
      const body = { ...report, reportId: `shutdown-${i}-${Date.now()}` };
      try {
        const res = await fetch(`${server.url}/api/v1/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { id: body.reportId, status: res.status };
      } catch {
        return { id: body.reportId, status: 0 };
      }
    };

    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i)));
    const burst = Array.from({ length: 60 }, (_, i) => send(100 + i));
    server.child.kill('SIGTERM');
    const results = [...first, ...(await Promise.all(burst))];
    const code = await exited;

    expect(code).toBe(0);
    expect(server.output()).toContain('SIGTERM: shutting down');
    // Each answer is an acknowledgement or a refused connection: never a 5xx from a closing app.
    expect(results.every((r) => r.status === 201 || r.status === 0)).toBe(true);
    const acknowledged = results.filter((r) => r.status === 201).map((r) => r.id);
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);

    const db = new Database(server.dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        (db.prepare('select id from reports').all() as { id: string }[]).map((r) => r.id),
      );
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      db.close();
    }
  });
});
