import type { BenchmarkRun, BuildRecord, SeriesList, SeriesResponse } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

function mountRun(startedAt: string, createMs: number): BenchmarkRun {
  return {
    kind: 'mount',
    status: 'ok',
    reason: null,
    startedAt,
    durationMs: 9000,
    quick: false,
    repetitions: 3,
    image: 'alpine:3.20',
    imageDigest: null,
    engineVersion: '27.3.1',
    desktopVersion: '4.36.0',
    mountType: null,
    pathKind: 'windows-drive-via-wsl',
    hostPath: '/mnt/c/Users/devuser/src',
    results: [
      {
        location: 'bind',
        phase: 'create',
        samplesMs: [createMs - 10, createMs, createMs + 10],
        medianMs: createMs,
        spreadMs: 10,
      },
    ],
  };
}

function build(id: string, startedAt: string, durationMs: number, succeeded = true): BuildRecord {
  return {
    id,
    source: 'time',
    name: 'payments-api',
    command: 'go build ./...',
    startedAt,
    durationMs,
    exitCode: succeeded ? 0 : 3,
    succeeded,
    fingerprint: 'abc123',
    pathKind: 'wsl-ext4',
    cacheRatio: null,
  };
}

async function sendWith(key: string, extra: Partial<ReturnType<typeof sampleReport>>) {
  const report = { ...sampleReport(), ...extra };
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${key}` },
    payload: report,
  });
  expect(res.statusCode).toBe(201);
  return report;
}

async function machineId(): Promise<string> {
  const list = (await server.inject({ url: '/api/v1/machines' })).json();
  return list.machines[0].id as string;
}

describe('GET /api/v1/machines/:id/series', () => {
  it('stores each benchmark phase as a series point with its median', async () => {
    const key = await enroll(server.app);
    await sendWith(key, { benchmarks: [mountRun('2026-11-01T08:00:00.000Z', 420)] });
    await sendWith(key, { benchmarks: [mountRun('2026-11-02T08:00:00.000Z', 610)] });
    const id = await machineId();

    const res = await server.inject({
      url: `/api/v1/machines/${id}/series?metric=bench.mount.bind.create&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z`,
    });

    expect(res.statusCode).toBe(200);
    const body = res.json<SeriesResponse>();
    expect(body.points.map((p) => [p.at, p.valueMs, p.spreadMs])).toEqual([
      ['2026-11-01T08:00:00.000Z', 420, 10],
      ['2026-11-02T08:00:00.000Z', 610, 10],
    ]);
  });

  it('keeps only the points inside from and to', async () => {
    const key = await enroll(server.app);
    await sendWith(key, { benchmarks: [mountRun('2026-11-01T08:00:00.000Z', 420)] });
    await sendWith(key, { benchmarks: [mountRun('2026-11-05T08:00:00.000Z', 430)] });
    const id = await machineId();

    const res = await server.inject({
      url: `/api/v1/machines/${id}/series?metric=bench.mount.bind.create&from=2026-11-03T00:00:00Z&to=2026-11-06T00:00:00Z`,
    });

    expect(res.json<SeriesResponse>().points.map((p) => p.valueMs)).toEqual([430]);
  });

  it('records a failed real build as failed, and a re-sent build once', async () => {
    const key = await enroll(server.app);
    const ok = build('b-0001', '2026-11-01T09:00:00.000Z', 41_000);
    const failed = build('b-0002', '2026-11-01T10:00:00.000Z', 3_000, false);
    await sendWith(key, { builds: [ok] });
    await sendWith(key, { builds: [ok, failed] });
    const id = await machineId();

    const res = await server.inject({
      url: `/api/v1/machines/${id}/series?metric=${encodeURIComponent('build:payments-api')}&from=2026-10-01T00:00:00Z`,
    });

    expect(res.json<SeriesResponse>().points.map((p) => [p.valueMs, p.ok])).toEqual([
      [41_000, true],
      [3_000, false],
    ]);
  });

  it('lists the series a machine has when no metric is given', async () => {
    const key = await enroll(server.app);
    await sendWith(key, {
      benchmarks: [mountRun('2026-11-01T08:00:00.000Z', 420)],
      builds: [build('b-0003', '2026-11-01T09:00:00.000Z', 41_000)],
    });
    const id = await machineId();

    const res = await server.inject({ url: `/api/v1/machines/${id}/series` });

    expect(res.json<SeriesList>().series.map((s) => [s.name, s.count])).toEqual([
      ['bench.mount.bind.create', 1],
      ['build:payments-api', 1],
    ]);
  });

  it('rejects a malformed date with 400', async () => {
    const key = await enroll(server.app);
    await sendWith(key, {});
    const id = await machineId();

    const res = await server.inject({
      url: `/api/v1/machines/${id}/series?metric=x&from=yesterday`,
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('DEVFLEET_VALIDATION_FAILED');
  });
});
