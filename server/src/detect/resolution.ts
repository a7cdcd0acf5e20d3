import { logRatio, mannWhitneyU } from './stats.js';
import { nearestAfter, nearestBefore, type Sample } from './window.js';

export interface ResolutionOptions {
  /** Fewest recent samples before an alert may close: three lucky builds are not a fix. */
  minRecent: number;
  /** Most samples taken from each window. */
  maxWindow: number;
  /** Share of the original shift that may remain: 0.5 means "closer to before than to after". */
  remainingShare: number;
  /** Significance of "recent differs from the regressed samples" in the direction of a recovery. */
  alpha: number;
}

export interface Resolution {
  resolved: boolean;
  /** recent / baseline - 1: what remains of the change. */
  remainingEffect: number;
  /** recent / regressed - 1: how far it came back. */
  recovery: number;
  pValue: number;
  recentCount: number;
}

export const defaultResolutionOptions: ResolutionOptions = {
  minRecent: 5,
  maxWindow: 30,
  remainingShare: 0.5,
  alpha: 0.001,
};

/**
 * Whether an open alert's series has returned to its earlier level. `baseline` is the alert's
 * before window, `regressed` the samples that showed the change, `recent` the latest samples. Works
 * for improvements too (a series that got faster and then slow again). Null until `recent` is long
 * enough.
 */
export function assessResolution(
  baseline: readonly Sample[],
  regressed: readonly Sample[],
  recent: readonly Sample[],
  options: Partial<ResolutionOptions> = {},
): Resolution | null {
  const opts = { ...defaultResolutionOptions, ...options };
  const before = nearestBefore(baseline, opts.maxWindow);
  const during = nearestAfter(regressed, opts.maxWindow);
  const latest = nearestBefore(recent, opts.maxWindow);
  if (before.length === 0 || during.length === 0 || latest.length < opts.minRecent) return null;

  const original = logRatio(before, during);
  const remaining = logRatio(before, latest);
  // A regression recovers downwards, an improvement that wears off recovers upwards.
  const test = mannWhitneyU(during, latest, original >= 0 ? 'less' : 'greater');
  const closeEnough = Math.abs(remaining) <= opts.remainingShare * Math.abs(original);
  const movedBack = Math.sign(remaining - original) === -Math.sign(original);

  return {
    resolved: closeEnough && movedBack && test.pValue <= opts.alpha,
    remainingEffect: Math.expm1(remaining),
    recovery: Math.expm1(logRatio(during, latest)),
    pValue: test.pValue,
    recentCount: latest.length,
  };
}
