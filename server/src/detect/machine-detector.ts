import {
  confidence,
  dependentShiftPValue,
  driftInflationOf,
  logRatio,
  logValues,
  mannWhitneyU,
  medianLog,
  robustLogScale,
} from './stats.js';
import { nearestAfter, nearestBefore, type Sample } from './window.js';

export type ChangeKind = 'regression' | 'improvement' | 'none';

export interface AssessOptions {
  /** Fewest samples before the change: a baseline of 2 builds says nothing about noise. */
  minBefore: number;
  /** Fewest samples after the change before any verdict. */
  minAfter: number;
  /** Most samples taken on each side (nearest the change), so one call costs the same forever. */
  maxWindow: number;
  /** Smallest change worth telling anyone about, as a fraction (0.1 = 10% slower). */
  minEffect: number;
  /** One-sided significance level of the rank test in the direction of the change. */
  alpha: number;
  /**
   * How many shorter after-windows (without the newest 1, 2… samples) must show the same verdict.
   * Ingestion asks again at every report, and noise that crosses the threshold once rarely stays.
   */
  confirm: number;
  /**
   * Widen the test for the drift the before window shows (lag-1 autocorrelation): with drifting
   * noise, a run of slow builds is not the evidence it would be with independent ones.
   */
  correctDrift: boolean;
  /**
   * The rank test's p-value that is enough when no sample after the change falls among those
   * before it. Ranks cannot say more than that (1 / C(n + m, m): 1.2e-3 for 15 before and 3 after,
   * above `alpha`), so on short windows the size of the shift decides, and must pass `alpha`.
   * Used with `correctDrift` only: the shift test is the one that then decides.
   */
  separatedAlpha: number;
}

export interface Assessment {
  kind: ChangeKind;
  /** after / before - 1 from the medians of the logs: 0.35 reads "35% slower". */
  effect: number;
  pValue: number;
  confidence: number;
  beforeCount: number;
  afterCount: number;
  beforeMedianMs: number;
  afterMedianMs: number;
}

/**
 * Tuned with scripts/eval-detector.ts (docs/detector.md): a machine alert must stay rare on a
 * machine that changes something every couple of weeks, so one machine alone needs strong evidence;
 * the fleet detector, pooling the machines that took the same update, is the fast path.
 */
export const defaultAssessOptions: AssessOptions = {
  minBefore: 5,
  minAfter: 3,
  maxWindow: 30,
  minEffect: 0.1,
  alpha: 3e-4,
  confirm: 1,
  correctDrift: true,
  separatedAlpha: 0.0015,
};

/**
 * Compares the samples of one series before a change event (since the previous event) with those
 * after it (until the next). Null while either side has too few samples to say anything.
 */
export function assessChange(
  before: readonly Sample[],
  after: readonly Sample[],
  options: Partial<AssessOptions> = {},
): Assessment | null {
  const opts = { ...defaultAssessOptions, ...options };
  const beforeValues = nearestBefore(before, opts.maxWindow);
  const afterValues = nearestAfter(after, opts.maxWindow);
  if (beforeValues.length < opts.minBefore || afterValues.length < opts.minAfter) return null;

  const judged = judge(beforeValues, afterValues, opts);
  let kind = judged.kind;
  for (let drop = 1; drop <= opts.confirm && kind !== 'none'; drop++) {
    const shorter = afterValues.slice(0, -drop);
    if (shorter.length < opts.minAfter || judge(beforeValues, shorter, opts).kind !== kind) {
      kind = 'none';
    }
  }

  return {
    kind,
    effect: Math.expm1(judged.shift),
    pValue: judged.pValue,
    confidence: confidence(judged.pValue),
    beforeCount: beforeValues.length,
    afterCount: afterValues.length,
    beforeMedianMs: Math.exp(medianLog(beforeValues)),
    afterMedianMs: Math.exp(medianLog(judged.kept)),
  };
}

/**
 * Shift and significance with the most extreme after-sample set aside. The first build after a
 * Docker Desktop update is often a cold one (images pulled again, caches empty): with three samples
 * after, that one build would otherwise carry the verdict on every machine that updated.
 */
export function judge(
  before: readonly number[],
  after: readonly number[],
  opts: Pick<AssessOptions, 'minEffect' | 'alpha' | 'correctDrift' | 'separatedAlpha'>,
): { shift: number; pValue: number; kind: ChangeKind; kept: number[] } {
  const kept = setAsideExtreme(before, after);
  const shift = logRatio(before, kept);
  const direction = shift >= 0 ? 'greater' : 'less';
  const test = mannWhitneyU(before, kept, direction);
  if (!opts.correctDrift) return { shift, pValue: test.pValue, kind: classify(test.pValue), kept };

  // Both must hold: the rank test (a 10× build is one high rank) and, for drifting noise, the
  // size of the shift against the noise and drift the before window shows.
  const shiftP = dependentShiftPValue(before, kept, direction);
  const separated = test.u === (direction === 'greater' ? before.length * kept.length : 0);
  const rankP = separated && test.pValue <= opts.separatedAlpha ? 0 : test.pValue;
  const pValue = Math.max(rankP, shiftP);
  return { shift, pValue, kind: classify(pValue), kept };

  function classify(p: number): ChangeKind {
    return classifyShift(shift, p, opts);
  }
}

/**
 * The variance factor, at the estimated drift of `values` (in time order), for comparing `m`
 * samples after them (1 when off).
 */
export function driftInflation(
  values: readonly number[],
  m: number,
  opts: Pick<AssessOptions, 'correctDrift'>,
): number {
  return opts.correctDrift ? driftInflationOf(values, m) : 1;
}

// A sample this many robust spreads (of the before window) from the after median is an outlier:
// a 10× build is 11 at 20% noise and 23 at 10%; normal noise, even with the spread and the
// median misjudged from few samples, stays within 4.
const OUTLIER_SCALES = 6;
// A before window whose values (almost) tie has no spread to measure: 2% noise at least.
const MIN_LOG_SCALE = 0.02;

/**
 * `after` without its sample farthest from the before median, in the direction it leans; and,
 * before that, without one sample far outside the rest of `after` (a 10× build). Setting aside
 * only the extreme would keep the normal sample the outlier displaced from that place, so one
 * outlier would still tip a verdict on the edge; setting aside both leaves what the series would
 * have shown without the outlier, less one sample.
 */
export function setAsideExtreme(before: readonly number[], after: readonly number[]): number[] {
  // Nothing to compare with (a control machine with no samples before the split): keep all.
  if (after.length < 2 || before.length === 0) return [...after];

  const kept = setAsideOutlier(before, after);
  if (kept.length < 2) return kept;
  const slower = logRatio(before, kept) >= 0;
  const pick = slower ? Math.max(...kept) : Math.min(...kept);
  const index = kept.indexOf(pick);
  return kept.filter((_, i) => i !== index);
}

function setAsideOutlier(before: readonly number[], after: readonly number[]): number[] {
  if (after.length < 3) return [...after];

  const centre = medianLog(after);
  const scale = Math.max(robustLogScale(before), MIN_LOG_SCALE);
  const distances = logValues(after).map((v) => Math.abs(v - centre));
  const farthest = Math.max(...distances);
  if (farthest <= OUTLIER_SCALES * scale) return [...after];
  const index = distances.indexOf(farthest);
  return after.filter((_, i) => i !== index);
}

/**
 * Regression or improvement when the change is both large and significant. The thresholds are
 * symmetric in log space: 10% slower and 1/1.1 (≈ 9.1% faster) are the same size of change.
 */
export function classifyShift(
  shift: number,
  pValue: number,
  opts: Pick<AssessOptions, 'minEffect' | 'alpha'>,
): ChangeKind {
  if (pValue > opts.alpha) return 'none';

  const threshold = Math.log1p(opts.minEffect);
  if (shift >= threshold) return 'regression';
  if (shift <= -threshold) return 'improvement';
  return 'none';
}
