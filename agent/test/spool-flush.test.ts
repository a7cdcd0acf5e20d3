import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Report } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { AgentConfig } from '../src/config/agent-config.js';
import { flushSpool, type FlushOptions } from '../src/sending/flush-spool.js';
import { judgeReportResponse, postReport } from '../src/sending/send-report.js';
import { addToSpool, listSpool, readDropped } from '../src/sending/spool.js';
import { startFakeServer, type Reply } from './helpers/fake-server.js';
import { sampleReport } from './helpers/sample-report.js';

const quick: FlushOptions = { retryBudgetMs: 2_000, firstRetryMs: 10, lockWaitMs: 5_000 };
const stored = (status = 201) => ({
  status,
  body: { reportId: 'r', machineId: 'm', duplicate: false },
});
const refused = (status: number, code: string) => ({
  status,
  body: { error: { code, message: 'no' } },
});

describe('flushing the spool', () => {
  let home: string;
  let server: Awaited<ReturnType<typeof startFakeServer>> | undefined;

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-flush-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(home, { recursive: true, force: true });
  });

  const serve = async (reply: Reply) => {
    server = await startFakeServer(reply);
    return { server, config: { serverUrl: server.url, machineId: 'm', machineKey: 'k' } };
  };

  const flush = (config: AgentConfig, options: FlushOptions = quick) =>
    flushSpool(
      home,
      async (report) => judgeReportResponse(config, await postReport(config, report)),
      options,
    );

  const spool = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await addToSpool(home, sampleReport())).reportId);
    return ids;
  };

  const sentIds = (fake: { received: { body: unknown }[] }) =>
    fake.received.map((r) => (r.body as Report).reportId);

  it('sends the backlog oldest first and empties the spool', async () => {
    const { server: fake, config } = await serve(() => stored());
    const ids = await spool(5);

    const outcome = await flush(config);

    expect(sentIds(fake)).toEqual(ids);
    expect(outcome.sent.map((s) => s.reportId)).toEqual(ids);
    expect(outcome).toMatchObject({ stoppedBy: null, pending: 0, rejected: [] });
    expect(await listSpool(home)).toEqual([]);
  });

  it('tells the server how many reports wait behind each one', async () => {
    const { server: fake, config } = await serve(() => stored());
    await spool(3);

    await flush(config);

    const pending = fake.received.map((r) => (r.body as Report).spool?.pending);
    expect(pending).toEqual([2, 1, 0]);
  });

  it('carries the dropped count in the next report sent, then starts again from zero', async () => {
    const { server: fake, config } = await serve(() => stored());
    for (let i = 0; i < 6; i++) {
      await addToSpool(home, sampleReport(), { maxReports: 2, maxBytes: 1024 * 1024 });
    }

    await flush(config);

    expect(fake.received.map((r) => (r.body as Report).spool?.dropped)).toEqual([4, 0]);
    expect(await readDropped(home)).toBe(0);
  });

  it('counts a repeated report the server already has (200) as delivered', async () => {
    const { config } = await serve(() => stored(200));
    const ids = await spool(2);

    const outcome = await flush(config);

    expect(outcome.sent).toEqual(ids.map((reportId) => ({ reportId, status: 200 })));
    expect(await listSpool(home)).toEqual([]);
  });

  it('retries a failing server with backoff until it takes the report', async () => {
    let calls = 0;
    const { server: fake, config } = await serve(() => {
      calls += 1;
      return calls <= 2
        ? refused(503, 'DEVFLEET_UNAVAILABLE')
        : calls === 3
          ? refused(429, 'SLOW')
          : stored();
    });
    const ids = await spool(2);

    const outcome = await flush(config);

    expect(sentIds(fake)).toEqual([ids[0], ids[0], ids[0], ids[0], ids[1]]);
    expect(outcome.sent.map((s) => s.reportId)).toEqual(ids);
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    const times: number[] = [];
    const { config } = await serve(() => {
      times.push(performance.now());
      return times.length === 1
        ? { ...refused(429, 'DEVFLEET_RATE_LIMITED'), headers: { 'retry-after': '1' } }
        : stored();
    });
    await spool(1);

    const outcome = await flush(config, { ...quick, retryBudgetMs: 5_000 });

    expect(outcome.sent).toHaveLength(1);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('stops when the server stays away, keeping every report for the next run', async () => {
    const { server: fake, config } = await serve(() => stored());
    await fake.close();
    server = undefined;
    const ids = await spool(3);

    const started = performance.now();
    const outcome = await flush(config, { ...quick, retryBudgetMs: 300 });

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(outcome.stoppedBy?.code).toBe('AGENT_SERVER_UNREACHABLE');
    expect(outcome.sent).toEqual([]);
    expect(outcome.pending).toBe(3);
    expect((await listSpool(home)).map((e) => e.reportId)).toEqual(ids);
  });

  it('tries each report once without a retry budget', async () => {
    const { server: fake, config } = await serve(() => refused(500, 'DEVFLEET_INTERNAL'));
    await spool(2);

    const outcome = await flush(config, { ...quick, retryBudgetMs: 0 });

    expect(fake.received).toHaveLength(1);
    expect(outcome.stoppedBy?.code).toBe('AGENT_SERVER_ERROR');
    expect(outcome.pending).toBe(2);
  });

  it('sets aside a report the server will never take and sends the next one', async () => {
    const { server: fake, config } = await serve((req) =>
      (req.body as Report).reportId === tooLarge
        ? refused(413, 'DEVFLEET_REPORT_TOO_LARGE')
        : stored(),
    );
    const [first, tooLarge, last] = await spool(3);

    const outcome = await flush(config);

    expect(sentIds(fake)).toEqual([first, tooLarge, last]);
    expect(outcome.sent.map((s) => s.reportId)).toEqual([first, last]);
    expect(outcome.rejected.map((r) => r.reportId)).toEqual([tooLarge]);
    expect(outcome.rejected[0]?.error.message).toContain('DEVFLEET_REPORT_TOO_LARGE');
    expect(existsSync(outcome.rejected[0]?.file ?? '')).toBe(true);
    expect(outcome.pending).toBe(0);
  });

  it('stops at a refused machine key and keeps the reports for after enrolling again', async () => {
    const { server: fake, config } = await serve(() =>
      refused(401, 'DEVFLEET_MACHINE_KEY_INVALID'),
    );
    await spool(3);

    const outcome = await flush(config);

    expect(fake.received).toHaveLength(1);
    expect(outcome.stoppedBy?.code).toBe('AGENT_KEY_REJECTED');
    expect(outcome.pending).toBe(3);
  });

  it('sends each report once, in order, when two flushes run at once', async () => {
    const { server: fake, config } = await serve(() => stored());
    const ids = await spool(20);

    const [a, b] = await Promise.all([flush(config), flush(config)]);

    expect(sentIds(fake)).toEqual(ids);
    expect(a.sent.length + b.sent.length).toBe(20);
  });
});
