import type { FastifyBaseLogger } from 'fastify';

import {
  activeAlertsFor,
  latestRecoveries,
  recordImprovement,
  resolveAlertMachine,
  type ActiveAlert,
} from '../db/alert-repository.js';
import { recentTransitions, type Transition } from '../db/change-repository.js';
import type { Db } from '../db/client.js';
import { recentTails, sampleWindow } from '../db/series-repository.js';
import { attributeShift, type Attribution, type Candidate } from '../detect/attribution.js';
import { defaultLevelShiftOptions, detectLevelShift } from '../detect/change-point.js';
import { defaultResolutionOptions, assessResolution } from '../detect/resolution.js';
import type { Sample } from '../detect/window.js';
import type { LiveHub } from '../live/hub.js';
import { FleetAlerts } from './fleet-alerts.js';
import { describeChange, percent, salientChange, transitionAffectsBuilds } from './labels.js';
import type { WebhookNotifier } from './notifier.js';
import { AlertPublisher, member } from './publisher.js';

// Windows are bounded so that the cost per report stays flat however long the history grows.
const WINDOW = 30;
// One read per series and pass: enough for a full after window and a full before window, which
// also holds the level-shift window and the latest run the resolution judges.
const TAIL = 2 * WINDOW + 1;
// The samples an alert was raised on that stand for the level it changed to: the first few after
// the change. Alerts raised before this cap counted every sample after the change, recovered or
// not, and those from after a recovery would hide it.
const REGRESSED_WINDOW = 12;
// Change events whose after window is still open that compete to explain a shift.
const MAX_CANDIDATES = 3;
// Transitions read per machine and pass; inert ones (a CLI update) are skipped over.
const TRANSITIONS = 8;
const END = Number.MAX_SAFE_INTEGER;
// Verdicts remembered at most, so a long-running server's memory stays bounded.
const MAX_REMEMBERED = 10_000;
const levelShiftWindow =
  defaultLevelShiftOptions.maxBaseline +
  defaultLevelShiftOptions.gap +
  defaultLevelShiftOptions.recent +
  defaultLevelShiftOptions.confirm;

export interface DetectionOptions {
  db: Db;
  hub: LiveHub;
  notifier: WebhookNotifier | null;
  log: FastifyBaseLogger;
  /** Least time between two fleet evaluations of one transition and series. */
  fleetIntervalMs: number;
  /** How long a machine's reports gather before one detection pass covers them all. */
  delayMs: number;
}

// One pass over waiting machines yields to the event loop after this long, so requests that
// arrive meanwhile are not held behind a long queue of detection work.
const SLICE_MS = 10;

/**
 * Runs the detectors over the series a report touched, after it committed, and keeps alerts in
 * step: opens, updates, resolves, notifies. Pure statistics live in ../detect; this is the glue.
 */
export class Detection {
  private readonly publisher: AlertPublisher;
  private readonly fleet: FleetAlerts;
  /** Machine, series and change whose full after window has been assessed. */
  private readonly concluded = new Set<string>();
  /** Machines with the series their reports touched since their last detection pass. */
  private waiting = new Map<string, Set<string>>();
  /** Machines whose delay is over, run a slice at a time. */
  private due: [string, Set<string>][] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DetectionOptions) {
    this.publisher = new AlertPublisher(options);
    this.fleet = new FleetAlerts(options.db, this.publisher, options.fleetIntervalMs);
  }

  /**
   * Queues detection for the series a stored report touched. Reports of one machine that
   * arrive within the delay (a spool flushed after an outage, a machine reporting in a loop)
   * get one pass over the latest samples, which is the verdict each would have led to: the
   * detectors read windows of the stored series, not the report.
   */
  schedule(machineId: string, series: readonly string[]): void {
    let names = this.waiting.get(machineId);
    if (!names) {
      names = new Set();
      this.waiting.set(machineId, names);
    }
    for (const name of series) names.add(name);
    this.timer ??= setTimeout(() => this.release(), this.options.delayMs).unref();
  }

  /** Resolves once no detection waits to run: for shutdown and for tests. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Runs what waits now, for at most `budgetMs` (shutdown). What is left is no loss: detection
   * reads stored samples, so a machine's next report covers it.
   */
  flush(budgetMs: number): number {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = [...this.due, ...this.waiting];
    this.due = [];
    this.waiting = new Map();

    const started = performance.now();
    let done = 0;
    for (const [machineId, series] of pending) {
      if (performance.now() - started > budgetMs) break;
      this.afterReport(machineId, [...series]);
      done++;
    }
    this.wakeIdle();
    return pending.length - done;
  }

  /**
   * The delay is over for every machine waiting now; those that report again meanwhile wait for
   * the next one, so a steady stream of reports is still assessed once a delay per machine.
   */
  private release(): void {
    this.timer = null;
    this.due.push(...this.waiting);
    this.waiting = new Map();
    this.runSlice();
  }

  private runSlice(): void {
    this.running = false;
    const started = performance.now();
    let next;
    while ((next = this.due.shift())) {
      this.afterReport(next[0], [...next[1]]);
      if (performance.now() - started > SLICE_MS) break;
    }

    if (this.due.length > 0) {
      this.running = true;
      setImmediate(() => this.runSlice());
    } else if (this.isIdle()) {
      this.wakeIdle();
    }
  }

  private isIdle(): boolean {
    return this.waiting.size === 0 && this.due.length === 0 && !this.timer && !this.running;
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Never throws: a detector bug must not turn an accepted report into an error. */
  afterReport(machineId: string, series: readonly string[]): void {
    let transitions: Transition[];
    let active: Map<string, ActiveAlert[]>;
    let recoveries: Map<string, number>;
    let tails: Map<string, Sample[]>;
    try {
      // Changes no build can feel (a CLI update) neither start nor end a window.
      transitions = recentTransitions(this.options.db, machineId, TRANSITIONS).filter(
        transitionAffectsBuilds,
      );
      active = activeAlertsFor(this.options.db, machineId);
      recoveries = latestRecoveries(this.options.db, machineId);
      tails = recentTails(this.options.db, machineId, series, TAIL);
    } catch (error) {
      this.options.log.error({ err: error, machineId }, 'detection failed');
      return;
    }

    for (const name of new Set(series)) {
      try {
        const tail = tails.get(name) ?? [];
        const recovered = this.checkResolutions(machineId, name, active.get(name) ?? [], tail);
        this.assessTransitions(machineId, name, transitions, tail);
        const since = Math.max(recoveries.get(name) ?? 0, recovered);
        this.checkLevelShift(machineId, name, transitions[0], tail, since);
      } catch (error) {
        this.options.log.error({ err: error, machineId, series: name }, 'detection failed');
      }
    }
  }

  /**
   * Assesses the latest change events whose after window is still open (at most a few), and
   * raises the shift on the one that explains it best. Once a change's after window is full its
   * verdict was given: it is judged once more with the full window (passes may skip reports: a
   * flushed spool is assessed once) and then left alone.
   */
  private assessTransitions(
    machineId: string,
    series: string,
    transitions: readonly Transition[],
    tail: readonly Sample[],
  ): void {
    const open: { transition: Transition; candidate: Candidate }[] = [];
    for (let i = 0; i < transitions.length && open.length < MAX_CANDIDATES; i++) {
      const transition = transitions[i] as Transition;
      const afterCount = countFrom(tail, transition.at);
      // Older than the tail holds: judged long ago.
      if (afterCount >= tail.length && tail.length === TAIL) break;

      const key = `${machineId}|${series}|${transition.reportId}`;
      if (afterCount > WINDOW) {
        if (this.concluded.has(key)) continue;
        this.remember(this.concluded, key);
      }
      open.push({
        transition,
        candidate: { at: transition.at, previousAt: transitions[i + 1]?.at ?? 0 },
      });
    }
    if (open.length === 0) return;

    const covered = open.map(({ transition }) => {
      const change = salientChange(transition);
      return change ? this.fleet.covers(series, change, machineId) : false;
    });
    const found = attributeShift(
      tail,
      open.map((o) => o.candidate),
    );
    for (const attribution of [found.regression, found.improvement]) {
      if (!attribution || covered[attribution.index]) continue;
      const transition = open[attribution.index]?.transition;
      if (transition) this.raiseAttributed(machineId, series, transition, attribution);
    }
  }

  private raiseAttributed(
    machineId: string,
    series: string,
    transition: Transition,
    attribution: Attribution,
  ): void {
    const change = salientChange(transition);
    if (!change) return;

    const { assessment } = attribution;
    const kind = assessment.kind === 'improvement' ? 'improvement' : 'regression';
    this.publisher.raise({
      dedupeKey: `machine|${machineId}|${series}|${transition.reportId}|${kind}`,
      scope: 'machine',
      kind,
      series,
      transition: change,
      title: `${series} ${percent(assessment.effect)} after ${describeChange(change)}`,
      effect: assessment.effect,
      evidence: {
        transition: transition.changes,
        changeAt: new Date(transition.at).toISOString(),
        before: attribution.before,
        after: attribution.after,
        numbers: assessment,
      },
      machines: [member(machineId, assessment, transition.at)],
      notify: kind === 'regression',
      // An improvement is news, not work: kept for the record, nobody paged.
      recorded: kind === 'improvement',
    });
  }

  private remember(memo: Set<string>, key: string): void {
    memo.add(key);
    if (memo.size <= MAX_REMEMBERED) return;
    // Sets keep insertion order: the oldest verdicts go first.
    for (const old of memo) {
      memo.delete(old);
      if (memo.size <= MAX_REMEMBERED / 2) break;
    }
  }

  /**
   * Looks for a shift no change explains, in the samples since the latest change that can affect
   * builds and since the series last came back from an alert (the slow stretch before is no
   * baseline for the next one).
   */
  private checkLevelShift(
    machineId: string,
    series: string,
    latest: Transition | undefined,
    tail: readonly Sample[],
    recoveredAt: number,
  ): void {
    const start = Math.max(latest?.at ?? 0, recoveredAt);
    const samples = tail.filter((s) => s.at >= start).slice(-levelShiftWindow);
    const shift = detectLevelShift(samples);
    if (!shift) return;

    const regression = shift.kind === 'regression';
    const reference = latest?.reportId ?? 'start';
    this.publisher.raise({
      dedupeKey: `unattributed|${machineId}|${series}|${reference}${regression ? '' : '|improvement'}`,
      scope: 'machine',
      kind: regression ? 'unattributed' : 'improvement',
      series,
      transition: null,
      title: `${series} ${percent(shift.effect)} with no recorded environment change`,
      effect: shift.effect,
      evidence: { since: new Date(shift.since).toISOString(), samples, numbers: shift },
      machines: [
        {
          machineId,
          effect: shift.effect,
          pValue: shift.pValue,
          beforeCount: shift.baselineCount,
          afterCount: shift.recentCount,
          beforeMedianMs: shift.baselineMedianMs,
          afterMedianMs: shift.recentMedianMs,
          changeAt: shift.since,
          since: shift.since,
        },
      ],
      notify: regression,
      recorded: !regression,
    });
  }

  /**
   * Closes this machine's part in its alerts on the series once the latest run of samples is
   * back at the level before the change and clearly off the level the alert was raised on.
   * Returns when the latest recovery began (sample time), 0 when none did.
   */
  private checkResolutions(
    machineId: string,
    series: string,
    active: readonly ActiveAlert[],
    tail: readonly Sample[],
  ): number {
    const db = this.options.db;
    let recoveredAt = 0;
    for (const alert of active) {
      if (alert.kind === 'improvement') {
        // Improvements raised before they were kept as records: close them as such.
        if (recordImprovement(db, alert.id, Date.now()))
          this.publisher.announce(alert.id, null, false);
        continue;
      }
      if (alert.changeAt === null) continue;

      const resolution = this.assessAlert(machineId, series, alert, alert.changeAt, tail);
      if (!resolution?.resolved) continue;

      const closed = resolveAlertMachine(db, alert.id, machineId, {
        recoveredAt: resolution.since,
        now: Date.now(),
      });
      recoveredAt = Math.max(recoveredAt, resolution.since);
      this.options.log.info(
        { alertId: alert.id, machineId, closed },
        'series returned to its level',
      );
      if (closed) this.publisher.announce(alert.id, 'resolved', true);
    }
    return recoveredAt;
  }

  /**
   * The baseline is what the detector compared with: samples before the change (before the
   * skipped gap, for a shift no event explains); the regressed samples are those the alert was
   * raised on, never the latest run, which is judged against both.
   */
  private assessAlert(
    machineId: string,
    series: string,
    alert: ActiveAlert,
    changeAt: number,
    tail: readonly Sample[],
  ) {
    const db = this.options.db;
    const gap = alert.kind === 'unattributed' ? defaultLevelShiftOptions.gap : 0;
    const baseline = sampleWindow(db, machineId, series, {
      after: -1,
      until: changeAt - 1,
      limit: WINDOW + gap,
      take: 'last',
    }).slice(0, gap > 0 ? -gap : undefined);
    const recent = tail.filter((s) => s.at >= changeAt).slice(-defaultResolutionOptions.maxRecent);
    const firstRecent = recent[0]?.at ?? END;
    const regressed = sampleWindow(db, machineId, series, {
      after: changeAt - 1,
      until: END,
      limit: Math.min(Math.max(alert.afterCount, 1), REGRESSED_WINDOW),
      take: 'first',
    }).filter((s) => s.at < firstRecent);
    return assessResolution(baseline, regressed, recent);
  }
}

/** How many of `samples` (in time order) were measured at or after `at`. */
function countFrom(samples: readonly Sample[], at: number): number {
  let count = 0;
  for (let i = samples.length - 1; i >= 0 && (samples[i]?.at ?? 0) >= at; i--) count++;
  return count;
}

export type { Sample };
