import type { Alert } from '@devfleet/wire';
import type { FastifyBaseLogger } from 'fastify';

import {
  activeAlertsFor,
  getAlert,
  type ActiveAlert,
  resolveAlertMachine,
  upsertAlert,
  type AlertInput,
} from '../db/alert-repository.js';
import { machinesWithChange, recentTransitions, type Transition } from '../db/change-repository.js';
import type { Db } from '../db/client.js';
import { machinesWithFact, sampleWindow } from '../db/series-repository.js';
import { defaultLevelShiftOptions, detectLevelShift } from '../detect/change-point.js';
import { assessFleet, type ControlMachine, type Mover } from '../detect/fleet-detector.js';
import { assessChange, type Assessment } from '../detect/machine-detector.js';
import { assessResolution } from '../detect/resolution.js';
import type { Sample } from '../detect/window.js';
import type { LiveHub } from '../live/hub.js';
import { describeChange, percent, salientChange, type FactChange } from './labels.js';
import type { WebhookNotifier } from './notifier.js';

// Windows are bounded so that the cost per report stays flat however long the history grows.
const WINDOW = 30;
const FLEET_LIMIT = 200;
const CONTROL_LOOKBACK_MS = 14 * 24 * 3600 * 1000;
const EVIDENCE_MACHINES = 12;
const END = Number.MAX_SAFE_INTEGER;
// Fleet verdicts kept at most, so a long-running server's memory stays bounded.
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
  private readonly lastFleetRun = new Map<string, { at: number; covered: boolean }>();
  /** Machine, series and change whose full after window has been assessed. */
  private readonly concluded = new Set<string>();
  /** Machines with the series their reports touched since their last detection pass. */
  private waiting = new Map<string, Set<string>>();
  /** Machines whose delay is over, run a slice at a time. */
  private due: [string, Set<string>][] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DetectionOptions) {}

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
    try {
      transitions = recentTransitions(this.options.db, machineId, 2);
      active = activeAlertsFor(this.options.db, machineId);
    } catch (error) {
      this.options.log.error({ err: error, machineId }, 'detection failed');
      return;
    }

    const [latest, previous] = transitions;
    for (const name of new Set(series)) {
      try {
        this.checkResolutions(machineId, name, active.get(name) ?? []);
        const recent = this.recentSamples(machineId, name, latest);
        if (latest) this.assessTransition(machineId, name, latest, previous?.at ?? 0, recent);
        this.checkLevelShift(machineId, name, latest, recent);
      } catch (error) {
        this.options.log.error({ err: error, machineId, series: name }, 'detection failed');
      }
    }
  }

  /**
   * The latest samples since the latest change event, enough for the level-shift test. Most
   * passes need no other read: when they outnumber the after window, the change was judged.
   */
  private recentSamples(machineId: string, series: string, latest: Transition | undefined) {
    return sampleWindow(this.options.db, machineId, series, {
      after: latest?.at ?? 0,
      until: END,
      limit: levelShiftWindow,
      take: 'last',
    });
  }

  private assessTransition(
    machineId: string,
    series: string,
    transition: Transition,
    previousAt: number,
    recent: readonly Sample[],
  ): void {
    // Once the after window is full the verdict was given: later samples belong to no change.
    // Detection passes may skip reports (a flushed spool is assessed once), so the full window
    // is assessed once here unless a pass already did.
    const key = `${machineId}|${series}|${transition.reportId}`;
    const full = recent.length > WINDOW;
    if (full && this.concluded.has(key)) return;

    const window = this.around(machineId, series, previousAt, transition.at, END);
    const before = window.before;
    let after = window.after;
    if (after.length > WINDOW) {
      this.remember(this.concluded, key);
      after = after.slice(0, WINDOW);
    }

    const change = salientChange(transition);
    if (!change) return;

    if (this.assessFleetTransition(series, change)) return;

    const assessment = assessChange(before, after);
    if (!assessment || assessment.kind === 'none') return;

    const regression = assessment.kind === 'regression';
    this.raise({
      dedupeKey: `machine|${machineId}|${series}|${transition.reportId}|${assessment.kind}`,
      scope: 'machine',
      kind: assessment.kind,
      series,
      transition: change,
      title: `${series} ${percent(assessment.effect)} after ${describeChange(change)}`,
      effect: assessment.effect,
      evidence: {
        transition: transition.changes,
        changeAt: new Date(transition.at).toISOString(),
        before: before.slice(-WINDOW),
        after,
        numbers: assessment,
      },
      machines: [member(machineId, assessment, transition.at)],
      notify: regression,
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

  /** True when a fleet alert now covers this transition and series. */
  private assessFleetTransition(series: string, change: FactChange): boolean {
    if (change.from === null || change.to === null) return false;

    const key = `${series}|${change.field}|${change.from}|${change.to}`;
    const now = Date.now();
    // Between two evaluations the last verdict stands, "not yet" included: a transition a fleet
    // alert covers must not raise one alert per machine meanwhile, and a rollout reported by
    // hundreds of machines within seconds must not re-run the pooled assessment for each.
    const last = this.lastFleetRun.get(key);
    if (last !== undefined && now - last.at < this.options.fleetIntervalMs) return last.covered;

    const covered = this.evaluateFleet(series, change);
    this.lastFleetRun.set(key, { at: now, covered });
    if (this.lastFleetRun.size > MAX_REMEMBERED) this.forgetOldVerdicts(now);
    return covered;
  }

  private forgetOldVerdicts(now: number): void {
    for (const [key, verdict] of this.lastFleetRun) {
      if (now - verdict.at >= this.options.fleetIntervalMs) this.lastFleetRun.delete(key);
    }
  }

  private evaluateFleet(series: string, change: FactChange): boolean {
    if (change.from === null) return false;
    const moved = machinesWithChange(this.options.db, change, FLEET_LIMIT);
    if (moved.length < 2) return false;
    const movers: Mover[] = moved.map(({ machineId, at }) => this.mover(machineId, series, at));

    const earliest = Math.min(...moved.map((m) => m.at));
    const moverIds = new Set(moved.map((m) => m.machineId));
    const controls: ControlMachine[] = machinesWithFact(
      this.options.db,
      change.field,
      change.from,
      FLEET_LIMIT,
    )
      .filter((id) => !moverIds.has(id))
      .map((id) => ({
        machineId: id,
        samples: sampleWindow(this.options.db, id, series, {
          after: earliest - CONTROL_LOOKBACK_MS,
          until: END,
          limit: WINDOW * 2,
          take: 'last',
        }),
      }));

    const fleet = assessFleet(movers, controls);
    if (!fleet || fleet.kind !== 'regression') return false;

    const slower = fleet.machines.filter((m) => m.assessment.effect > 0);
    const control = fleet.control
      ? `; ${fleet.control.machines} still on ${change.from}: ${percent(fleet.control.medianChange)}`
      : '';
    this.raise({
      dedupeKey: `fleet|${series}|${change.field}|${change.from}|${change.to}`,
      scope: 'fleet',
      kind: 'regression',
      series,
      transition: change,
      title: `${describeChange(change)}: ${series} ${percent(fleet.medianChange)} on ${slower.length} of ${fleet.movers} machines${control}`,
      effect: fleet.medianChange,
      evidence: {
        numbers: { ...fleet, machines: undefined },
        samples: Object.fromEntries(
          movers
            .slice(0, EVIDENCE_MACHINES)
            .map((m) => [m.machineId, { before: m.before, after: m.after }]),
        ),
        control: Object.fromEntries(
          controls.slice(0, EVIDENCE_MACHINES).map((c) => [c.machineId, c.samples]),
        ),
      },
      machines: fleet.machines.map((m) => {
        const at = moved.find((x) => x.machineId === m.machineId)?.at ?? null;
        return member(m.machineId, m.assessment, at);
      }),
      notify: true,
    });
    return true;
  }

  private mover(machineId: string, series: string, at: number): Mover {
    const transitions = recentTransitions(this.options.db, machineId, 8);
    const index = transitions.findIndex((t) => t.at === at);
    const previousAt = index >= 0 ? (transitions[index + 1]?.at ?? 0) : 0;
    const nextAt = index > 0 ? (transitions[index - 1]?.at ?? END) : END;
    const { before, after } = this.around(machineId, series, previousAt, at, nextAt);
    return { machineId, changedAt: at, before, after: after.slice(0, WINDOW) };
  }

  private around(
    machineId: string,
    series: string,
    previousAt: number,
    at: number,
    nextAt: number,
  ) {
    const db = this.options.db;
    const before = sampleWindow(db, machineId, series, {
      after: previousAt,
      until: at,
      limit: WINDOW,
      take: 'last',
    });
    const after = sampleWindow(db, machineId, series, {
      after: at,
      until: nextAt,
      limit: WINDOW + 1,
      take: 'first',
    });
    return { before, after };
  }

  private checkLevelShift(
    machineId: string,
    series: string,
    latest: Transition | undefined,
    samples: readonly Sample[],
  ): void {
    const shift = detectLevelShift(samples);
    if (!shift || shift.kind !== 'regression') return;

    this.raise({
      dedupeKey: `unattributed|${machineId}|${series}|${latest?.reportId ?? 'start'}`,
      scope: 'machine',
      kind: 'unattributed',
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
        },
      ],
      notify: true,
    });
  }

  private checkResolutions(machineId: string, series: string, active: ActiveAlert[]): void {
    const db = this.options.db;
    for (const alert of active) {
      if (alert.kind === 'improvement') continue;
      if (alert.changeAt === null) continue;

      const changeAt = alert.changeAt;
      const baseline = sampleWindow(db, machineId, series, {
        after: 0,
        until: changeAt - 1,
        limit: WINDOW,
        take: 'last',
      });
      const regressed = sampleWindow(db, machineId, series, {
        after: changeAt - 1,
        until: END,
        limit: alert.afterCount,
        take: 'first',
      });
      const lastRegressed = regressed.at(-1)?.at ?? changeAt;
      const recent = sampleWindow(db, machineId, series, {
        after: lastRegressed,
        until: END,
        limit: WINDOW,
        take: 'last',
      });

      const resolution = assessResolution(baseline, regressed, recent);
      if (!resolution?.resolved) continue;

      const closed = resolveAlertMachine(db, alert.id, machineId, Date.now());
      this.options.log.info(
        { alertId: alert.id, machineId, closed },
        'series returned to its level',
      );
      if (closed) this.announce(alert.id, 'resolved', true);
    }
  }

  private raise(input: AlertInput & { notify: boolean }): void {
    const { id, outcome } = upsertAlert(this.options.db, input, Date.now());
    if (outcome === 'unchanged') return;

    this.options.log.info({ alertId: id, outcome, series: input.series }, `alert ${outcome}`);
    this.announce(id, outcome === 'opened' ? 'opened' : 'updated', input.notify);
  }

  private announce(id: string, event: 'opened' | 'updated' | 'resolved', notify: boolean): void {
    const alert: Alert | undefined = getAlert(this.options.db, id);
    if (!alert) return;

    this.options.hub.publish({
      type: 'alert',
      alertId: id,
      status: alert.status,
      at: alert.updatedAt,
    });
    if (notify && event !== 'updated') this.options.notifier?.notify(alert, event);
  }
}

function member(machineId: string, a: Assessment, changeAt: number | null) {
  return {
    machineId,
    effect: a.effect,
    pValue: a.pValue,
    beforeCount: a.beforeCount,
    afterCount: a.afterCount,
    beforeMedianMs: a.beforeMedianMs,
    afterMedianMs: a.afterMedianMs,
    changeAt,
  };
}

export type { Sample };
