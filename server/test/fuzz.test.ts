import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { storedReport } from '../src/db/report-repository.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;
let key: string;

beforeAll(async () => {
  server = await startTestApp();
  key = await enroll(server.app);
});

afterAll(async () => {
  await server.close();
});

const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    "'; DROP TABLE reports; --",
    '\u202Eevil.exe',
    '\u0000\u0007\u001b[31m',
    '../../etc/passwd',
  ),
  fc.string({ minLength: 300, maxLength: 5000 }),
);

/** A value of any JSON shape, to put where the schema expects something else. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A valid report with one field, at any depth, replaced by something else. */
const mutatedReport = fc
  .tuple(fc.integer({ min: 0, max: 1000 }), fc.oneof(hostile, anyJson))
  .map(([pick, value]) => {
    const report = sampleReport() as unknown as Record<string, unknown>;
    const paths = leafPaths(report);
    const path = paths[pick % paths.length]!;
    setPath(report, path, value);
    return report;
  });

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => [
    prefix.concat(k),
    ...leafPaths(v, prefix.concat(k)),
  ]);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[path.at(-1)!] = value;
}

async function counts() {
  const db = server.db.$client;
  return {
    reports: db.prepare('select count(*) as n from reports').get(),
    environments: db.prepare('select count(*) as n from environments').get(),
    samples: db.prepare('select count(*) as n from samples').get(),
  };
}

describe('hostile input to the report route', () => {
  it('never answers 5xx, and every rejection is a 4xx with a stable code', async () => {
    const accepted = new Set<string>();

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedReport.map((r) => ({ body: JSON.stringify(r), type: 'application/json' })),
          anyJson.map((v) => ({ body: JSON.stringify(v), type: 'application/json' })),
          fc.string().map((s) => ({ body: s, type: 'application/json' })),
          fc.string().map((s) => ({ body: s, type: 'text/plain' })),
        ),
        async ({ body, type }) => {
          const res = await server.app.inject({
            method: 'POST',
            url: '/api/v1/reports',
            headers: { authorization: `Bearer ${key}`, 'content-type': type },
            payload: body,
          });

          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.json().error.code).toMatch(/^DEVFLEET_[A-Z_]+$/);
            expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
          } else {
            accepted.add(res.json().reportId as string);
          }
        },
      ),
      { numRuns: 1500 },
    );

    // Whatever was accepted is stored once, and nothing rejected left a row behind.
    const { reports } = await counts();
    expect(reports).toEqual({ n: accepted.size });
  });

  it('leaves accepted data unchanged after a storm of malformed requests', async () => {
    // A machine of its own: the storm above used up the first one's rate limit.
    const own = await enroll(server.app, 'devhost-storm');
    const good = sampleReport();
    const first = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${own}` },
      payload: good,
    });
    expect(first.json()).toMatchObject({ duplicate: false });
    const before = await counts();
    const stored = storedReport(server.db, good.reportId);
    expect(stored?.report).toEqual(good);

    await fc.assert(
      fc.asyncProperty(mutatedReport, async (report) => {
        report.reportId = good.reportId;
        await server.app.inject({
          method: 'POST',
          url: '/api/v1/reports',
          headers: { authorization: `Bearer ${own}` },
          payload: report,
        });
      }),
      { numRuns: 300 },
    );

    expect(await counts()).toEqual(before);
    expect(storedReport(server.db, good.reportId)).toEqual(stored);
  });

  it('answers hostile dashboard queries with 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (a, b) => {
        for (const url of [
          `/api/v1/machines/${encodeURIComponent(a)}`,
          `/api/v1/machines/${encodeURIComponent(a)}/series?metric=${encodeURIComponent(b)}&from=${encodeURIComponent(b)}`,
          `/api/v1/changes?field=${encodeURIComponent(a)}&limit=${encodeURIComponent(b)}`,
          `/api/v1/alerts?status=${encodeURIComponent(a)}`,
        ]) {
          const res = await server.inject({ url });
          expect(res.statusCode).toBeLessThan(500);
        }
      }),
      { numRuns: 200 },
    );
  });
});
