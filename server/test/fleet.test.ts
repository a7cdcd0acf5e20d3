import type { FleetOverview, FleetVersions, Trends } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { reports, samples } from '../src/db/schema.js';
import { ensureSeries } from '../src/db/series-repository.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function send(key: string, report: ReturnType<typeof sampleReport>) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${key}` },
    payload: report,
  });
  expect(res.statusCode).toBe(201);
}

async function fleet(): Promise<FleetOverview> {
  const res = await server.inject({ url: '/api/v1/fleet' });
  expect(res.statusCode).toBe(200);
  return res.json<FleetOverview>();
}

describe('GET /api/v1/fleet', () => {
  it('gives each machine a status with the findings behind it, and counts them', async () => {
    await send(await enroll(server.app, 'fine'), sampleReport());
    await send(
      await enroll(server.app, 'old'),
      sampleReport({ desktopVersion: '4.20.0', daemon: 'running' }),
    );
    await send(await enroll(server.app, 'down'), sampleReport({ daemon: 'unreachable' }));

    const overview = await fleet();
    expect(overview.counts).toMatchObject({ machines: 3, red: 2, green: 1, amber: 0 });
    const red = overview.machines.filter((m) => m.status === 'red');
    const reasons = red.flatMap((m) => m.failing);
    expect(reasons.map((f) => f.rule).sort()).toEqual(['daemon', 'desktopMinimum']);
    expect(overview.rules.map((r) => r.rule)).toContain('stale');
  });

  it('marks a machine whose latest report is old as stale', async () => {
    const old = new Date(Date.now() - 5 * DAY).toISOString();
    await send(await enroll(server.app), sampleReport({ collectedAt: old }));

    const [machine] = (await fleet()).machines;
    expect(machine?.status).toBe('amber');
    expect(machine?.failing[0]?.reason).toContain('No report for 5 days');
  });
});

describe('GET /api/v1/fleet/versions', () => {
  it('counts machines per version now and per day of a rollout', async () => {
    const keys = [await enroll(server.app, 'a'), await enroll(server.app, 'b')];
    const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    for (const key of keys)
      await send(key, sampleReport({ collectedAt: at(5), desktopVersion: '4.36.0' }));
    await send(keys[0] ?? '', sampleReport({ collectedAt: at(2), desktopVersion: '4.37.1' }));

    const res = await server.inject({ url: '/api/v1/fleet/versions?days=7' });
    const versions = res.json<FleetVersions>();
    expect(versions.current.desktopVersion).toEqual([
      { version: '4.37.1', machines: 1 },
      { version: '4.36.0', machines: 1 },
    ]);
    const { days, versions: rollout } = versions.rollout;
    expect(days).toHaveLength(7);
    const on = (version: string) => rollout.find((v) => v.version === version)?.machines ?? [];
    expect(on('4.36.0').slice(0, 1)).toEqual([0]);
    expect(on('4.36.0')[2]).toBe(2);
    expect(on('4.36.0')[6]).toBe(1);
    expect(on('4.37.1')[6]).toBe(1);
  });
});

describe('GET /api/v1/machines/:id/trends', () => {
  it('aggregates a year of hourly samples to about the points asked for, with markers', async () => {
    const key = await enroll(server.app);
    const start = Date.now() - 365 * DAY;
    const first = sampleReport({ collectedAt: new Date(start).toISOString() });
    await send(key, first);
    await send(
      key,
      sampleReport({
        desktopVersion: '4.37.1',
        collectedAt: new Date(start + 200 * DAY).toISOString(),
      }),
    );
    const id = server.db.select().from(reports).all()[0]?.machineId ?? '';

    const seriesId = ensureSeries(server.db, id, 'bench.build.mount.cold');
    const rows = Array.from({ length: 365 * 24 }, (_, i) => ({
      machineId: id,
      seriesId,
      at: start + i * HOUR,
      valueMs: i < 200 * 24 ? 40_000 + (i % 7) * 100 : 60_000 + (i % 5) * 100,
      spreadMs: null,
      ok: true,
      reportId: first.reportId,
      sampleKey: `h${i}`,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      server.db
        .insert(samples)
        .values(rows.slice(i, i + 500))
        .run();
    }

    const res = await server.inject({
      url: `/api/v1/machines/${id}/trends?points=400&from=${new Date(start).toISOString()}`,
    });
    expect(res.statusCode).toBe(200);

    const trends = res.json<Trends>();
    const points = trends.series[0]?.points ?? [];
    expect(points.length).toBeGreaterThan(350);
    expect(points.length).toBeLessThanOrEqual(401);
    expect(points[0]).toMatchObject({ y: 40_300, min: 40_000, max: 40_600 });
    expect(points.at(-1)?.y).toBeGreaterThanOrEqual(60_000);
    expect(points.every((p, i) => i === 0 || p.x > (points[i - 1]?.x ?? 0))).toBe(true);
    expect(trends.markers.map((m) => m.label)).toContain('Docker Desktop 4.36.0 → 4.37.1');
  });
});

describe('GET /api/v1/developers/:owner', () => {
  it('gathers the build series of all machines of one owner', async () => {
    const key = await enroll(server.app);
    const report = sampleReport();
    await send(key, {
      ...report,
      builds: [
        {
          id: 'build-0001',
          source: 'time',
          name: 'payments-api',
          command: null,
          startedAt: report.collectedAt,
          durationMs: 90_000,
          exitCode: 0,
          succeeded: true,
          fingerprint: null,
          pathKind: 'wsl-ext4',
          cacheRatio: null,
        },
      ],
    });

    const res = await server.inject({ url: '/api/v1/developers/devuser' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ machines: unknown[]; builds: Trends }>();
    expect(body.machines).toHaveLength(1);
    expect(body.builds.series.map((s) => s.name)).toEqual(['build:payments-api']);

    const missing = await server.inject({ url: '/api/v1/developers/nobody' });
    expect(missing.statusCode).toBe(404);
  });
});
