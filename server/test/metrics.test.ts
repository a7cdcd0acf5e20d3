import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { WebhookNotifier } from '../src/alerts/notifier.js';
import { getAlert, upsertAlert } from '../src/db/alert-repository.js';
import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

const TOKEN = 'test-metrics-token-0123456789';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startWithMetrics(): Promise<TestServer> {
  server = await startTestApp({ config: { bodyLimitBytes: 256 * 1024, metricsToken: TOKEN } });
  return server;
}

async function scrape(s: TestServer): Promise<string> {
  const res = await s.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** The value of one sample line, `name{labels} value`; 0 when the line is absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics', () => {
  it('is absent (404) when DEVFLEET_METRICS_TOKEN is unset', async () => {
    server = await startTestApp();

    const res = await server.app.inject({ method: 'GET', url: '/metrics' });

    expect(res.statusCode).toBe(404);
  });

  it('answers 401 without the token or with a wrong one, 200 with it', async () => {
    const s = await startWithMetrics();

    const none = await s.app.inject({ method: 'GET', url: '/metrics' });
    const wrong = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    // A dashboard session is not enough: metrics have their own credential.
    const session = await s.inject({ method: 'GET', url: '/metrics' });
    const right = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    expect(none.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(session.statusCode).toBe(401);
    expect(right.statusCode).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(right.body).toContain('devfleet_process_cpu_seconds_total');
  });

  it('counts a stored report once, and the machine by status', async () => {
    const s = await startWithMetrics();
    const before = await scrape(s);
    expect(sample(before, 'devfleet_reports_ingested_total')).toBe(0);
    expect(sample(before, 'devfleet_machines{status="green"}')).toBe(0);

    const key = await enroll(s.app);
    const report = sampleReport();
    for (let i = 0; i < 2; i++) {
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${key}` },
        payload: report,
      });
    }
    const after = await scrape(s);

    // The second post is the same report id: stored once, counted once.
    expect(sample(after, 'devfleet_reports_ingested_total')).toBe(1);
    const byStatus = ['green', 'amber', 'red'].map((status) =>
      sample(after, `devfleet_machines{status="${status}"}`),
    );
    expect(byStatus.reduce((a, b) => a + b, 0)).toBe(1);
    expect(sample(after, 'devfleet_database_size_bytes')).toBeGreaterThan(0);
  });

  it('labels requests by route pattern, never by URL', async () => {
    const s = await startWithMetrics();
    const key = await enroll(s.app);
    const { machineId } = (
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${key}` },
        payload: sampleReport(),
      })
    ).json<{ machineId: string }>();
    await s.inject({ method: 'GET', url: `/api/v1/machines/${machineId}` });
    await s.inject({ method: 'GET', url: '/no/such/page' });

    const text = await scrape(s);

    expect(
      sample(
        text,
        'devfleet_http_requests_total{method="GET",route="/api/v1/machines/:id",status_code="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'devfleet_http_requests_total{method="POST",route="/api/v1/reports",status_code="201"}',
      ),
    ).toBe(1);
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain(machineId);
    expect(text).toContain('devfleet_http_request_duration_seconds_bucket');
  });

  it('gauges open alerts on scrape', async () => {
    const s = await startWithMetrics();
    expect(sample(await scrape(s), 'devfleet_open_alerts')).toBe(0);

    upsertAlert(s.db, alertInput('a'), Date.now());
    upsertAlert(s.db, alertInput('b'), Date.now());

    expect(sample(await scrape(s), 'devfleet_open_alerts')).toBe(2);
  });

  it('counts webhook deliveries by outcome and each failed attempt', async () => {
    const s = await startWithMetrics();
    let answer = 500;
    const hook = http.createServer((_req, res) => res.writeHead(answer).end());
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

    try {
      const notifier = new WebhookNotifier(
        s.db,
        {
          url,
          format: 'json',
          retries: 1,
          minTimeoutMs: 1,
          dashboardUrl: null,
          metrics: s.app.metrics,
        },
        s.app.log,
      );
      const { id } = upsertAlert(s.db, alertInput('c'), Date.now());
      const alert = getAlert(s.db, id);
      if (!alert) throw new Error('alert not stored');

      notifier.notify(alert, 'opened');
      await notifier.drain();
      answer = 200;
      notifier.notify(alert, 'resolved');
      await notifier.drain();
    } finally {
      hook.close();
    }
    const text = await scrape(s);

    expect(sample(text, 'devfleet_webhook_deliveries_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'devfleet_webhook_deliveries_total{outcome="delivered"}')).toBe(1);
    expect(sample(text, 'devfleet_webhook_attempt_failures_total')).toBe(2);
  });
});

function alertInput(key: string): Parameters<typeof upsertAlert>[1] {
  return {
    dedupeKey: `test-${key}`,
    scope: 'fleet',
    kind: 'regression',
    series: 'bench.build.cold',
    transition: { field: 'desktopVersion', from: '4.36.0', to: '4.37.1' },
    title: `bench.build.cold slower (${key})`,
    effect: 0.4,
    evidence: {},
    machines: [],
  };
}
