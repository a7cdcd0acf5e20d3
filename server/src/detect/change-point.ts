import { classifyShift } from './machine-detector.js';
import { confidence, dependentShiftPValue, logRatio, mannWhitneyU, medianLog } from './stats.js';
import { chronological, type Sample } from './window.js';

export interface LevelShiftOptions {
  /** Samples at the end of the window that must all sit after the shift (the evidence). */
  recent: number;
  /**
   * Samples skipped between baseline and recent. A shift not yet significant when it began would
   * otherwise slide into the baseline sample by sample and never be found; with the gap it stays
   * out of the baseline for that many more reports.
   */
  gap: number;
  /** Fewest baseline samples before them. */
  minBaseline: number;
  /** Most baseline samples, so the cost per new report stays flat. */
  maxBaseline: number;
  /** Smallest shift worth an alert, as a fraction. */
  minEffect: number;
  /** One-sided significance of recent against baseline. */
  alpha: number;
  /** How many windows ending one, two… samples earlier must show the same shift. */
  confirm: number;
  /** Widen the test for the drift the baseline shows (see `AssessOptions.correctDrift`). */
  correctDrift: boolean;
}

/** A level shift with no recorded change event to blame (an antivirus update, a fuller disk). */
export interface LevelShift {
  kind: 'regression' | 'improvement';
  attribution: 'unattributed';
  effect: number;
  pValue: number;
  confidence: number;
  /** When the first of the recent samples was measured: the shift happened at or before it. */
  since: number;
  baselineCount: number;
  recentCount: number;
  baselineMedianMs: number;
  recentMedianMs: number;
}

/**
 * Without an event the detector is asked after every report of every series, hundreds of looks per
 * machine-week, so it needs far stronger evidence than an attributed assessment: a run of samples
 * all beyond most of the baseline (docs/detector.md has the measured false-alarm rate).
 */
export const defaultLevelShiftOptions: LevelShiftOptions = {
  recent: 6,
  gap: 6,
  minBaseline: 12,
  maxBaseline: 30,
  minEffect: 0.1,
  alpha: 1e-4,
  confirm: 1,
  correctDrift: true,
};

/**
 * Looks for a level shift at the end of a series: the last `recent` samples against the ones
 * before them (less a gap). The caller asks after every new sample, with at most
 * `maxBaseline + gap + recent + confirm` samples. `samples` should start after the last change
 * event (or the last shift found), so that a shift an event explains is left to the attributed
 * detector.
 */
export function detectLevelShift(
  samples: readonly Sample[],
  options: Partial<LevelShiftOptions> = {},
): LevelShift | null {
  const opts = { ...defaultLevelShiftOptions, ...options };
  const ordered = chronological(samples);
  const latest = shiftAtEnd(ordered, opts);
  if (!latest) return null;

  for (let drop = 1; drop <= opts.confirm; drop++) {
    const earlier = shiftAtEnd(ordered.slice(0, -drop), opts);
    if (earlier?.kind !== latest.kind) return null;
  }
  return latest;
}

function shiftAtEnd(ordered: readonly Sample[], opts: LevelShiftOptions): LevelShift | null {
  if (ordered.length < opts.recent + opts.gap + opts.minBaseline) return null;

  const recentSamples = ordered.slice(-opts.recent);
  const baseline = ordered
    .slice(0, -(opts.recent + opts.gap))
    .slice(-opts.maxBaseline)
    .map((s) => s.valueMs);
  const recent = recentSamples.map((s) => s.valueMs);

  const shift = logRatio(baseline, recent);
  const test = mannWhitneyU(baseline, recent, shift >= 0 ? 'greater' : 'less');
  // As in the machine detector's judge: the rank test and the dependence-aware shift test.
  const direction = shift >= 0 ? 'greater' : 'less';
  const pValue = opts.correctDrift
    ? Math.max(test.pValue, dependentShiftPValue(baseline, recent, direction, opts.gap))
    : test.pValue;
  const kind = classifyShift(shift, pValue, opts);
  if (kind === 'none') return null;

  return {
    kind,
    attribution: 'unattributed',
    effect: Math.expm1(shift),
    pValue,
    confidence: confidence(pValue),
    since: recentSamples[0]?.at ?? 0,
    baselineCount: baseline.length,
    recentCount: recent.length,
    baselineMedianMs: Math.exp(medianLog(baseline)),
    recentMedianMs: Math.exp(medianLog(recent)),
  };
}
