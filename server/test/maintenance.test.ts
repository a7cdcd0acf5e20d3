import path from 'node:path';

import Database from 'better-sqlite3';
import type { BenchmarkRun, MachineDetail, SeriesResponse } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { backupDatabase, pruneHistory } from '../src/db/maintenance.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

const DAY = 24 * 3600 * 1000;
const START = Date.UTC(2026, 5, 1, 6);

function run(at: number, ms: number): BenchmarkRun {
  return {
    kind: 'mount',
    status: 'ok',
    reason: null,
    startedAt: new Date(at).toISOString(),
    durationMs: ms,
    quick: true,
    repetitions: 2,
    image: 'debian:bookworm-slim',
    imageDigest: null,
    engineVersion: '27.3.1',
    desktopVersion: '4.36.0',
    mountType: null,
    pathKind: 'linux',
    hostPath: null,
    results: [{ location: 'bind', phase: 'create', samplesMs: [ms], medianMs: ms, spreadMs: 0 }],
  };
}

/** Two days of four reports each, with a Desktop update on the second day. */
async function loadHistory(): Promise<string> {
  const key = await enroll(server.app);
  for (let day = 0; day < 2; day++) {
    for (let i = 0; i < 4; i++) {
      const at = START + day * DAY + i * 3600 * 1000;
      const report = sampleReport({
        collectedAt: new Date(at).toISOString(),
        desktopVersion: day === 0 ? '4.36.0' : '4.37.1',
      });
      report.benchmarks = [run(at, 100 + day * 100 + i)];
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${key}` },
        payload: report,
      });
      expect(res.statusCode).toBe(201);
    }
  }
  return (await server.inject({ url: '/api/v1/machines' })).json().machines[0].id as string;
}

describe('retention', () => {
  it('folds old samples into one daily median and keeps the change events', async () => {
    const id = await loadHistory();

    const result = pruneHistory(server.db, START + 10 * DAY);

    expect(result).toEqual({ reportsPruned: 8, samplesAggregated: 8, dailyRows: 2 });
    const series = await server.inject({
      url: `/api/v1/machines/${id}/series?metric=bench.mount.bind.create&from=2026-05-01T00:00:00Z&to=2026-07-01T00:00:00Z`,
    });
    expect(series.json<SeriesResponse>().points.map((p) => p.valueMs)).toEqual([101.5, 201.5]);
    const detail = (await server.inject({ url: `/api/v1/machines/${id}` })).json<MachineDetail>();
    expect(detail.changes.map((c) => [c.field, c.from, c.to])).toEqual([
      ['desktopVersion', '4.36.0', '4.37.1'],
    ]);
    const raw = server.db.$client.prepare("select count(*) as n from reports where raw = ''").get();
    expect(raw).toEqual({ n: 8 });
  });

  it('leaves history newer than the horizon alone, and a second run changes nothing', async () => {
    await loadHistory();

    const first = pruneHistory(server.db, START + DAY);
    const second = pruneHistory(server.db, START + DAY);

    expect(first).toEqual({ reportsPruned: 4, samplesAggregated: 4, dailyRows: 1 });
    expect(second).toEqual({ reportsPruned: 0, samplesAggregated: 0, dailyRows: 0 });
  });
});

describe('backup', () => {
  it('writes a copy that opens cleanly and holds every report', async () => {
    await loadHistory();
    const file = path.join(server.dir, 'backup.db');

    await backupDatabase(server.db, file);

    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select count(*) as n from reports').get()).toEqual({ n: 8 });
    } finally {
      copy.close();
    }
  });
});
