import { median } from 'simple-statistics';

import {
  assessChange,
  defaultAssessOptions,
  type AssessOptions,
  type Assessment,
} from './machine-detector.js';
import { logValues } from './stats.js';
import { chronological, type Sample } from './window.js';

/** A change event that may explain a shift: when, and when the one before it happened. */
export interface Candidate {
  at: number;
  /** The previous change that may affect builds (0 when none is known). */
  previousAt: number;
}

export interface Attribution {
  /** Index of the candidate the shift is attributed to. */
  index: number;
  assessment: Assessment;
  before: Sample[];
  after: Sample[];
  /** Sum of absolute deviations of the log-times from each side's median: smaller fits better. */
  cost: number;
}

export interface Attributions {
  regression: Attribution | null;
  improvement: Attribution | null;
}

/**
 * Assesses the latest few change events of a machine on one series and attributes a shift to the
 * one whose before/after split explains the samples best. A Windows build or a .wslconfig edit a
 * day after a Docker Desktop update must not hide the update's regression: each candidate's after
 * window runs across later changes, and when several show the same kind of shift, the split that
 * leaves the least scatter on either side (over the same samples for every candidate) wins.
 *
 * `samples` is the latest stretch of the series, `candidates` the changes whose after window is
 * still open, in any order. A candidate's before window starts at its previous change, or reaches
 * across it when that leaves fewer than `minBefore` samples (a change soon after another).
 */
export function attributeShift(
  samples: readonly Sample[],
  candidates: readonly Candidate[],
  options: Partial<AssessOptions> = {},
): Attributions {
  const opts = { ...defaultAssessOptions, ...options };
  const ordered = chronological(samples);
  const verdicts: Attribution[] = [];

  candidates.forEach((candidate, index) => {
    const { before, after } = windowsAround(ordered, candidate, opts);
    const assessment = assessChange(before, after, opts);
    if (!assessment || assessment.kind === 'none') return;
    verdicts.push({ index, assessment, before, after, cost: 0 });
  });
  if (verdicts.length > 1) {
    const start = Math.min(...verdicts.map((v) => v.before[0]?.at ?? Infinity));
    const span = ordered.filter((s) => s.at >= start);
    for (const v of verdicts) v.cost = splitCost(span, candidates[v.index]?.at ?? 0);
  }

  return {
    regression: best(verdicts.filter((v) => v.assessment.kind === 'regression')),
    improvement: best(verdicts.filter((v) => v.assessment.kind === 'improvement')),
  };
}

/** The before and after windows of one candidate within `ordered`. */
export function windowsAround(
  ordered: readonly Sample[],
  candidate: Candidate,
  opts: Pick<AssessOptions, 'maxWindow' | 'minBefore'>,
): { before: Sample[]; after: Sample[] } {
  const earlier = ordered.filter((s) => s.at < candidate.at);
  let before = earlier.filter((s) => s.at >= candidate.previousAt).slice(-opts.maxWindow);
  if (before.length < opts.minBefore) before = earlier.slice(-opts.maxWindow);
  const after = ordered.filter((s) => s.at >= candidate.at).slice(0, opts.maxWindow);
  return { before, after };
}

function best(verdicts: readonly Attribution[]): Attribution | null {
  let chosen: Attribution | null = null;
  for (const v of verdicts) {
    if (!chosen || v.cost < chosen.cost || (v.cost === chosen.cost && v.index < chosen.index)) {
      chosen = v;
    }
  }
  return chosen;
}

function splitCost(span: readonly Sample[], at: number): number {
  const left = logValues(span.filter((s) => s.at < at).map((s) => s.valueMs));
  const right = logValues(span.filter((s) => s.at >= at).map((s) => s.valueMs));
  return deviation(left) + deviation(right);
}

function deviation(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const centre = median(values);
  return values.reduce((sum, v) => sum + Math.abs(v - centre), 0);
}
