import { alertByKey, mergeIntoFleetAlert } from '../db/alert-repository.js';
import { listFleetChanges, machinesWithChange } from '../db/change-repository.js';
import type { Db } from '../db/client.js';
import { machinesWithFact, sampleWindow } from '../db/series-repository.js';
import {
  assessFleet,
  fleetMembers,
  type ControlMachine,
  type FleetAssessment,
  type Mover,
} from '../detect/fleet-detector.js';
import { defaultAssessOptions } from '../detect/machine-detector.js';
import { affectsBuilds, describeChange, percent, type FactChange } from './labels.js';
import { member, type AlertPublisher } from './publisher.js';

const WINDOW = 30;
const MIN_BEFORE = defaultAssessOptions.minBefore;
const FLEET_LIMIT = 200;
const CONTROL_LOOKBACK_MS = 14 * 24 * 3600 * 1000;
const EVIDENCE_MACHINES = 12;
const END = Number.MAX_SAFE_INTEGER;
// Change rows read before a mover's change to find the one that starts its before window.
const BOUND_ROWS = 50;
// Verdicts and bounds kept at most, so a long-running server's memory stays bounded.
const MAX_REMEMBERED = 10_000;

/** Which machines a fleet alert for a transition and series speaks for. */
interface Cover {
  /** An open or acknowledged fleet alert speaks for every machine that made the transition. */
  active: boolean;
  /** A resolved one only for its own machines: later movers are judged afresh. */
  machines: ReadonlySet<string>;
}

const none: Cover = { active: false, machines: new Set() };

/**
 * Pools the machines that made the same transition (fleet alerts) and says which machines a fleet
 * alert covers, so that the machine detector stays quiet for them: one alert per transition and
 * series. Verdicts are kept for `intervalMs`, so that a rollout reported by hundreds of machines
 * within seconds does not re-run the pooled assessment for each.
 */
export class FleetAlerts {
  private readonly verdicts = new Map<string, { at: number; cover: Cover }>();
  private readonly bounds = new Map<string, { at: number; previous: number }>();

  constructor(
    private readonly db: Db,
    private readonly publisher: AlertPublisher,
    private readonly intervalMs: number,
  ) {}

  /** True when a fleet alert for this transition and series speaks for this machine. */
  covers(series: string, change: FactChange, machineId: string): boolean {
    if (change.from === null || change.to === null) return false;

    const key = fleetKey(series, change);
    const now = Date.now();
    let verdict = this.verdicts.get(key);
    if (!verdict || now - verdict.at >= this.intervalMs) {
      verdict = { at: now, cover: this.evaluate(series, change) };
      this.verdicts.set(key, verdict);
      if (this.verdicts.size > MAX_REMEMBERED) forgetOlder(this.verdicts, now - this.intervalMs);
    }
    return verdict.cover.active || verdict.cover.machines.has(machineId);
  }

  private evaluate(series: string, change: FactChange): Cover {
    const key = fleetKey(series, change);
    const existing = alertByKey(this.db, key);
    const cover: Cover = existing ?? none;

    // A machine that made the transition twice is one mover, with its latest change. After a
    // fleet alert was resolved, only machines that moved since are pooled: the others were
    // judged, and a person or a fix closed it.
    const seen = new Set<string>();
    const moved = machinesWithChange(this.db, change, FLEET_LIMIT).filter((m) => {
      if (seen.has(m.machineId)) return false;
      seen.add(m.machineId);
      return !existing || existing.active || m.at > (existing.resolvedAt ?? 0);
    });
    if (moved.length < 2) return cover;

    const movers = moved.map(({ machineId, at }) => this.mover(machineId, series, at));
    const controls = this.controls(series, change, moved);
    const fleet = assessFleet(movers, controls);
    if (!fleet || fleet.kind === 'none') return cover;

    if (fleet.kind === 'improvement') {
      // The fleet's record speaks for its faster machines: no record of their own.
      this.record(series, change, fleet, movers);
      const faster = fleetMembers(fleet).map((m) => m.machineId);
      return { active: cover.active, machines: new Set([...cover.machines, ...faster]) };
    }
    const { id } = this.raise(series, change, fleet, movers, controls);
    for (const merged of mergeIntoFleetAlert(this.db, id, Date.now())) {
      this.publisher.announce(merged, null, false);
    }
    const slower = fleetMembers(fleet).map((m) => m.machineId);
    return { active: true, machines: new Set([...cover.machines, ...slower]) };
  }

  private raise(
    series: string,
    change: FactChange,
    fleet: FleetAssessment,
    movers: readonly Mover[],
    controls: readonly ControlMachine[],
  ) {
    const control = fleet.control
      ? `; ${fleet.control.machines} still on ${change.from}: ${percent(fleet.control.medianChange)}`
      : '';
    const changedAt = new Map(movers.map((m) => [m.machineId, m.changedAt]));
    const members = fleetMembers(fleet);
    return this.publisher.raise({
      dedupeKey: fleetKey(series, change),
      scope: 'fleet',
      kind: 'regression',
      series,
      transition: change,
      title: `${headline(change, series, fleet, members.length)}${control}`,
      effect: fleet.medianChange,
      evidence: {
        numbers: { ...fleet, machines: undefined, unpooled: undefined },
        movers: fleet.machines.map((m) => ({
          machineId: m.machineId,
          change: m.change,
          effect: m.assessment.effect,
          pValue: m.assessment.pValue,
        })),
        samples: Object.fromEntries(
          movers
            .slice(0, EVIDENCE_MACHINES)
            .map((m) => [m.machineId, { before: m.before, after: m.after }]),
        ),
        control: Object.fromEntries(
          controls.slice(0, EVIDENCE_MACHINES).map((c) => [c.machineId, c.samples]),
        ),
      },
      // The machines it slowed (fleetMembers): a mover that did not get slower is in the
      // numbers, not the alert, and the alert resolves once every slowed machine is back.
      machines: members.map((m) =>
        member(m.machineId, m.assessment, changedAt.get(m.machineId) ?? null),
      ),
      notify: true,
    });
  }

  /** A fleet improvement (the fix release) is kept for the record; nobody is paged. */
  private record(
    series: string,
    change: FactChange,
    fleet: FleetAssessment,
    movers: readonly Mover[],
  ) {
    const changedAt = new Map(movers.map((m) => [m.machineId, m.changedAt]));
    const members = fleetMembers(fleet);
    this.publisher.raise({
      dedupeKey: `${fleetKey(series, change)}|improvement`,
      scope: 'fleet',
      kind: 'improvement',
      series,
      transition: change,
      title: headline(change, series, fleet, members.length),
      effect: fleet.medianChange,
      evidence: { numbers: { ...fleet, machines: undefined, unpooled: undefined } },
      machines: members.map((m) =>
        member(m.machineId, m.assessment, changedAt.get(m.machineId) ?? null),
      ),
      notify: false,
      recorded: true,
    });
  }

  /**
   * A mover's windows around its change, however long ago it was. The before window starts at the
   * previous change that can affect builds (a CLI update in between cuts nothing); the after
   * window runs across later changes, as the machine detector's does (attribution.ts): a Windows
   * build the next day does not take the mover out of the pool. Unlike the machine detector's, a
   * short before window is not stretched across the previous change: a transition taken right
   * after another is not pooled (the earlier one's after window holds the shift).
   */
  private mover(machineId: string, series: string, at: number): Mover {
    const before = sampleWindow(this.db, machineId, series, {
      after: this.previousChange(machineId, at) - 1,
      until: at - 1,
      limit: WINDOW,
      take: 'last',
    });
    const after = sampleWindow(this.db, machineId, series, {
      after: at - 1,
      until: END,
      limit: WINDOW,
      take: 'first',
    });
    if (before.length >= MIN_BEFORE) return { machineId, changedAt: at, before, after };
    // Too few to judge: the samples across the previous change judge its membership only.
    const earlier = sampleWindow(this.db, machineId, series, {
      after: -1,
      until: at - 1,
      limit: WINDOW,
      take: 'last',
    });
    return { machineId, changedAt: at, before, after, earlier };
  }

  private previousChange(machineId: string, at: number): number {
    const key = `${machineId}|${at}`;
    const now = Date.now();
    const cached = this.bounds.get(key);
    if (cached && now - cached.at < this.intervalMs) return cached.previous;

    const earlier = listFleetChanges(this.db, {
      from: 0,
      to: at - 1,
      machineId,
      limit: BOUND_ROWS,
    });
    const relevant = earlier.find(affectsBuilds);
    // None among the rows read: no earlier bound is known past the oldest of them.
    const oldest = earlier.length === BOUND_ROWS ? Date.parse(earlier.at(-1)?.at ?? '') : 0;
    const previous = relevant ? Date.parse(relevant.at) : oldest;

    this.bounds.set(key, { at: now, previous });
    if (this.bounds.size > MAX_REMEMBERED) forgetOlder(this.bounds, now - this.intervalMs);
    return previous;
  }

  /** Machines still on the old value, over the same period: the control group. */
  private controls(
    series: string,
    change: FactChange,
    moved: readonly { machineId: string; at: number }[],
  ): ControlMachine[] {
    if (change.from === null) return [];
    const earliest = Math.min(...moved.map((m) => m.at));
    const moverIds = new Set(moved.map((m) => m.machineId));
    return machinesWithFact(this.db, change.field, change.from, FLEET_LIMIT)
      .filter((id) => !moverIds.has(id))
      .map((id) => ({
        machineId: id,
        samples: sampleWindow(this.db, id, series, {
          after: earliest - CONTROL_LOOKBACK_MS,
          until: END,
          limit: WINDOW * 2,
          take: 'last',
        }),
      }));
  }
}

/** "Docker Desktop 4.36.0 → 4.37.1: build 35% slower on 9 of 9 machines". */
function headline(
  change: FactChange,
  series: string,
  fleet: FleetAssessment,
  members: number,
): string {
  const size = percent(fleet.medianChange);
  return `${describeChange(change)}: ${series} ${size} on ${members} of ${fleet.movers} machines`;
}

export function fleetKey(series: string, change: FactChange): string {
  return `fleet|${series}|${change.field}|${change.from}|${change.to}`;
}

function forgetOlder<V extends { at: number }>(memo: Map<string, V>, before: number): void {
  for (const [key, value] of memo) if (value.at < before) memo.delete(key);
  // Everything fresh (a huge rollout within one interval): drop the oldest half.
  if (memo.size <= MAX_REMEMBERED) return;
  for (const key of memo.keys()) {
    memo.delete(key);
    if (memo.size <= MAX_REMEMBERED / 2) break;
  }
}
