import type { Alert } from '@devfleet/wire';
import type { FastifyBaseLogger } from 'fastify';

import {
  getAlert,
  upsertAlert,
  type AlertInput,
  type UpsertOutcome,
} from '../db/alert-repository.js';
import type { Db } from '../db/client.js';
import type { Assessment } from '../detect/machine-detector.js';
import type { LiveHub } from '../live/hub.js';
import type { AlertEvent, WebhookNotifier } from './notifier.js';

export interface PublisherOptions {
  db: Db;
  hub: LiveHub;
  notifier: WebhookNotifier | null;
  log: FastifyBaseLogger;
}

/**
 * Stores alert verdicts and tells the dashboards (live events) and the webhook. Only what a
 * person must act on pages: opened or reopened regressions, and their resolution. Updates,
 * merges and improvement records reach the dashboards alone.
 */
export class AlertPublisher {
  constructor(private readonly options: PublisherOptions) {}

  raise(input: AlertInput & { notify: boolean }): { id: string; outcome: UpsertOutcome } {
    const { notify, ...alert } = input;
    const result = upsertAlert(this.options.db, alert, Date.now());
    if (result.outcome === 'unchanged') return result;

    this.options.log.info(
      { alertId: result.id, outcome: result.outcome, series: input.series },
      `alert ${result.outcome}`,
    );
    const { outcome } = result;
    const event = outcome === 'opened' || outcome === 'reopened' ? outcome : null;
    this.announce(result.id, event, notify);
    return result;
  }

  /** Publishes the alert's state; `event` also goes to the webhook when `notify`. */
  announce(id: string, event: AlertEvent | null, notify: boolean): void {
    const alert: Alert | undefined = getAlert(this.options.db, id);
    if (!alert) return;

    this.options.hub.publish({
      type: 'alert',
      alertId: id,
      status: alert.status,
      at: alert.updatedAt,
    });
    if (notify && event) this.options.notifier?.notify(alert, event);
  }
}

/** One machine's part in an alert, from its assessment. */
export function member(machineId: string, a: Assessment, changeAt: number | null) {
  return {
    machineId,
    effect: a.effect,
    pValue: a.pValue,
    beforeCount: a.beforeCount,
    afterCount: a.afterCount,
    beforeMedianMs: a.beforeMedianMs,
    afterMedianMs: a.afterMedianMs,
    changeAt,
    since: changeAt ?? 0,
  };
}
