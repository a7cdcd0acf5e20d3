import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { buildApp, type App } from '../src/app.js';
import { hashMachineKey } from '../src/auth/keys.js';
import { insertEnrollmentSecret } from '../src/db/auth-repository.js';
import { closeDatabase, openDatabase, type Db } from '../src/db/client.js';
import { ENROLL_SECRET, enroll, sampleReport } from './helpers.js';

let app: App | undefined;
let db: Db | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  if (db) closeDatabase(db);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The app with its JSON log lines collected, as a log shipper would read them. */
async function startLogged(): Promise<{ app: App; lines: Record<string, unknown>[] }> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-logging-'));
  db = openDatabase(path.join(dir, 'devfleet.db'));
  insertEnrollmentSecret(db, {
    id: 'test-secret',
    label: 'test',
    secretHash: hashMachineKey(ENROLL_SECRET),
    createdAt: Date.now(),
  });

  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  app = await buildApp({
    config: { bodyLimitBytes: 256 * 1024 },
    db,
    logger: { level: 'info', stream },
    webDir: path.join(dir, 'no-web'),
  });
  return { app, lines };
}

describe('request logs', () => {
  it('answers with X-Request-Id, the reqId of its log lines', async () => {
    const { app, lines } = await startLogged();

    const res = await app.inject({ method: 'GET', url: '/healthz' });

    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const own = lines.filter((l) => l.reqId === id);
    expect(own.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
  });

  it("keeps a caller's plain X-Request-Id and replaces one that is not", async () => {
    const { app } = await startLogged();

    const plain = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'proxy-4f2a.17' },
    });
    const hostile = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\n{"level":60}' },
    });

    expect(plain.headers['x-request-id']).toBe('proxy-4f2a.17');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the machine on every line of a report request once its key is checked', async () => {
    const { app, lines } = await startLogged();
    const key = await enroll(app);

    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${key}` },
      payload: sampleReport(),
    });

    const { machineId } = res.json<{ machineId: string }>();
    const own = lines.filter((l) => l.reqId === res.headers['x-request-id']);
    expect(own.map((l) => l.msg)).toEqual([
      'incoming request',
      'report stored',
      'request completed',
    ]);
    // "incoming request" is written before the key is known; every line after names the machine.
    expect(own.slice(1).every((l) => l.machineId === machineId)).toBe(true);
  });
});
