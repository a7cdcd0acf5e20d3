import type { BenchmarkRun, MachineDetail, MachineList } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { storedReport } from '../src/db/report-repository.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

/** A report body written as text: what JSON.stringify cannot or will not write. */
function postText(key: string, body: string) {
  return server.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: body,
  });
}

function post(key: string | null, payload: unknown) {
  return server.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    payload: payload as object,
  });
}

async function machines(): Promise<MachineList> {
  return (await server.inject({ url: '/api/v1/machines' })).json<MachineList>();
}

describe('POST /api/v1/enroll', () => {
  it('rejects a wrong secret with 401 and a stable code', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { secret: 'not-the-secret', hostname: 'devhost-01' },
    });

    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: { code: 'DEVFLEET_ENROLL_SECRET_INVALID', message: expect.any(String) },
    });
  });

  it('returns a machine key that only the database hash remembers', async () => {
    const key = await enroll(server.app);

    expect(key).toMatch(/^dfk_[A-Za-z0-9_-]{43}$/);
    const stored = server.db.$client.prepare('select key_hash from machines').all();
    expect(JSON.stringify(stored)).not.toContain(key);
  });
});

describe('POST /api/v1/reports', () => {
  it('requires a machine key', async () => {
    const res = await post(null, sampleReport());

    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('DEVFLEET_UNAUTHENTICATED');
  });

  it('rejects an unknown machine key with 401 that says how to re-enroll', async () => {
    const res = await post('dfk_unknown', sampleReport());

    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('DEVFLEET_MACHINE_KEY_INVALID');
    expect(res.json().error.message).toContain('devfleet-agent enroll');
  });

  it('rejects a report that does not match the schema with 400', async () => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as Record<string, unknown>;
    delete report.host;

    const res = await post(key, report);

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
    expect(res.json().error.message).toContain('host');
  });

  it('rejects a body over the limit with 413', async () => {
    const key = await enroll(server.app);
    const report = sampleReport();
    report.docker.warnings = Array.from({ length: 64 }, () => 'x'.repeat(4096));

    const res = await post(key, report);

    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('DEVFLEET_REPORT_TOO_LARGE');
  });

  it('stores a report and shows the machine with its latest environment', async () => {
    const key = await enroll(server.app);

    const res = await post(key, sampleReport());

    expect(res.statusCode).toBe(201);
    const list = await machines();
    expect(list.totals).toEqual({ machines: 1, reporting: 1, daemonUnreachable: 0 });
    const env = list.machines[0]?.environment;
    expect(env).toMatchObject({
      hostname: 'devhost-01',
      desktopVersion: '4.36.0',
      desktopBuild: '178610',
      engineVersion: '27.3.1',
      wslVersion: '2.3.26.0',
      backend: 'wsl2',
      cpus: 8,
      daemonState: 'running',
    });
  });

  it('stores the same report id once and answers the repeat with success', async () => {
    const key = await enroll(server.app);
    const report = sampleReport();

    const first = await post(key, report);
    const second = await post(key, report);

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().duplicate).toBe(true);
    const count = server.db.$client.prepare('select count(*) as n from reports').get();
    expect(count).toEqual({ n: 1 });
  });

  it('refuses a report id that another machine already used', async () => {
    const keyA = await enroll(server.app, 'devhost-a');
    const keyB = await enroll(server.app, 'devhost-b');
    const report = sampleReport();

    await post(keyA, report);
    const res = await post(keyB, report);

    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('DEVFLEET_REPORT_ID_CONFLICT');
  });
});

describe('what a report carries, as sent', () => {
  function storedRaw(reportId: string): Record<string, unknown> {
    return storedReport(server.db, reportId)?.report as unknown as Record<string, unknown>;
  }

  it('keeps null as null: no field is coerced into "" or 0', async () => {
    const key = await enroll(server.app);
    const report = sampleReport();

    expect((await post(key, report)).statusCode).toBe(201);

    const raw = storedRaw(report.reportId) as { docker: { daemon: { error: unknown } } };
    expect(raw.docker.daemon.error).toBeNull();
  });

  type Loose = { reportId: string; schemaVersion: unknown; host: Record<string, unknown> };

  it.each([
    ['a number sent as text', (r: Loose) => (r.host.cpus = '4')],
    ['a boolean for a number', (r: Loose) => (r.host.cpus = true)],
    ['null for the host name', (r: Loose) => (r.host.hostname = null)],
    ['a list for the host name', (r: Loose) => (r.host.hostname = ['x'])],
    ['the schema version as text', (r: Loose) => (r.schemaVersion = '1')],
  ])('rejects %s with 400 instead of converting it', async (_, spoil) => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as Loose;
    spoil(report);

    const res = await post(key, report);

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
  });

  it('drops fields the schema does not know, however large or deep', async () => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as Loose;
    report.host.notInSchema = 'x'.repeat(200_000);
    // Written as text: nested this deep, JSON.stringify itself would overflow the stack.
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = JSON.stringify(report).replace(/}$/, `,"zzz":${deep}}`);

    const res = await postText(key, body);

    expect(res.statusCode).toBe(201);
    const raw = storedRaw(report.reportId) as { host: Record<string, unknown> };
    expect(raw.host).not.toHaveProperty('notInSchema');
    expect(raw).not.toHaveProperty('zzz');
    expect(raw.host.hostname).toBe('devhost-01');
  });

  it('drops a "__proto__" or constructor.prototype key like any other unknown field', async () => {
    const key = await enroll(server.app);
    const report = sampleReport() as unknown as Loose;
    // Written as text: an object literal's __proto__ sets the prototype, it is no key.
    const body = JSON.stringify(report)
      .replace(/}$/, ',"__proto__":{"polluted":true}}')
      .replace('"host":{', '"host":{"constructor":{"prototype":{"polluted":true}},');

    const res = await postText(key, body);

    expect(res.statusCode).toBe(201);
    const raw = storedRaw(report.reportId) as { host: Record<string, unknown> };
    expect(Object.getPrototypeOf(raw)).toBe(Object.prototype);
    expect(Object.keys(raw.host)).not.toContain('constructor');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(raw.host.hostname).toBe('devhost-01');
  });
});

describe('environment changes', () => {
  async function detail(): Promise<MachineDetail> {
    const id = (await machines()).machines[0]?.id ?? '';
    return (await server.inject({ url: `/api/v1/machines/${id}` })).json<MachineDetail>();
  }

  it('records a Docker Desktop update between two reports', async () => {
    const key = await enroll(server.app);

    await post(key, sampleReport({ collectedAt: '2026-11-01T08:00:00.000Z' }));
    await post(
      key,
      sampleReport({ collectedAt: '2026-11-02T08:00:00.000Z', desktopVersion: '4.37.1' }),
    );

    const { changes, history } = await detail();
    expect(history).toHaveLength(2);
    expect(changes).toEqual([
      {
        field: 'desktopVersion',
        from: '4.36.0',
        to: '4.37.1',
        at: '2026-11-02T08:00:00.000Z',
        reportId: expect.any(String),
      },
    ]);
  });

  it('does not count a daemon that was down as a version change', async () => {
    const key = await enroll(server.app);

    await post(key, sampleReport({ collectedAt: '2026-11-01T08:00:00.000Z' }));
    await post(
      key,
      sampleReport({ collectedAt: '2026-11-02T08:00:00.000Z', daemon: 'unreachable' }),
    );
    await post(key, sampleReport({ collectedAt: '2026-11-03T08:00:00.000Z' }));

    const { changes, machine } = await detail();
    expect(changes).toEqual([]);
    expect(machine.environment?.daemonState).toBe('running');
  });

  it('places a late report from the backlog between the reports around it', async () => {
    const key = await enroll(server.app);

    await post(key, sampleReport({ collectedAt: '2026-11-01T08:00:00.000Z' }));
    await post(
      key,
      sampleReport({ collectedAt: '2026-11-03T08:00:00.000Z', desktopVersion: '4.37.1' }),
    );
    await post(
      key,
      sampleReport({ collectedAt: '2026-11-02T08:00:00.000Z', desktopVersion: '4.37.1' }),
    );

    const { changes, machine } = await detail();
    expect(changes.map((c) => [c.from, c.to, c.at])).toEqual([
      ['4.36.0', '4.37.1', '2026-11-02T08:00:00.000Z'],
    ]);
    expect(machine.environment?.collectedAt).toBe('2026-11-03T08:00:00.000Z');
  });
});

describe('environments shared by reports', () => {
  async function detail(): Promise<MachineDetail> {
    const id = (await machines()).machines[0]?.id ?? '';
    return (await server.inject({ url: `/api/v1/machines/${id}` })).json<MachineDetail>();
  }

  it('keeps one environment for a run of reports that show the same one', async () => {
    const key = await enroll(server.app);

    for (const hour of [8, 9, 10]) {
      const collectedAt = `2026-11-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
      expect((await post(key, sampleReport({ collectedAt }))).statusCode).toBe(201);
    }
    const run = await detail();
    await post(
      key,
      sampleReport({ collectedAt: '2026-11-01T11:00:00.000Z', desktopVersion: '4.37.1' }),
    );
    const after = await detail();

    expect(run.history.map((e) => [e.collectedAt, e.lastCollectedAt])).toEqual([
      ['2026-11-01T08:00:00.000Z', '2026-11-01T10:00:00.000Z'],
    ]);
    expect(after.history.map((e) => [e.desktopVersion, e.collectedAt, e.lastCollectedAt])).toEqual([
      ['4.37.1', '2026-11-01T11:00:00.000Z', '2026-11-01T11:00:00.000Z'],
      ['4.36.0', '2026-11-01T08:00:00.000Z', '2026-11-01T10:00:00.000Z'],
    ]);
  });

  it('never ends an environment before it began, when two begin at the same instant', async () => {
    const key = await enroll(server.app);
    const at = '2026-11-01T09:00:00.000Z';

    await post(key, sampleReport({ collectedAt: '2026-11-01T08:00:00.000Z' }));
    await post(key, sampleReport({ collectedAt: at, desktopVersion: '4.37.1' }));
    await post(key, sampleReport({ collectedAt: at }));

    expect((await detail()).history.map((e) => [e.collectedAt, e.lastCollectedAt])).toEqual([
      [at, at],
      [at, at],
      ['2026-11-01T08:00:00.000Z', '2026-11-01T08:00:00.000Z'],
    ]);
  });

  it('moves a report from a clock hours ahead back to when it arrived', async () => {
    const key = await enroll(server.app);
    const now = Date.now();

    await post(key, sampleReport({ collectedAt: new Date(now - 60_000).toISOString() }));
    const ahead = sampleReport({ collectedAt: new Date(now + 5 * 3600_000).toISOString() });
    await post(key, ahead);
    const down = sampleReport({
      collectedAt: new Date(now + 60_000).toISOString(),
      daemon: 'unreachable',
    });
    down.host.hostname = 'devhost-renamed';
    await post(key, down);

    const { machine } = await detail();
    expect(machine.hostname).toBe('devhost-renamed');
    expect(machine.environment?.daemonState).toBe('unreachable');
    expect(storedReport(server.db, ahead.reportId)?.report?.collectedAt).toBe(ahead.collectedAt);
  });

  it('moves a report from a clock in 1970 forward to when it arrived', async () => {
    const key = await enroll(server.app);
    const before = Date.now();
    const epoch = sampleReport({ collectedAt: '1970-01-01T00:00:05.000Z' });

    expect((await post(key, epoch)).statusCode).toBe(201);

    const { machine } = await detail();
    const at = Date.parse(machine.environment?.lastCollectedAt ?? '');
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(storedReport(server.db, epoch.reportId)?.report?.collectedAt).toBe(epoch.collectedAt);
  });

  it('cleans control characters out of the series names it makes from reported text', async () => {
    const key = await enroll(server.app);
    const report = sampleReport();
    const run = mountRun();
    report.benchmarks = [
      { ...run, results: run.results.map((r) => ({ ...r, phase: `${r.phase}\u0000\u202e` })) },
    ];

    expect((await post(key, report)).statusCode).toBe(201);

    const names = server.db.$client.prepare('SELECT name FROM series').pluck().all() as string[];
    expect(names.length).toBeGreaterThan(0);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    for (const name of names) expect(name).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('keeps the host name it knew when a report has none', async () => {
    const key = await enroll(server.app);
    const nameless = sampleReport({ desktopVersion: '4.37.1' });
    nameless.host.hostname = '';

    await post(key, sampleReport({ collectedAt: '2026-11-01T08:00:00.000Z' }));
    expect((await post(key, nameless)).statusCode).toBe(201);

    expect((await detail()).machine.hostname).toBe('devhost-01');
  });

  it.each(['collectedAt', 'benchmarks'])(
    'refuses a time JavaScript cannot read (a leap second in %s) with 400',
    async (field) => {
      const key = await enroll(server.app);
      const report = sampleReport();
      const leap = '2026-06-30T23:59:60Z';
      if (field === 'collectedAt') report.collectedAt = leap;
      else report.benchmarks = [{ ...mountRun(), startedAt: leap }];

      const res = await post(key, report);

      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
    },
  );
});

function mountRun(): BenchmarkRun {
  return {
    kind: 'mount',
    status: 'ok',
    reason: null,
    startedAt: new Date().toISOString(),
    durationMs: 1000,
    quick: true,
    repetitions: 1,
    image: 'debian:bookworm-slim',
    imageDigest: null,
    engineVersion: '27.3.1',
    desktopVersion: '4.36.0',
    mountType: null,
    pathKind: 'linux',
    hostPath: null,
    results: [{ location: 'bind', phase: 'create', samplesMs: [10], medianMs: 10, spreadMs: 0 }],
  };
}

describe('GET /api/v1/machines/:id', () => {
  it('answers 404 with a code for an unknown machine', async () => {
    const res = await server.inject({ url: '/api/v1/machines/nope' });

    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('DEVFLEET_NOT_FOUND');
  });
});
