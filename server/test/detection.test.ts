import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Alert, AlertList, BenchmarkRun } from '@devfleet/wire';
import { afterEach, describe, expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

afterEach(async () => {
  await server?.close();
});

const HOUR = 3600 * 1000;
const START = Date.UTC(2026, 10, 1, 8);

/** Deterministic noise: a seeded LCG, so a failure reproduces exactly. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

function buildRun(at: number, ms: number): BenchmarkRun {
  return {
    kind: 'build',
    status: 'ok',
    reason: null,
    startedAt: new Date(at).toISOString(),
    durationMs: ms,
    quick: false,
    repetitions: 3,
    image: 'golang:1.22',
    imageDigest: null,
    engineVersion: '27.3.1',
    desktopVersion: null,
    mountType: null,
    pathKind: 'wsl-ext4',
    hostPath: null,
    results: [{ location: 'mount', phase: 'cold', samplesMs: [ms], medianMs: ms, spreadMs: 0 }],
  };
}

interface Plan {
  machines: number;
  /** Report index from which every machine is slower with no environment change (antivirus). */
  silentAt?: number;
  /** Report index at which a fix release (4.37.2) brings the old speed back, if any. */
  fixAt?: number;
  /** Report index at which the machine updates Docker Desktop, or null for a control machine. */
  updateAt: (machine: number) => number | null;
  /** Slowdown after the update: 0.35 is 35% slower. */
  effect: number;
  reports: number;
}

async function runFleet(plan: Plan): Promise<void> {
  const keys: string[] = [];
  for (let m = 0; m < plan.machines; m++) keys.push(await enroll(server.app, `devhost-${m}`));
  const random = noise(42);

  for (let r = 0; r < plan.reports; r++) {
    for (let m = 0; m < plan.machines; m++) {
      const at = START + r * 6 * HOUR + m * 60_000;
      const updateAt = plan.updateAt(m);
      const updated = updateAt !== null && r >= updateAt;
      const fixed = updated && plan.fixAt !== undefined && r >= plan.fixAt;
      // Log-normal-ish noise of about 10% around 40 s, the step applied after the update.
      const slow = (updated && !fixed) || (plan.silentAt !== undefined && r >= plan.silentAt);
      const ms = 40_000 * (1 + (random() - 0.5) * 0.3) * (slow ? 1 + plan.effect : 1);
      const report = sampleReport({
        collectedAt: new Date(at).toISOString(),
        desktopVersion: fixed ? '4.37.2' : updated ? '4.37.1' : '4.36.0',
      });
      report.host.hostname = `devhost-${m}`;
      report.benchmarks = [buildRun(at, Math.round(ms))];

      const res = await server.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${keys[m]}` },
        payload: report,
      });
      expect(res.statusCode).toBe(201);
    }
  }
}

async function alerts(): Promise<Alert[]> {
  return (await server.inject({ url: '/api/v1/alerts' })).json<AlertList>().alerts;
}

describe('regression detection', () => {
  it('raises one fleet alert naming the update, the slower machines and the control', async () => {
    server = await startTestApp();

    await runFleet({
      machines: 7,
      updateAt: (m) => (m < 4 ? 12 + m : null),
      effect: 0.35,
      reports: 24,
    });

    const fleet = (await alerts()).filter((a) => a.scope === 'fleet');
    expect(fleet).toHaveLength(1);
    const alert = fleet[0]!;
    expect(alert.kind).toBe('regression');
    expect(alert.transition).toEqual({ field: 'desktopVersion', from: '4.36.0', to: '4.37.1' });
    expect(alert.series).toBe('bench.build.mount.cold');
    expect(alert.title).toContain('Docker Desktop 4.36.0 → 4.37.1');
    expect(alert.title).toContain('still on 4.36.0');
    expect(alert.effect).toBeGreaterThan(0.25);
    expect(alert.effect).toBeLessThan(0.45);
    expect(alert.machines.map((m) => m.hostname).sort()).toEqual([
      'devhost-0',
      'devhost-1',
      'devhost-2',
      'devhost-3',
    ]);
    expect(alert.evidence).toHaveProperty('control');
  });

  it('resolves the alert by itself when a fix release brings the old speed back', async () => {
    server = await startTestApp();

    await runFleet({
      machines: 5,
      updateAt: (m) => (m < 3 ? 12 : null),
      fixAt: 24,
      effect: 0.5,
      reports: 40,
    });

    const fleet = (await alerts()).filter((a) => a.scope === 'fleet' && a.kind === 'regression');
    expect(fleet).toHaveLength(1);
    expect(fleet[0]).toMatchObject({ status: 'resolved', resolution: 'returned' });
  });

  it('raises an unattributed alert for a slowdown no recorded change explains', async () => {
    server = await startTestApp();

    await runFleet({ machines: 1, updateAt: () => null, silentAt: 20, effect: 0.5, reports: 34 });

    const found = await alerts();
    expect(found.map((a) => [a.kind, a.scope, a.transition])).toEqual([
      ['unattributed', 'machine', null],
    ]);
    expect(found[0]?.title).toContain('no recorded environment change');
    expect(found[0]?.effect).toBeGreaterThan(0.3);
  });

  it('stays quiet when an update changes nothing', async () => {
    server = await startTestApp();

    await runFleet({ machines: 6, updateAt: (m) => (m < 3 ? 12 : null), effect: 0, reports: 24 });

    expect(await alerts()).toEqual([]);
  });

  it('acknowledges and resolves an alert through the API', async () => {
    server = await startTestApp();
    await runFleet({ machines: 5, updateAt: (m) => (m < 3 ? 12 : null), effect: 0.5, reports: 22 });
    const [alert] = await alerts();
    expect(alert?.status).toBe('open');

    const ack = await server.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert!.id}/acknowledge`,
    });
    const again = await server.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert!.id}/acknowledge`,
    });
    const resolved = await server.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert!.id}/resolve`,
    });

    expect(ack.json<Alert>().status).toBe('acknowledged');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('DEVFLEET_ALERT_STATE_CONFLICT');
    expect(resolved.json<Alert>()).toMatchObject({ status: 'resolved', resolution: 'manual' });
  });

  it('posts the opened alert to the webhook in Slack form and records the delivery', async () => {
    const received: unknown[] = [];
    let failuresLeft = 1;
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        // The first attempt fails: the notifier must retry.
        if (failuresLeft-- > 0) return res.writeHead(503).end();
        received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const port = (hook.address() as AddressInfo).port;

    try {
      server = await startTestApp({
        config: { bodyLimitBytes: 256 * 1024, webhookUrl: `http://127.0.0.1:${port}/hook` },
      });
      await runFleet({
        machines: 5,
        updateAt: (m) => (m < 3 ? 12 : null),
        effect: 0.5,
        reports: 22,
      });
      await server.app.notifier?.drain();

      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        text: expect.stringContaining('Docker Desktop 4.36.0 → 4.37.1'),
      });
      const deliveries = server.db.$client
        .prepare('select status, attempts from webhook_deliveries')
        .all();
      expect(deliveries).toEqual([{ status: 'delivered', attempts: 2 }]);
    } finally {
      hook.close();
    }
  });
});
