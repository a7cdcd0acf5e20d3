import type { Alert } from '@devfleet/wire';
import { eq } from 'drizzle-orm';
import pRetry from 'p-retry';
import type { FastifyBaseLogger } from 'fastify';

import type { Db } from '../db/client.js';
import { webhookDeliveries } from '../db/schema.js';
import type { Metrics } from '../metrics/metrics.js';

export type WebhookFormat = 'slack' | 'json';

export interface NotifierOptions {
  url: string;
  format: WebhookFormat;
  retries: number;
  /** Smallest wait between attempts; grows by 2× with jitter (p-retry's backoff). */
  minTimeoutMs: number;
  dashboardUrl: string | null;
  metrics?: Pick<Metrics, 'webhookDelivery' | 'webhookAttemptFailed'>;
}

/**
 * Delivers alert events to one webhook. `notify` only queues and returns: ingestion never waits
 * on a chat service. Each delivery is a row, updated per attempt, so a lost notice is visible.
 */
export class WebhookNotifier {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly db: Db,
    private readonly options: NotifierOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  notify(alert: Alert, event: 'opened' | 'resolved'): void {
    const now = Date.now();
    const row = this.db
      .insert(webhookDeliveries)
      .values({
        alertId: alert.id,
        event,
        format: this.options.format,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: webhookDeliveries.id })
      .get();

    this.pending += 1;
    this.queue = this.queue
      .then(() => this.deliver(row.id, alert, event))
      .finally(() => (this.pending -= 1));
  }

  /** Resolves when every queued delivery has succeeded or given up (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }

  private async deliver(id: number, alert: Alert, event: 'opened' | 'resolved'): Promise<void> {
    const body = JSON.stringify(webhookPayload(alert, event, this.options));
    let attempts = 0;

    try {
      await pRetry(
        async () => {
          attempts += 1;
          const res = await fetch(this.options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          if (!res.ok) throw new Error(`webhook answered ${res.status}`);
        },
        {
          retries: this.options.retries,
          minTimeout: this.options.minTimeoutMs,
          factor: 2,
          randomize: true,
          onFailedAttempt: ({ error }) => {
            this.options.metrics?.webhookAttemptFailed();
            this.record(id, 'pending', attempts, error.message);
          },
        },
      );
      this.record(id, 'delivered', attempts, null);
      this.options.metrics?.webhookDelivery('delivered');
    } catch (error) {
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
  ) {
    this.db
      .update(webhookDeliveries)
      .set({ status, attempts, lastError, updatedAt: Date.now() })
      .where(eq(webhookDeliveries.id, id))
      .run();
  }
}

/** Slack's incoming-webhook shape (`text`, which Teams and Mattermost also take) or the alert. */
export function webhookPayload(
  alert: Alert,
  event: 'opened' | 'resolved',
  options: Pick<NotifierOptions, 'format' | 'dashboardUrl'>,
): Record<string, unknown> {
  const link = options.dashboardUrl ? `${options.dashboardUrl}/#/alerts/${alert.id}` : null;

  if (options.format === 'json') return { event, alert, link };

  // Titles, series and host names come from laptops: escape them so that a reported value
  // cannot become a Slack link or mention.
  const prefix = event === 'opened' ? ':warning: devfleet' : ':white_check_mark: devfleet resolved';
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
