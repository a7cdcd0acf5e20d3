import type { AlertList, SeriesResponse } from '@devfleet/wire';
import { afterEach, describe, expect, it } from 'vitest';

import { upsertAlert } from '../src/db/alert-repository.js';
import { neutralizeFormula } from '../src/export/csv.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

const HOSTILE = '=HYPERLINK("http://example.com")';

let server: TestServer;

afterEach(async () => {
  await server?.close();
});

/** One machine enrolled under a host name that is a spreadsheet formula, with one report. */
async function startWithHostileMachine(): Promise<string> {
  server = await startTestApp();
  const key = await enroll(server.app, HOSTILE);
  const report = sampleReport();
  report.host.hostname = HOSTILE;
  report.benchmarks = [
    {
      kind: 'build',
      status: 'ok',
      reason: null,
      startedAt: report.collectedAt,
      durationMs: 1234,
      quick: false,
      repetitions: 1,
      image: null,
      imageDigest: null,
      engineVersion: null,
      desktopVersion: null,
      mountType: null,
      pathKind: 'wsl-ext4',
      hostPath: null,
      results: [
        { location: 'mount', phase: 'cold', samplesMs: [1234], medianMs: 1234, spreadMs: 0 },
      ],
    },
  ];
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${key}` },
    payload: report,
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ machineId: string }>().machineId;
}

function csvLines(body: string): string[] {
  expect(body.startsWith('\uFEFF')).toBe(true);
  return body.slice(1).trimEnd().split('\r\n');
}

describe('neutralizeFormula', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('prefixes %j with an apostrophe', (v) => {
    expect(neutralizeFormula(v)).toBe(`'${v}`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutralizeFormula('DEVHOST-01')).toBe('DEVHOST-01');
    expect(neutralizeFormula('4.36.0')).toBe('4.36.0');
  });
});

describe('GET /api/v1/export/machines.csv', () => {
  it('downloads the fleet table with a hostile host name kept as text', async () => {
    await startWithHostileMachine();

    const res = await server.inject({ method: 'GET', url: '/api/v1/export/machines.csv' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="devfleet-machines-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const [header, row] = csvLines(res.body);
    expect(header).toMatch(/^id,hostname,owner,status,/);
    // Quoted (it holds quotes), quotes doubled, and the apostrophe makes it text, not a formula.
    expect(row).toContain(`,"'=HYPERLINK(""http://example.com"")",devuser,`);
    expect(row).not.toContain(',=HYPERLINK');
  });

  it('needs a dashboard session', async () => {
    server = await startTestApp();

    const res = await server.app.inject({ method: 'GET', url: '/api/v1/export/machines.csv' });

    expect(res.statusCode).toBe(401);
  });
});

describe('GET /api/v1/export/machines.json', () => {
  it('downloads every machine with its status and findings, values untouched', async () => {
    await startWithHostileMachine();

    const res = await server.inject({ method: 'GET', url: '/api/v1/export/machines.json' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="devfleet-machines-.*\.json"$/);
    const body = res.json<{ machines: { hostname: string; status: string; findings: [] }[] }>();
    expect(body.machines).toHaveLength(1);
    expect(body.machines[0]).toMatchObject({ hostname: HOSTILE, status: expect.any(String) });
  });
});

describe('GET /api/v1/export/machines/:id/series.csv', () => {
  it("downloads one series' samples", async () => {
    const id = await startWithHostileMachine();
    const list = await server.inject({ method: 'GET', url: `/api/v1/machines/${id}/series` });
    const metric = list.json<{ series: { name: string }[] }>().series[0]?.name ?? '';
    expect(metric).not.toBe('');

    const csv = await server.inject({
      method: 'GET',
      url: `/api/v1/export/machines/${id}/series.csv?metric=${encodeURIComponent(metric)}`,
    });
    const json = await server.inject({
      method: 'GET',
      url: `/api/v1/export/machines/${id}/series.json?metric=${encodeURIComponent(metric)}`,
    });

    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="devfleet-[\w.-]+\.csv"$/,
    );
    const lines = csvLines(csv.body);
    expect(lines[0]).toBe('at,value ms,spread ms,ok,report id');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\d{4}-.*,1234,0,true,report-/);
    expect(json.json<SeriesResponse>().points).toHaveLength(1);
  });

  it('answers 404 for an unknown machine and 400 without a metric', async () => {
    const id = await startWithHostileMachine();

    const unknown = await server.inject({
      method: 'GET',
      url: '/api/v1/export/machines/nope/series.csv?metric=x',
    });
    const noMetric = await server.inject({
      method: 'GET',
      url: `/api/v1/export/machines/${id}/series.csv`,
    });

    expect(unknown.statusCode).toBe(404);
    expect(noMetric.statusCode).toBe(400);
  });
});

describe('GET /api/v1/export/alerts.csv', () => {
  it('downloads the alerts, filtered by status, titles neutralized', async () => {
    server = await startTestApp();
    upsertAlert(
      server.db,
      {
        dedupeKey: 'k',
        scope: 'fleet',
        kind: 'regression',
        series: 'bench.build.cold',
        transition: { field: 'desktopVersion', from: '4.36.0', to: HOSTILE },
        title: '@SUM(1+1)',
        effect: -0.25,
        evidence: {},
        machines: [],
      },
      Date.now(),
    );

    const open = await server.inject({ method: 'GET', url: '/api/v1/export/alerts.csv' });
    const resolved = await server.inject({
      method: 'GET',
      url: '/api/v1/export/alerts.json?status=resolved',
    });

    expect(open.statusCode).toBe(200);
    const [, row] = csvLines(open.body);
    expect(row).toContain(",'@SUM(1+1),-0.25,desktopVersion,4.36.0,\"'=HYPERLINK(");
    expect(resolved.json<AlertList>().alerts).toEqual([]);
  });
});
