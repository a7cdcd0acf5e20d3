import { logRatio, logValues, mannWhitneyU } from './stats.js';
import { chronological, nearestAfter, nearestBefore, type Sample } from './window.js';

export interface ResolutionOptions {
  /** Fewest recent samples before an alert may close: three lucky builds are not a fix. */
  minRecent: number;
  /** Most recent samples judged: the latest run, not everything since the alert. */
  maxRecent: number;
  /** Fewest samples that showed the change, to know the level it changed to. */
  minRegressed: number;
  /** Fewest baseline samples, to know the level it came from and how noisy the series is. */
  minBaseline: number;
  /** Most samples taken from the baseline and the regressed windows. */
  maxWindow: number;
  /** Share of the original shift that may remain: 0.5 means "closer to before than to after". */
  remainingShare: number;
  /** Significance of "the recent run sits below the regressed level" (above, for improvements). */
  alpha: number;
  /**
   * The recent run must not be above the baseline (below, for improvements) at this significance.
   * The shift an alert was raised on is overestimated (it was raised because its first samples
   * looked slow), so "closer to before than to that" alone closes some alerts on series that are
   * still slow; against 30 baseline samples, a series still 20% slower shows.
   */
  stillChangedAlpha: number;
  /** How many recent runs ending one, two… samples earlier must also say "back". */
  confirm: number;
}

export interface Resolution {
  resolved: boolean;
  /** recent / baseline - 1: what remains of the change. */
  remainingEffect: number;
  /** recent / regressed - 1: how far it came back. */
  recovery: number;
  pValue: number;
  recentCount: number;
  /** When the first sample of the recent run was measured: the series was back by then. */
  since: number;
}

/**
 * Tuned with scripts/eval-detector.ts (docs/detector.md): at 10% noise a fix is seen a median 7–8
 * reports after its release, and about 1 alert in 100 on a series that stays 20% slower closes.
 */
export const defaultResolutionOptions: ResolutionOptions = {
  minRecent: 6,
  maxRecent: 8,
  minRegressed: 3,
  minBaseline: 5,
  maxWindow: 30,
  remainingShare: 0.5,
  alpha: 1e-3,
  stillChangedAlpha: 0.05,
  confirm: 1,
};

/**
 * Whether an alert's series has returned to its earlier level. `baseline` is the window before
 * the change, `regressed` the samples that showed it, `recent` the latest samples (only the last
 * `maxRecent` count, and none of them may be among `regressed`). The recent run must be closer to
 * the baseline than to the regressed level, and clearly below the regressed level: it is ranked
 * against the baseline moved up by the original shift, so that the series' noise is measured on
 * the long baseline rather than on the few samples an alert was raised on. Works for improvements
 * too (a series that got faster and then slow again). Null until every window is long enough.
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
  const run = nearestBefore(recent, opts.maxRecent);
  if (before.length < opts.minBaseline || during.length < opts.minRegressed) return null;
  if (run.length < opts.minRecent) return null;

  const original = logRatio(before, during);
  const regressedLevel = logValues(before).map((v) => v + original);
  const latest = judgeRun(before, during, regressedLevel, original, run, opts);

  let resolved = latest.back;
  for (let drop = 1; drop <= opts.confirm && resolved; drop++) {
    const shorter = run.slice(0, -drop);
    if (shorter.length < opts.minRecent) break;
    resolved = judgeRun(before, during, regressedLevel, original, shorter, opts).back;
  }

  const ordered = chronological(recent).slice(-opts.maxRecent);
  return {
    resolved,
    remainingEffect: Math.expm1(latest.remaining),
    recovery: Math.expm1(logRatio(during, run)),
    pValue: latest.pValue,
    recentCount: run.length,
    since: ordered[0]?.at ?? 0,
  };
}

function judgeRun(
  before: readonly number[],
  during: readonly number[],
  regressedLevel: readonly number[],
  original: number,
  run: readonly number[],
  opts: ResolutionOptions,
): { back: boolean; remaining: number; pValue: number } {
  const remaining = logRatio(before, run);
  // A regression recovers downwards, an improvement that wears off recovers upwards.
  const test = mannWhitneyU(regressedLevel, logValues(run), original >= 0 ? 'less' : 'greater');
  const closeEnough = Math.abs(remaining) <= opts.remainingShare * Math.abs(original);
  const movedBack = Math.sign(logRatio(during, run)) === -Math.sign(original);
  const still = mannWhitneyU(before, run, original >= 0 ? 'greater' : 'less');
  const stillChanged = still.pValue <= opts.stillChangedAlpha;
  return {
    back: closeEnough && movedBack && !stillChanged && test.pValue <= opts.alpha,
    remaining,
    pValue: test.pValue,
  };
}
