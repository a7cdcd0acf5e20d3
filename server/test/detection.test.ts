import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Alert, AlertList, BenchmarkRun } from '@devfleet/wire';
import { afterEach, describe, expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

interface Sample {
  at: number;
  valueMs: number;
}

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

/** The fleet of `plan`: an update to 4.37.1, maybe a fix release, maybe a silent slowdown. */
async function runFleet(plan: Plan): Promise<void> {
  await runReports({
    machines: plan.machines,
    reports: plan.reports,
    version: (m, r) => {
      const updateAt = plan.updateAt(m);
      const updated = updateAt !== null && r >= updateAt;
      const fixed = updated && plan.fixAt !== undefined && r >= plan.fixAt;
      return fixed ? '4.37.2' : updated ? '4.37.1' : '4.36.0';
    },
    factor: (m, r) => {
      const updateAt = plan.updateAt(m);
      const updated = updateAt !== null && r >= updateAt;
      const fixed = updated && plan.fixAt !== undefined && r >= plan.fixAt;
      const slow = (updated && !fixed) || (plan.silentAt !== undefined && r >= plan.silentAt);
      return slow ? 1 + plan.effect : 1;
    },
  });
}

interface Reports {
  machines: number;
  reports: number;
  /** Docker Desktop version of machine `m` in report `r`. */
  version: (m: number, r: number) => string;
  /** How much slower than its usual 40 s machine `m`'s build is in report `r`. */
  factor: (m: number, r: number) => number;
  /** Windows build (osRelease) of machine `m` in report `r`. */
  windows?: (m: number, r: number) => string;
  /** Runs after every round of reports (all machines' report `r`). */
  afterRound?: (r: number) => Promise<void>;
}

async function runReports(plan: Reports): Promise<void> {
  const keys: string[] = [];
  for (let m = 0; m < plan.machines; m++) keys.push(await enroll(server.app, `devhost-${m}`));
  const random = noise(42);

  for (let r = 0; r < plan.reports; r++) {
    for (let m = 0; m < plan.machines; m++) {
      const at = START + r * 6 * HOUR + m * 60_000;
      // Noise of about 10% around 40 s.
      const ms = 40_000 * (1 + (random() - 0.5) * 0.3) * plan.factor(m, r);
      const report = sampleReport({
        collectedAt: new Date(at).toISOString(),
        desktopVersion: plan.version(m, r),
      });
      report.host.hostname = `devhost-${m}`;
      if (plan.windows) report.host.release = plan.windows(m, r);
      report.benchmarks = [buildRun(at, Math.round(ms))];

      const res = await server.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${keys[m]}` },
        payload: report,
      });
      expect(res.statusCode).toBe(201);
    }
    await plan.afterRound?.(r);
  }
}

/** The alert_machines rows of an alert: which machines are still counted. */
function members(alertId: string): { machineId: string; resolvedAt: number | null }[] {
  return server.db.$client
    .prepare(
      'select machine_id as machineId, resolved_at as resolvedAt from alert_machines where alert_id = ?',
    )
    .all(alertId) as { machineId: string; resolvedAt: number | null }[];
}

async function hostIds(): Promise<Map<string, string>> {
  const rows = server.db.$client.prepare('select id, hostname from machines').all() as {
    id: string;
    hostname: string;
  }[];
  return new Map(rows.map((r) => [r.hostname, r.id]));
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

    // Twice as slow: this noise's 20 builds before the step drift upwards (lag-1 autocorrelation
    // 0.5 read from them), and against a drifting baseline 6 builds 50% slower are not enough.
    await runFleet({ machines: 1, updateAt: () => null, silentAt: 20, effect: 1, reports: 34 });

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
  it('resolves once the latest builds are back, however long the series stayed slow', async () => {
    server = await startTestApp();

    // Slow from report 12 to 30 with no change event at either end (a vendor-side fix), long
    // enough for the alert's after window to fill with slow samples first.
    await runReports({
      machines: 5,
      reports: 46,
      version: (m, r) => (m < 3 && r >= 12 ? '4.37.1' : '4.36.0'),
      factor: (m, r) => (m < 3 && r >= 12 && r < 30 ? 1.5 : 1),
    });

    const fleet = (await alerts()).filter((a) => a.scope === 'fleet');
    expect(fleet).toHaveLength(1);
    expect(fleet[0]).toMatchObject({ status: 'resolved', resolution: 'returned' });
  });

  it('keeps a recovered machine resolved when a later mover joins the alert', async () => {
    server = await startTestApp();

    // devhost-0 and -1 take the fix (4.37.2) at report 22; devhost-2 stays slow; devhost-3 and
    // -4 take 4.37.1 at report 30 and join the still open alert.
    await runReports({
      machines: 7,
      reports: 40,
      version: (m, r) => {
        if (m < 2) return r >= 22 ? '4.37.2' : r >= 10 ? '4.37.1' : '4.36.0';
        if (m === 2) return r >= 10 ? '4.37.1' : '4.36.0';
        if (m < 5) return r >= 30 ? '4.37.1' : '4.36.0';
        return '4.36.0';
      },
      factor: (m, r) => {
        if (m < 2) return r >= 10 && r < 22 ? 1.5 : 1;
        if (m === 2) return r >= 10 ? 1.5 : 1;
        if (m < 5) return r >= 30 ? 1.5 : 1;
        return 1;
      },
    });

    const fleet = (await alerts()).find((a) => a.scope === 'fleet' && a.kind === 'regression');
    const ids = await hostIds();
    const resolvedAt = new Map(members(fleet!.id).map((m) => [m.machineId, m.resolvedAt]));
    expect(fleet?.status).toBe('open');
    expect(resolvedAt.get(ids.get('devhost-0')!)).not.toBeNull();
    expect(resolvedAt.get(ids.get('devhost-1')!)).not.toBeNull();
    expect(resolvedAt.get(ids.get('devhost-2')!)).toBeNull();
    expect(resolvedAt.get(ids.get('devhost-3')!)).toBeNull();
  });

  it('folds a machine alert into the fleet alert for the same update and series', async () => {
    server = await startTestApp();

    // devhost-0 updates first and gets its own alert; two more machines follow later.
    await runReports({
      machines: 4,
      reports: 38,
      version: (m, r) => ((m === 0 ? r >= 14 : m < 3 && r >= 26) ? '4.37.1' : '4.36.0'),
      factor: (m, r) => ((m === 0 ? r >= 14 : m < 3 && r >= 26) ? 1.8 : 1),
    });

    const all = await alerts();
    const active = all.filter((a) => a.status !== 'resolved' && a.kind !== 'improvement');
    const fleet = active.find((a) => a.scope === 'fleet');
    expect(active).toHaveLength(1);
    expect(fleet?.machines.map((m) => m.hostname).sort()).toEqual([
      'devhost-0',
      'devhost-1',
      'devhost-2',
    ]);
    const merged = all.find((a) => a.scope === 'machine' && a.kind === 'regression');
    expect(merged?.status).toBe('resolved');
    expect(merged?.evidence).toMatchObject({ closedAs: 'merged', mergedInto: fleet?.id });
  });

  it('does not call a fleet slower because one of its two movers is', async () => {
    server = await startTestApp();

    await runReports({
      machines: 4,
      reports: 50,
      version: (m, r) => (m < 2 && r >= 30 ? '4.37.1' : '4.36.0'),
      factor: (m, r) => (m === 0 && r >= 30 ? 1.6 : 1),
    });

    const found = (await alerts()).filter((a) => a.kind === 'regression');
    expect(found.map((a) => [a.scope, a.machines.map((m) => m.hostname)])).toEqual([
      ['machine', ['devhost-0']],
    ]);
  });

  it("finds an update's regression when a Windows build follows two reports later", async () => {
    server = await startTestApp();

    await runReports({
      machines: 6,
      reports: 32,
      version: (m, r) => (m < 3 && r >= 14 ? '4.37.1' : '4.36.0'),
      windows: (m, r) => (m < 3 && r >= 16 ? '10.0.22635' : '10.0.22631'),
      factor: (m, r) => (m < 3 && r >= 14 ? 1.4 : 1),
    });

    const fleet = (await alerts()).filter((a) => a.scope === 'fleet' && a.kind === 'regression');
    expect(fleet).toHaveLength(1);
    expect(fleet[0]?.transition).toEqual({
      field: 'desktopVersion',
      from: '4.36.0',
      to: '4.37.1',
    });
    expect(fleet[0]?.machines).toHaveLength(3);
  });

  it('counts the first sample of the report that shows the change as after it', async () => {
    server = await startTestApp();

    await runReports({
      machines: 1,
      reports: 24,
      version: (_m, r) => (r >= 12 ? '4.37.1' : '4.36.0'),
      factor: (_m, r) => (r >= 12 ? 2 : 1),
    });

    const [alert] = await alerts();
    const evidence = alert?.evidence as { changeAt: string; before: Sample[]; after: Sample[] };
    const changeAt = Date.parse(evidence.changeAt);
    expect(evidence.after[0]?.at).toBe(changeAt);
    expect(evidence.before.every((s) => s.at < changeAt)).toBe(true);
  });

  it('reopens an unexplained slowdown that comes back after it resolved', async () => {
    server = await startTestApp();

    await runReports({
      machines: 1,
      reports: 84,
      version: () => '4.36.0',
      // Twice as slow: the same drifting baseline as the unattributed alert above.
      factor: (_m, r) => ((r >= 20 && r < 40) || r >= 66 ? 2 : 1),
    });

    const found = await alerts();
    expect(found.map((a) => [a.kind, a.status])).toEqual([['unattributed', 'open']]);
    expect(found[0]?.evidence).toHaveProperty('reopened');
  });

  it('alerts on machines that take the update after its fleet alert was resolved by hand', async () => {
    server = await startTestApp();

    await runReports({
      machines: 7,
      reports: 38,
      version: (m, r) => {
        if (m < 3) return r >= 10 ? '4.37.1' : '4.36.0';
        if (m < 5) return r >= 24 ? '4.37.1' : '4.36.0';
        return '4.36.0';
      },
      factor: (m, r) => ((m < 3 ? r >= 10 : m < 5 && r >= 24) ? 1.5 : 1),
      afterRound: async (r) => {
        if (r !== 20) return;
        const open = (await alerts()).find((a) => a.scope === 'fleet');
        const res = await server.inject({
          method: 'POST',
          url: `/api/v1/alerts/${open?.id}/resolve`,
        });
        expect(res.statusCode).toBe(200);
      },
    });

    const fleet = (await alerts()).find((a) => a.scope === 'fleet' && a.kind === 'regression');
    expect(fleet?.status).toBe('open');
    expect(fleet?.evidence).toHaveProperty('reopened');
    const later = fleet?.machines.map((m) => m.hostname).filter((h) => h >= 'devhost-3');
    expect(later?.sort()).toEqual(['devhost-3', 'devhost-4']);
  });

  it('keeps a fix release as an improvement record and leaves nothing open', async () => {
    server = await startTestApp();

    await runFleet({
      machines: 5,
      updateAt: (m) => (m < 3 ? 12 : null),
      fixAt: 24,
      effect: 0.5,
      reports: 40,
    });

    const found = await alerts();
    const improvement = found.find((a) => a.scope === 'fleet' && a.kind === 'improvement');
    expect(improvement?.transition).toEqual({
      field: 'desktopVersion',
      from: '4.37.1',
      to: '4.37.2',
    });
    expect(improvement?.status).toBe('resolved');
    expect(improvement?.evidence).toMatchObject({ closedAs: 'recorded' });
    expect(found.filter((a) => a.status !== 'resolved')).toEqual([]);
    // The fleet's record speaks for its machines.
    expect(found.filter((a) => a.scope === 'machine' && a.kind === 'improvement')).toEqual([]);
  });

  it('counts a machine that made the same transition twice as one mover', async () => {
    server = await startTestApp();

    // devhost-0 updates, rolls back and updates again; devhost-1 updates once.
    await runReports({
      machines: 4,
      reports: 36,
      version: (m, r) => {
        if (m === 0) return (r >= 8 && r < 12) || r >= 20 ? '4.37.1' : '4.36.0';
        return m === 1 && r >= 20 ? '4.37.1' : '4.36.0';
      },
      factor: (m, r) => {
        if (m === 0) return (r >= 8 && r < 12) || r >= 20 ? 1.8 : 1;
        return m === 1 && r >= 20 ? 1.8 : 1;
      },
    });

    const fleet = (await alerts()).find((a) => a.scope === 'fleet' && a.kind === 'regression');
    expect(fleet?.title).toContain('on 2 of 2 machines');
    expect((fleet?.evidence as { numbers: { movers: number } }).numbers.movers).toBe(2);
  });
});
