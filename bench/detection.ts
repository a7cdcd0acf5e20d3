/**
 * The per-report cost of detection as history grows: one machine reporting hourly with a full
 * set of benchmarks (12 series), a Docker Desktop upgrade early on (a transition to assess),
 * and Detection.afterReport timed over the next reports at 1 week and at 1 year of history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { FastifyBaseLogger } from 'fastify';

import { hashMachineKey } from '../server/src/auth/keys.js';
import { Detection } from '../server/src/alerts/detection.js';
import { closeDatabase, openDatabase, type Db } from '../server/src/db/client.js';
import { createMachine } from '../server/src/db/machine-repository.js';
import { recordReport } from '../server/src/db/report-repository.js';
import { LiveHub } from '../server/src/live/hub.js';
import { check, percentile, type BenchOptions, type Figure } from './lib/figures.js';
import { benchReport, fleetMachine, seeded } from './lib/reports.js';

const HOUR = 3_600_000;

export async function runDetection(options: BenchOptions): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-detection-'));
  const db = openDatabase(path.join(dir, 'devfleet.db'));
  const measured = options.quick ? 20 : 200;
  const long = options.quick ? 30 * 24 : 365 * 24;

  try {
    const history = new History(db);
    history.grow(7 * 24);
    const week = history.measure(measured);
    options.log(`  detection at 1 week: median ${week.median.toFixed(2)} ms`);
    history.grow(long - history.reports);
    const year = history.measure(measured);
    options.log(`  detection at ${long / 24} days: median ${year.median.toFixed(2)} ms`);

    const label = options.quick ? '30 days' : '1 year';
    const ratio = year.median / week.median;
    return [
      {
        area: 'detection',
        name: `Detection.afterReport per report (12 series), 1 week vs ${label} of hourly history`,
        measured: `median ${week.median.toFixed(2)} ms vs ${year.median.toFixed(2)} ms (p95 ${week.p95.toFixed(2)} vs ${year.p95.toFixed(2)} ms): ×${ratio.toFixed(2)}`,
        target: 'does not grow with history',
        // "Does not grow": within 25% either way, which is the run-to-run noise of this machine.
        met: check(options.quick, ratio <= 1.25),
      },
    ];
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

class History {
  reports = 0;
  private readonly machine = fleetMachine(0);
  private readonly id = 'bench-detection-machine';
  private readonly rand = seeded(5);
  private readonly start = Date.now() - 400 * 24 * HOUR;
  private readonly detection: Detection;

  constructor(private readonly db: Db) {
    createMachine(db, {
      id: this.id,
      keyHash: hashMachineKey(this.machine.key),
      hostname: this.machine.hostname,
      owner: this.machine.owner,
      enrolledAt: this.start - HOUR,
    });
    this.detection = new Detection({
      db,
      hub: new LiveHub(),
      notifier: null,
      log: silentLogger(),
      fleetIntervalMs: 30_000,
      delayMs: 0,
    });
  }

  grow(count: number): void {
    for (let i = 0; i < count; i++) this.next();
  }

  /** Milliseconds of detection for each of the next `count` reports. */
  measure(count: number): { median: number; p95: number } {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const series = this.next();
      const started = performance.now();
      this.detection.afterReport(this.id, series);
      times.push(performance.now() - started);
    }
    return { median: percentile(times, 50), p95: percentile(times, 95) };
  }

  private next(): string[] {
    const at = this.start + this.reports * HOUR;
    // The upgrade after three days gives detection a transition; its verdict then stands.
    const desktopVersion = this.reports < 72 ? '4.36.0' : '4.37.1';
    const report = benchReport(this.machine, `det-${this.reports}`, at, this.rand, {
      benchmarks: 'full',
      desktopVersion,
    });
    this.reports += 1;
    return recordReport(this.db, this.id, report, at + 1000).series;
  }
}

function silentLogger(): FastifyBaseLogger {
  const noop = () => undefined;
  const log = {
    level: 'silent',
    fatal: noop,
    error: noop,
    warn: noop,
    info: noop,
    debug: noop,
    trace: noop,
    silent: noop,
    child: () => log,
  };
  return log as unknown as FastifyBaseLogger;
}
