import fs from 'node:fs';

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { Db } from '../db/client.js';
import { countOpenAlerts } from '../db/fleet-repository.js';
import { assessFleet } from '../health/machine-health.js';
import type { HealthRules } from '../health/rules-config.js';

const STATUSES = ['green', 'amber', 'red'] as const;

/**
 * The server's Prometheus metrics, in a registry of its own per app (tests build many apps in one
 * process). Counters move where things happen; fleet gauges are read from the database on scrape,
 * so they cost nothing between scrapes and are never stale.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'devfleet_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  private readonly requestSeconds = new Histogram({
    name: 'devfleet_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and method',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly reports = new Counter({
    name: 'devfleet_reports_ingested_total',
    help: 'Reports stored (a resent report id is not counted again)',
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'devfleet_webhook_deliveries_total',
    help: 'Alert notices to the webhook, by outcome once retries are over',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly attemptFailures = new Counter({
    name: 'devfleet_webhook_attempt_failures_total',
    help: 'Webhook attempts that failed (each retry counts)',
    registers: [this.registry],
  });

  constructor(db: Db, rules: HealthRules) {
    new Gauge({
      name: 'devfleet_machines',
      help: 'Enrolled machines by health status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      collect() {
        const machines = assessFleet(db, rules, Date.now());
        for (const status of STATUSES) {
          this.set({ status }, machines.filter((m) => m.status === status).length);
        }
      },
    });

    new Gauge({
      name: 'devfleet_open_alerts',
      help: 'Alerts open (neither acknowledged nor resolved)',
      registers: [this.registry],
      collect() {
        this.set(countOpenAlerts(db));
      },
    });

    new Gauge({
      name: 'devfleet_database_size_bytes',
      help: 'SQLite database size: pages in the main file plus the write-ahead log',
      registers: [this.registry],
      collect() {
        this.set(databaseSizeBytes(db));
      },
    });
  }

  /** Process metrics (CPU, memory, event loop lag): started only when /metrics is served. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'devfleet_' });
  }

  /** `route` is the pattern (`/api/v1/machines/:id`), never the URL: one series per route. */
  requestAnswered(method: string, route: string, statusCode: number, seconds: number): void {
    this.requests.inc({ method, route, status_code: String(statusCode) });
    this.requestSeconds.observe({ method, route }, seconds);
  }

  reportIngested(): void {
    this.reports.inc();
  }

  webhookAttemptFailed(): void {
    this.attemptFailures.inc();
  }

  webhookDelivery(outcome: 'delivered' | 'failed'): void {
    this.deliveries.inc({ outcome });
  }
}

/** What the database takes on disk: page_count × page_size, plus the WAL not yet checkpointed. */
export function databaseSizeBytes(db: Db): number {
  const client = db.$client;
  const pages = client.pragma('page_count', { simple: true }) as number;
  const pageSize = client.pragma('page_size', { simple: true }) as number;

  let walBytes = 0;
  if (!client.memory) {
    try {
      walBytes = fs.statSync(`${client.name}-wal`).size;
    } catch {
      // No WAL file between checkpoints (or never written): nothing to add.
    }
  }
  return pages * pageSize + walBytes;
}
