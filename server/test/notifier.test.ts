import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { Alert } from '@devfleet/wire';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { WebhookNotifier, type NotifierOptions } from '../src/alerts/notifier.js';
import { getAlert, upsertAlert } from '../src/db/alert-repository.js';
import { closeDatabase, openDatabase, type Db } from '../src/db/client.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real SQLite file with real migrations, removed after the test. */
function database(): { db: Db; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-notifier-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'devfleet.db');
  return { db: openDatabase(file), file };
}

/** A webhook that answers with `answer(alert id)`; `'hang'` never answers. */
async function webhook(answer: (alertId: string) => number | 'hang') {
  const received: string[] = [];
  const hanging: http.ServerResponse[] = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const alertId = (JSON.parse(body) as { alert: { id: string } }).alert.id;
      const status = answer(alertId);
      if (status === 'hang') return hanging.push(res);
      if (status === 200) received.push(alertId);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        hook.closeAllConnections();
        hook.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, received };
}

function notifierOptions(url: string, overrides: Partial<NotifierOptions> = {}): NotifierOptions {
  return { url, format: 'json', retries: 3, minTimeoutMs: 20, dashboardUrl: null, ...overrides };
}

function storedAlert(db: Db, key: string): Alert {
  const { id } = upsertAlert(
    db,
    {
      dedupeKey: `test-${key}`,
      scope: 'fleet',
      kind: 'regression',
      series: 'bench.build.cold',
      transition: { field: 'desktopVersion', from: '4.36.0', to: '4.37.1' },
      title: `bench.build.cold slower (${key})`,
      effect: 0.4,
      evidence: {},
      machines: [],
    },
    Date.now(),
  );
  const alert = getAlert(db, id);
  if (!alert) throw new Error('alert not stored');
  return alert;
}

function deliveries(
  db: Db,
): { alertId: string; status: string; attempts: number; lastError: string | null }[] {
  return db.$client
    .prepare(
      'select alert_id as alertId, status, attempts, last_error as lastError from webhook_deliveries order by id',
    )
    .all() as { alertId: string; status: string; attempts: number; lastError: string | null }[];
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WebhookNotifier', () => {
  it('leaves a delivery pending and writes nothing once stopped while a retry waits', async () => {
    const { url } = await webhook(() => 503);
    const { db, file } = database();
    const notifier = new WebhookNotifier(db, notifierOptions(url, { minTimeoutMs: 200 }), log);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => void process.off('unhandledRejection', onUnhandled));

    notifier.notify(storedAlert(db, 'a'), 'opened');
    await until(() => deliveries(db)[0]?.attempts === 1);
    notifier.stop();
    closeDatabase(db);
    // Past the retry the stopped notifier had scheduled.
    await new Promise((resolve) => setTimeout(resolve, 600));

    expect(unhandled).toEqual([]);
    const reopened = openDatabase(file);
    cleanups.push(() => closeDatabase(reopened));
    expect(deliveries(reopened)).toEqual([
      expect.objectContaining({
        status: 'pending',
        lastError: expect.stringContaining('shutdown'),
      }),
    ]);
  });

  it('resumes the deliveries a stopped server left pending', async () => {
    const hook = await webhook(() => 503);
    const { db } = database();
    cleanups.push(() => closeDatabase(db));
    const first = new WebhookNotifier(db, notifierOptions(hook.url, { minTimeoutMs: 1000 }), log);
    const alert = storedAlert(db, 'b');
    first.notify(alert, 'opened');
    await until(() => deliveries(db)[0]?.attempts === 1);
    first.stop();

    const working = await webhook(() => 200);
    const second = new WebhookNotifier(db, notifierOptions(working.url), log);
    await second.drain();

    expect(working.received).toEqual([alert.id]);
    expect(deliveries(db)).toEqual([expect.objectContaining({ status: 'delivered' })]);
  });

  it('does not hold a later alert back behind one whose endpoint hangs', async () => {
    const { db } = database();
    cleanups.push(() => closeDatabase(db));
    const slow = storedAlert(db, 'slow');
    const hook = await webhook((id) => (id === slow.id ? 'hang' : 200));
    const notifier = new WebhookNotifier(
      db,
      notifierOptions(hook.url, { attemptTimeoutMs: 300, retries: 5, minTimeoutMs: 200 }),
      log,
    );
    cleanups.push(() => notifier.stop());
    const fast = storedAlert(db, 'fast');

    notifier.notify(slow, 'opened');
    notifier.notify(fast, 'opened');
    await until(() => hook.received.length === 1, 1000);

    expect(hook.received).toEqual([fast.id]);
    expect(deliveries(db).map((d) => d.status)).toEqual(['pending', 'delivered']);
  });

  it('gives up on an endpoint that hangs after a timeout per attempt', async () => {
    const { db } = database();
    cleanups.push(() => closeDatabase(db));
    const hook = await webhook(() => 'hang');
    const notifier = new WebhookNotifier(
      db,
      notifierOptions(hook.url, { attemptTimeoutMs: 100, retries: 1, minTimeoutMs: 10 }),
      log,
    );

    notifier.notify(storedAlert(db, 'c'), 'opened');
    const started = Date.now();
    await notifier.drain();

    expect(Date.now() - started).toBeLessThan(2000);
    expect(deliveries(db)).toEqual([expect.objectContaining({ status: 'failed', attempts: 2 })]);
  });

  it('sends the events of one alert in order', async () => {
    const { db } = database();
    cleanups.push(() => closeDatabase(db));
    const order: string[] = [];
    let calls = 0;
    const hook = await webhook(() => (calls++ === 0 ? 503 : 200));
    const notifier = new WebhookNotifier(db, notifierOptions(hook.url), log);
    const alert = storedAlert(db, 'd');
    const original = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      order.push((JSON.parse(String(init?.body)) as { event: string }).event);
      return original(input, init);
    };
    cleanups.push(() => void (globalThis.fetch = original));

    notifier.notify(alert, 'opened');
    notifier.notify(alert, 'resolved');
    await notifier.drain();

    // The first attempt of "opened" fails and is retried before "resolved" is sent.
    expect(order).toEqual(['opened', 'opened', 'resolved']);
    expect(hook.received).toEqual([alert.id, alert.id]);
  });
});
