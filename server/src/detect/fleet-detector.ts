import { median } from 'simple-statistics';

import {
  assessChange,
  classifyShift,
  driftInflation,
  setAsideExtreme,
  defaultAssessOptions,
  type AssessOptions,
  type Assessment,
  type ChangeKind,
} from './machine-detector.js';
import { medianLog, normalUpperTail, robustLogScale, stratifiedRankTest } from './stats.js';
import { chronological, nearestAfter, nearestBefore, type Sample } from './window.js';

/** A machine that made the transition (same field, from, to) and its series around it. */
export interface Mover {
  machineId: string;
  changedAt: number;
  /** Samples since the machine's previous change event, up to this one. */
  before: readonly Sample[];
  /** Samples since this change, up to the machine's next one. */
  after: readonly Sample[];
  /**
   * The samples just before this change across the previous one, for a mover whose `before` is
   * too short to judge (a change a report or two before the update): judged on them for
   * membership of the fleet's alert, never pooled into its evidence.
   */
  earlier?: readonly Sample[];
}

/** A machine that did not make the transition, with its samples over the same period. */
export interface ControlMachine {
  machineId: string;
  samples: readonly Sample[];
}

export interface FleetOptions {
  /** Fewest movers with enough samples before a fleet verdict. */
  minMovers: number;
  /**
   * Fewest movers whose own change is slower (faster) by `minEffect` at `moverAlpha`: one slow
   * machine among movers that did not change is that machine's alert, not the fleet's.
   */
  minAgreeing: number;
  /** Lenient one-sided significance of a mover's own change, for counting it slower or faster. */
  moverAlpha: number;
  /** Fewest control machines with enough samples for the control comparison to count. */
  minControls: number;
  /**
   * One-sided significance of "the movers changed more than the control". The control is a guard
   * against blaming an update for what every machine went through (a project that grew), not the
   * evidence of the regression, which is the movers' own at `alpha`.
   */
  controlAlpha: number;
  minEffect: number;
  alpha: number;
  /** Per-machine windows and thresholds (the per-machine verdicts shown beside the fleet's). */
  machine: AssessOptions;
}

/** How one mover's own series changed: `slower` needs `minEffect` and `moverAlpha`. */
export type MoverChange = 'slower' | 'faster' | 'same';

export interface MachineVerdict {
  machineId: string;
  assessment: Assessment;
  change: MoverChange;
}

export interface ControlComparison {
  machines: number;
  /** The control machines' median change (each machine's own median change) across the split. */
  medianChange: number;
  /** Movers' mean change against the control's, each machine's change with its own error. */
  pValue: number;
}

export interface FleetAssessment {
  kind: ChangeKind;
  /** Movers with enough samples on both sides. */
  movers: number;
  /** Movers still waiting for samples after the change. */
  pending: number;
  /** Movers whose own change is at least `minEffect` slower / faster at `moverAlpha`. */
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
  /** Movers judged on `earlier` (their before window too short): members, not evidence. */
  unpooled: MachineVerdict[];
}

export const defaultFleetOptions: FleetOptions = {
  minMovers: 2,
  minAgreeing: 2,
  moverAlpha: 0.05,
  minControls: 2,
  controlAlpha: 0.01,
  minEffect: 0.1,
  alpha: 1e-3,
  machine: defaultAssessOptions,
};

/**
 * Pools the machines that made the same transition for one series ("4.36.0 → 4.37.1 made the
 * reference build 35% slower on the 9 machines that took it; the 5 still on 4.36.0 did not change").
 * A fleet regression needs the movers' median change beyond `minEffect`, strong pooled evidence,
 * at least `minAgreeing` movers slower on their own (so one machine cannot carry it), and, when
 * enough machines stayed put, a change clearly beyond theirs: a project that grew makes every
 * machine slower, updated or not.
 */
export function assessFleet(
  movers: readonly Mover[],
  controls: readonly ControlMachine[],
  options: Partial<FleetOptions> = {},
): FleetAssessment | null {
  const opts = { ...defaultFleetOptions, ...options };
  const machines = assessMovers(movers, opts);
  if (machines.length < opts.minMovers) return null;

  const shifts = machines.map((m) => Math.log1p(m.verdict.assessment.effect));
  const shift = median(shifts);
  const direction = shift >= 0 ? 'greater' : 'less';
  const pooled = stratifiedRankTest(
    machines.map((m) => ({ x: m.before, y: m.after, inflation: m.inflation })),
    direction,
  );
  const slower = machines.filter((m) => m.verdict.change === 'slower').length;
  const faster = machines.filter((m) => m.verdict.change === 'faster').length;

  const splitAt = median(machines.map((m) => m.changedAt));
  const lastAt = Math.max(...movers.flatMap((m) => m.after.map((s) => s.at)));
  const control = compareWithControl(machines, controls, splitAt, lastAt, direction, opts);

  let kind = classifyShift(shift, pooled.pValue, opts);
  if (kind === 'regression' && slower < opts.minAgreeing) kind = 'none';
  if (kind === 'improvement' && faster < opts.minAgreeing) kind = 'none';
  if (control && kind !== 'none') {
    const relative = shift - Math.log1p(control.medianChange);
    const guard = { minEffect: opts.minEffect, alpha: opts.controlAlpha };
    if (classifyShift(relative, control.pValue, guard) !== kind) kind = 'none';
  }

  return {
    kind,
    movers: machines.length,
    pending: movers.length - machines.length,
    slower,
    faster,
    medianChange: Math.expm1(shift),
    pValue: pooled.pValue,
    control,
    splitAt,
    machines: machines.map((m) => m.verdict),
    unpooled: assessUnpooled(movers, opts),
  };
}

/**
 * The machines a fleet verdict speaks for: every assessed mover whose own series moved in the
 * verdict's direction (slower for a regression), significant on its own or not. Once the pooled
 * evidence says the transition did it, a mover's 5 noisy samples are no reason to leave it out:
 * at 10% noise a +20% step is individually significant on only about half the movers. A mover
 * that got faster or did not move is in the numbers, not the alert. Movers that take the
 * transition later join as soon as they have `minAfter` samples.
 */
export function fleetMembers(fleet: FleetAssessment): MachineVerdict[] {
  if (fleet.kind === 'none') return [];
  const sign = fleet.kind === 'regression' ? 1 : -1;
  return [...fleet.machines, ...fleet.unpooled].filter((m) => sign * m.assessment.effect > 0);
}

/**
 * Movers whose own before window is too short, judged against the samples before it across the
 * previous change. Their shift may be the previous change's as much as this one's, so they are
 * no evidence for the fleet; but once the fleet is significant, one that moved its way is as
 * much a member as any: left out, it is never alerted at all, because the fleet alert speaks for
 * every machine that made the transition and keeps the machine detector quiet for it.
 */
function assessUnpooled(movers: readonly Mover[], opts: FleetOptions): MachineVerdict[] {
  const verdicts: MachineVerdict[] = [];
  for (const mover of movers) {
    if (!mover.earlier || mover.before.length >= opts.machine.minBefore) continue;
    const assessment = assessChange(mover.earlier, mover.after, opts.machine);
    if (assessment) verdicts.push({ machineId: mover.machineId, assessment, change: 'same' });
  }
  return verdicts;
}

interface AssessedMover {
  verdict: MachineVerdict;
  changedAt: number;
  before: number[];
  after: number[];
  inflation: number;
}

function assessMovers(movers: readonly Mover[], opts: FleetOptions): AssessedMover[] {
  const assessed: AssessedMover[] = [];
  const threshold = Math.log1p(opts.minEffect);
  for (const mover of movers) {
    const assessment = assessChange(mover.before, mover.after, opts.machine);
    if (!assessment) continue;

    // Each machine's own cold first build after the update is set aside, as in its assessment.
    const before = nearestBefore(mover.before, opts.machine.maxWindow);
    const after = setAsideExtreme(before, nearestAfter(mover.after, opts.machine.maxWindow));
    const shift = Math.log1p(assessment.effect);
    const significant = assessment.pValue <= opts.moverAlpha;
    let change: MoverChange = 'same';
    if (significant && shift >= threshold) change = 'slower';
    if (significant && shift <= -threshold) change = 'faster';
    assessed.push({
      verdict: { machineId: mover.machineId, assessment, change },
      changedAt: mover.changedAt,
      before,
      after,
      inflation: driftInflation(before, after.length, opts.machine),
    });
  }
  return assessed;
}

/**
 * The control machines' change across the movers' median change time, over the same span the
 * movers' after windows cover. Every machine, mover or control, gives its own change (median of
 * the logs after less median before) and that change's standard error, from the spread of its own
 * before window (and its drift); the movers' weighted mean change is then compared with the
 * controls'. No value of one machine is ranked against another's, and the control's change counts
 * with its own uncertainty: two control machines with six samples each do not pin it down.
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

  const controlChanges = windows.map((w) =>
    machineChange(w.before, w.after, driftInflation(w.before, w.after.length, opts.machine)),
  );
  const moverChanges = machines.map((m) => machineChange(m.before, m.after, m.inflation));
  const movers = weightedMean(moverChanges);
  const control = weightedMean(controlChanges);
  const z = (movers.mean - control.mean) / Math.sqrt(movers.variance + control.variance);
  const pValue = normalUpperTail(direction === 'greater' ? z : -z);

  return {
    machines: windows.length,
    medianChange: Math.expm1(median(controlChanges.map((c) => c.shift))),
    pValue,
  };
}

interface MachineChange {
  shift: number;
  variance: number;
}

// The sampling variance of a median is about π/2 times that of a mean.
const MEDIAN_EFFICIENCY = Math.PI / 2;
// A window whose values all tie has no spread to measure: a floor of 1% noise.
const MIN_LOG_SCALE = 0.01;

function machineChange(before: number[], after: number[], inflation: number): MachineChange {
  const scale = Math.max(robustLogScale(before), MIN_LOG_SCALE);
  const variance =
    MEDIAN_EFFICIENCY * scale ** 2 * (1 / before.length + 1 / after.length) * inflation;
  return { shift: medianLog(after) - medianLog(before), variance };
}

/** Inverse-variance weighted mean of machines' changes, and its variance. */
function weightedMean(changes: readonly MachineChange[]): { mean: number; variance: number } {
  let weights = 0;
  let sum = 0;
  for (const c of changes) {
    weights += 1 / c.variance;
    sum += c.shift / c.variance;
  }
  return { mean: sum / weights, variance: 1 / weights };
}
