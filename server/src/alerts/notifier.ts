import type { Alert } from '@devfleet/wire';
import { eq } from 'drizzle-orm';
import pRetry from 'p-retry';
import type { FastifyBaseLogger } from 'fastify';

import { getAlert } from '../db/alert-repository.js';
import type { Db } from '../db/client.js';
import { webhookDeliveries } from '../db/schema.js';
import type { Metrics } from '../metrics/metrics.js';

export type WebhookFormat = 'slack' | 'json';

/** What a webhook is told about an alert. */
export type AlertEvent = 'opened' | 'reopened' | 'resolved';

export interface NotifierOptions {
  url: string;
  format: WebhookFormat;
  retries: number;
  /** Smallest wait between attempts; grows by 2× with jitter (p-retry's backoff). */
  minTimeoutMs: number;
  /** How long one attempt may take before it counts as failed (a hanging endpoint). */
  attemptTimeoutMs?: number;
  /** Deliveries in flight at once; each alert's own deliveries still go in order. */
  concurrency?: number;
  /** Deliveries left pending by a shutdown are resumed at start when younger than this. */
  resumeWithinMs?: number;
  dashboardUrl: string | null;
  metrics?: Pick<Metrics, 'webhookDelivery' | 'webhookAttemptFailed'>;
}

const ATTEMPT_TIMEOUT_MS = 5_000;
const CONCURRENCY = 4;
const RESUME_WITHIN_MS = 24 * 3600 * 1000;
const INTERRUPTED = 'interrupted by shutdown; resumed at the next start';

interface Delivery {
  id: number;
  alert: Alert;
  event: AlertEvent;
}

/**
 * Delivers alert events to one webhook. `notify` only queues and returns: ingestion never waits
 * on a chat service. Each delivery is a row, updated per attempt, so a lost notice is visible.
 * Deliveries run side by side (a few at a time), each with its own retries and a timeout per
 * attempt, so one alert's retries never hold back the next alert's notice; the events of one
 * alert keep their order (opened before resolved). `stop` ends everything in flight without
 * touching the database afterwards; what could not finish stays pending and is resumed by the next
 * notifier built on the same database.
 */
export class WebhookNotifier {
  private readonly waiting: Delivery[] = [];
  /** Alerts with a delivery in flight: their next event waits its turn. */
  private readonly busyAlerts = new Set<string>();
  private inFlight = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly options: NotifierOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.resume();
  }

  /**
   * Queues a delivery. After `stop` (detection still flushing while the app closes) the row is
   * only stored, pending, for the next start to send.
   */
  notify(alert: Alert, event: AlertEvent): void {
    const now = Date.now();
    const row = this.db
      .insert(webhookDeliveries)
      .values({
        alertId: alert.id,
        event,
        format: this.options.format,
        status: 'pending',
        attempts: 0,
        lastError: this.stopped ? INTERRUPTED : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: webhookDeliveries.id })
      .get();
    if (this.stopped) return;

    this.waiting.push({ id: row.id, alert, event });
    this.pump();
  }

  /** Resolves when every queued delivery has succeeded or given up (for tests and shutdown). */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Cancels every delivery in flight or waiting for a retry and accepts no more; call it before
   * the database closes. Their rows stay pending with the reason, and the next start resumes
   * them. Nothing is written after this returns.
   */
  stop(): void {
    if (this.stopped) return;
    const unfinished = this.busyAlerts.size + this.waiting.length;
    this.stopped = true;
    this.abort.abort(new Error(INTERRUPTED));
    this.db
      .update(webhookDeliveries)
      .set({ lastError: INTERRUPTED, updatedAt: Date.now() })
      .where(eq(webhookDeliveries.status, 'pending'))
      .run();
    if (unfinished > 0)
      this.log.info({ deliveries: unfinished }, 'webhook deliveries left pending');
    this.waiting.length = 0;
    this.wakeIdle();
  }

  /** Deliveries a previous run left pending: resent if recent, failed if too old to matter. */
  private resume(): void {
    const now = Date.now();
    const since = now - (this.options.resumeWithinMs ?? RESUME_WITHIN_MS);
    const pending = this.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.status, 'pending'))
      .all();
    for (const row of pending) {
      const alert = row.createdAt >= since ? getAlert(this.db, row.alertId) : undefined;
      if (!alert || !isAlertEvent(row.event)) {
        this.db
          .update(webhookDeliveries)
          .set({ status: 'failed', lastError: 'too old to resend after a restart', updatedAt: now })
          .where(eq(webhookDeliveries.id, row.id))
          .run();
        continue;
      }
      this.waiting.push({ id: row.id, alert, event: row.event });
    }
    if (pending.length > 0)
      this.log.info({ deliveries: this.waiting.length }, 'webhook deliveries resumed');
    this.pump();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? CONCURRENCY;
    for (let i = 0; i < this.waiting.length && this.inFlight < concurrency;) {
      const next = this.waiting[i] as Delivery;
      if (this.busyAlerts.has(next.alert.id)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.busyAlerts.add(next.alert.id);
      this.inFlight += 1;
      void this.deliver(next).finally(() => {
        this.inFlight -= 1;
        this.busyAlerts.delete(next.alert.id);
        if (this.stopped) return this.wakeIdle();
        this.pump();
        if (this.isIdle()) this.wakeIdle();
      });
    }
  }

  private async deliver({ id, alert, event }: Delivery): Promise<void> {
    const body = JSON.stringify(webhookPayload(alert, event, this.options));
    const timeout = this.options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
    let attempts = 0;

    try {
      await pRetry(
        async () => {
          attempts += 1;
          const res = await fetch(this.options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeout)]),
          });
          if (!res.ok) throw new Error(`webhook answered ${res.status}`);
        },
        {
          retries: this.options.retries,
          minTimeout: this.options.minTimeoutMs,
          factor: 2,
          randomize: true,
          signal: this.abort.signal,
          onFailedAttempt: ({ error }) => {
            if (this.stopped) return;
            this.options.metrics?.webhookAttemptFailed();
            this.record(id, 'pending', attempts, error.message);
          },
        },
      );
      this.record(id, 'delivered', attempts, null);
      this.options.metrics?.webhookDelivery('delivered');
    } catch (error) {
      // Stopped: the row stays pending for the next start, and the database may be closed.
      if (this.stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      this.record(id, 'failed', attempts, message);
      this.options.metrics?.webhookDelivery('failed');
      this.log.warn(
        { alertId: alert.id, deliveryId: id, attempts, err: message },
        'webhook failed',
      );
    }
  }

  private record(
    id: number,
    status: 'pending' | 'delivered' | 'failed',
    attempts: number,
    lastError: string | null,
  ): void {
    if (this.stopped) return;
    this.db
      .update(webhookDeliveries)
      .set({ status, attempts, lastError, updatedAt: Date.now() })
      .where(eq(webhookDeliveries.id, id))
      .run();
  }

  private isIdle(): boolean {
    return this.stopped || (this.inFlight === 0 && this.waiting.length === 0);
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function isAlertEvent(event: string): event is AlertEvent {
  return event === 'opened' || event === 'reopened' || event === 'resolved';
}

const prefixes: Record<AlertEvent, string> = {
  opened: ':warning: devfleet',
  reopened: ':warning: devfleet again',
  resolved: ':white_check_mark: devfleet resolved',
};

/** Slack's incoming-webhook shape (`text`, which Teams and Mattermost also take) or the alert. */
export function webhookPayload(
  alert: Alert,
  event: AlertEvent,
  options: Pick<NotifierOptions, 'format' | 'dashboardUrl'>,
): Record<string, unknown> {
  const link = options.dashboardUrl ? `${options.dashboardUrl}/#/alerts/${alert.id}` : null;

  if (options.format === 'json') return { event, alert, link };

  // Titles, series and host names come from laptops: escape them so that a reported value
  // cannot become a Slack link or mention.
  const prefix = prefixes[event];
  const title = slackEscape(alert.title);
  const machines = slackEscape(alert.machines.map((m) => m.hostname).join(', '));
  const series = slackEscape(alert.series);
  return {
    text: `${prefix}: ${title}${link ? ` <${link}|open>` : ''}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${prefix}*: ${title}` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `series ${series} · machines: ${machines}` }],
      },
    ],
  };
}

function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
