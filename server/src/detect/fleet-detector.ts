import { median } from 'simple-statistics';

import {
  assessChange,
  classifyShift,
  setAsideExtreme,
  defaultAssessOptions,
  type AssessOptions,
  type Assessment,
  type ChangeKind,
} from './machine-detector.js';
import { logValues, mannWhitneyU, medianLog, stratifiedRankTest } from './stats.js';
import { chronological, nearestAfter, nearestBefore, type Sample } from './window.js';

/** A machine that made the transition (same field, from, to) and its series around it. */
export interface Mover {
  machineId: string;
  changedAt: number;
  /** Samples since the machine's previous change event, up to this one. */
  before: readonly Sample[];
  /** Samples since this change, up to the machine's next one. */
  after: readonly Sample[];
}

/** A machine that did not make the transition, with its samples over the same period. */
export interface ControlMachine {
  machineId: string;
  samples: readonly Sample[];
}

export interface FleetOptions {
  /** Fewest movers with enough samples before a fleet verdict. */
  minMovers: number;
  /** Fewest control machines with enough samples for the control comparison to count. */
  minControls: number;
  minEffect: number;
  alpha: number;
  /** Per-machine windows and thresholds (the per-machine verdicts shown beside the fleet's). */
  machine: AssessOptions;
}

export interface MachineVerdict {
  machineId: string;
  assessment: Assessment;
}

export interface ControlComparison {
  machines: number;
  /** The control machines' median change across the movers' median change time. */
  medianChange: number;
  /** Movers against control, after each is centred on its own baseline. */
  pValue: number;
}

export interface FleetAssessment {
  kind: ChangeKind;
  /** Movers with enough samples on both sides. */
  movers: number;
  /** Movers still waiting for samples after the change. */
  pending: number;
  /** Movers whose own change is at least `minEffect` slower / faster (significant or not). */
  slower: number;
  faster: number;
  /** Median of the movers' changes (after / before - 1). */
  medianChange: number;
  /** Movers' after against their own before, stratified by machine. */
  pValue: number;
  /** Null when too few machines stayed put to compare with. */
  control: ControlComparison | null;
  /** The movers' median change time, where the control machines are split. */
  splitAt: number;
  machines: MachineVerdict[];
}

export const defaultFleetOptions: FleetOptions = {
  minMovers: 2,
  minControls: 2,
  minEffect: 0.1,
  alpha: 1e-4,
  machine: defaultAssessOptions,
};

/**
 * Pools the machines that made the same transition for one series ("4.36.0 → 4.37.1 made the
 * reference build 35% slower on the 9 machines that took it; the 5 still on 4.36.0 did not change").
 * A fleet regression needs the movers' median change beyond `minEffect`, strong pooled evidence,
 * and, when enough machines stayed put, a change clearly beyond theirs: a project that grew makes
 * every machine slower, updated or not.
 */
export function assessFleet(
  movers: readonly Mover[],
  controls: readonly ControlMachine[],
  options: Partial<FleetOptions> = {},
): FleetAssessment | null {
  const opts = { ...defaultFleetOptions, ...options };
  const machines = assessMovers(movers, opts.machine);
  if (machines.length < opts.minMovers) return null;

  const shifts = machines.map((m) => Math.log1p(m.verdict.assessment.effect));
  const shift = median(shifts);
  const direction = shift >= 0 ? 'greater' : 'less';
  const pooled = stratifiedRankTest(
    machines.map((m) => ({ x: m.before, y: m.after })),
    direction,
  );
  const threshold = Math.log1p(opts.minEffect);

  const splitAt = median(machines.map((m) => m.changedAt));
  const lastAt = Math.max(...movers.flatMap((m) => m.after.map((s) => s.at)));
  const control = compareWithControl(machines, controls, splitAt, lastAt, direction, opts);

  let kind = classifyShift(shift, pooled.pValue, opts);
  if (control && kind !== 'none') {
    const relative = shift - Math.log1p(control.medianChange);
    if (classifyShift(relative, control.pValue, opts) !== kind) kind = 'none';
  }

  return {
    kind,
    movers: machines.length,
    pending: movers.length - machines.length,
    slower: shifts.filter((s) => s >= threshold).length,
    faster: shifts.filter((s) => s <= -threshold).length,
    medianChange: Math.expm1(shift),
    pValue: pooled.pValue,
    control,
    splitAt,
    machines: machines.map((m) => m.verdict),
  };
}

interface AssessedMover {
  verdict: MachineVerdict;
  changedAt: number;
  before: number[];
  after: number[];
}

function assessMovers(movers: readonly Mover[], opts: AssessOptions): AssessedMover[] {
  const assessed: AssessedMover[] = [];
  for (const mover of movers) {
    const assessment = assessChange(mover.before, mover.after, opts);
    if (!assessment) continue;

    // Each machine's own cold first build after the update is set aside, as in its assessment.
    const before = nearestBefore(mover.before, opts.maxWindow);
    const after = setAsideExtreme(before, nearestAfter(mover.after, opts.maxWindow));
    assessed.push({
      verdict: { machineId: mover.machineId, assessment },
      changedAt: mover.changedAt,
      before,
      after,
    });
  }
  return assessed;
}

/**
 * The control machines' change across the movers' median change time, over the same span the
 * movers' after windows cover. Each machine's logs are centred on its own baseline median, then
 * movers' and controls' after values are ranked against each other.
 */
function compareWithControl(
  machines: readonly AssessedMover[],
  controls: readonly ControlMachine[],
  splitAt: number,
  lastAt: number,
  direction: 'greater' | 'less',
  opts: FleetOptions,
): ControlComparison | null {
  const windows = controls
    .map((c) => {
      const ordered = chronological(c.samples);
      const before = nearestBefore(
        ordered.filter((s) => s.at < splitAt),
        opts.machine.maxWindow,
      );
      const after = nearestAfter(
        ordered.filter((s) => s.at >= splitAt && s.at <= lastAt),
        opts.machine.maxWindow,
      );
      return { before, after: setAsideExtreme(before, after) };
    })
    .filter(
      (w) => w.before.length >= opts.machine.minBefore && w.after.length >= opts.machine.minAfter,
    );
  if (windows.length < opts.minControls) return null;

  const controlShifts = windows.map((w) => medianLog(w.after) - medianLog(w.before));
  const centred = (w: { before: number[]; after: number[] }) => {
    const centre = medianLog(w.before);
    return logValues(w.after).map((v) => v - centre);
  };
  const test = mannWhitneyU(windows.flatMap(centred), machines.flatMap(centred), direction);

  return {
    machines: windows.length,
    medianChange: Math.expm1(median(controlShifts)),
    pValue: test.pValue,
  };
}
