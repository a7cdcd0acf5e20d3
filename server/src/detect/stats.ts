import { errorFunction, median, medianAbsoluteDeviation, probit } from 'simple-statistics';

/** Which way the second sample is expected to differ from the first. */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface RankTest {
  /** Pairs (x, y) with y > x, ties counting one half: 0 … n·m. */
  u: number;
  /** U standardized under the null hypothesis (tie-corrected); 0 when it is undefined. */
  z: number;
  pValue: number;
  /** True when the p-value comes from the exact distribution of U, not the normal approximation. */
  exact: boolean;
}

// A timing of 0 ms (a benchmark phase below the clock's resolution) has no logarithm; a floor keeps
// it a very fast sample instead of -Infinity, which would break every median and rank after it.
const floorMs = 1e-3;

// Exact U distributions are tabulated up to this size per side; the detectors' windows are at most
// 30 a side, so they always get exact p-values unless values tie.
const maxExactSide = 40;

/** Natural logarithms of durations: timings are multiplicative (a slow disk makes all steps slower). */
export function logValues(values: readonly number[]): number[] {
  return values.map((v) => Math.log(Math.max(v, floorMs)));
}

/** Median of the logarithms, the centre the detectors compare (the log of the median duration). */
export function medianLog(values: readonly number[]): number {
  return median(logValues(values));
}

/**
 * Robust effect: after / before from the medians of the logs (so `exp(·) - 1` reads as "+35%").
 * A single 10× build moves a median by at most one rank, never by 10×.
 */
export function logRatio(before: readonly number[], after: readonly number[]): number {
  return medianLog(after) - medianLog(before);
}

/** Robust spread of the logs (scaled MAD, ≈ the coefficient of variation for small noise). */
export function robustLogScale(values: readonly number[]): number {
  return 1.4826 * medianAbsoluteDeviation(logValues(values));
}

/** Upper tail of the standard normal, accurate in relative terms far into the tail. */
export function normalUpperTail(z: number): number {
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

/**
 * Mann-Whitney U test of `y` against `x`: 'greater' asks whether y tends to be larger than x.
 * Exact p-values from the permutation distribution of U when there are no ties and both sides are
 * small; otherwise the normal approximation with tie correction and continuity correction.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): RankTest {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');

  const { u, tieTerm } = countPairs(x, y);
  const mean = (n * m) / 2;
  const total = n + m;
  const variance = ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;

  if (tieTerm === 0 && n <= maxExactSide && m <= maxExactSide) {
    const cdf = exactUCdf(n, m);
    const lower = cdf[u] ?? 1;
    const upper = 1 - (u > 0 ? (cdf[u - 1] ?? 0) : 0);
    return { u, z, pValue: pickTail(alternative, lower, upper), exact: true };
  }

  if (variance <= 0) return { u, z: 0, pValue: 1, exact: false };

  const sd = Math.sqrt(variance);
  const upper = normalUpperTail((u - mean - 0.5) / sd);
  const lower = normalUpperTail((mean - u - 0.5) / sd);
  return { u, z, pValue: pickTail(alternative, lower, upper), exact: false };
}

// Beyond this the series is a drift, not noise around a level: the correction would swallow
// every real step, and the estimate from one window is too rough to trust that far.
const maxAutocorrelation = 0.8;

/**
 * Lag-1 autocorrelation of a series in time order, on ranks so that a 10× build counts as one
 * high value. 0 for fewer than 4 values. Build times drift (a busy week, a fuller disk): one slow
 * report is often followed by another, which rank tests that assume independent samples read as
 * evidence of a step.
 */
export function lagOneAutocorrelation(values: readonly number[]): number {
  const n = values.length;
  if (n < 4) return 0;

  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(n);
  order.forEach(([, i], rank) => (ranks[i] = rank));
  const mean = (n - 1) / 2;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    const d = (ranks[i] ?? 0) - mean;
    denominator += d * d;
    if (i > 0) numerator += d * ((ranks[i - 1] ?? 0) - mean);
  }
  return denominator > 0 ? numerator / denominator : 0;
}

/** Lag-1 autocorrelation as estimated from one window: the bias-corrected value and its error. */
export interface DependenceEstimate {
  rho: number;
  se: number;
}

/**
 * The window's lag-1 autocorrelation with its small-sample bias removed, and its standard error.
 * With the mean estimated from the same n values, r underestimates ρ by about (1 + 4ρ)/n
 * (Marriott & Pope 1954): 0.07 for ρ = 0.3 and n = 30, a quarter of the effect. The standard
 * error of r is about √((1 - ρ²)/n) (Bartlett): ±0.18 from 30 values, ±0.4 from 6.
 */
export function estimateDependence(values: readonly number[]): DependenceEstimate {
  const n = values.length;
  if (n < 4) return { rho: 0, se: 0 };
  const r = lagOneAutocorrelation(values);
  const rho = Math.min(Math.max((n * r + 1) / (n - 4), -maxAutocorrelation), maxAutocorrelation);
  return { rho, se: Math.sqrt((1 - rho * rho) / n) };
}

/**
 * Variance of (mean of a block of m values) − (mean of the n values before it, `gap` values
 * earlier) in an AR(1) series with lag-1 autocorrelation ρ, relative to independent values
 * (1/n + 1/m). Exact for the AR(1) covariances ρ^|i−j|: within-block pairs add variance, and pairs
 * across the two blocks, close in time, take some away. 1 for ρ ≤ 0 (negative dependence would
 * sharpen the test; it is not trusted to). The same factor widens a rank test, whose statistic is
 * a difference of mean ranks.
 */
export function blockDifferenceInflation(rho: number, n: number, m: number, gap = 0): number {
  if (n <= 0 || m <= 0) return 1;
  const r = Math.min(rho, maxAutocorrelation);
  if (r <= 0) return 1;

  const within = (k: number) => {
    let sum = k;
    for (let lag = 1, power = r; lag < k; lag++, power *= r) sum += 2 * (k - lag) * power;
    return sum;
  };
  const geometric = (k: number) => (1 - r ** k) / (1 - r);
  const across = r ** (gap + 1) * geometric(n) * geometric(m);
  const variance = within(n) / n ** 2 + within(m) / m ** 2 - (2 * across) / (n * m);
  return Math.max(1, variance / (1 / n + 1 / m));
}

// Three-point Gauss-Hermite rule for the mean of a function of a normal variable: nodes at 0 and
// ±√3 standard errors, weights 2/3 and 1/6 each.
const hermiteNodes = [
  { z: 0, weight: 2 / 3 },
  { z: Math.sqrt(3), weight: 1 / 6 },
  { z: -Math.sqrt(3), weight: 1 / 6 },
];

// The sampling variance of a median is about π/2 times that of a mean (less for a handful of
// values: the figure errs on the cautious side).
const medianEfficiency = Math.PI / 2;
// A window whose values (almost) tie has no spread to measure: 1% noise at least.
const minLogScale = 0.01;

/**
 * One-sided p-value of the shift between the medians of the logs of `after` and of `baseline`
 * (in time order, `gap` values between them), with the serial dependence the baseline shows
 * taken into account. A rank test cannot be widened for dependence: with 4 values after 30 it
 * saturates at p = 1/C(34, 4) = 2e-5 whether they sit 2 or 20 spreads higher, and under drift
 * four high values in a row are common. The size of the shift is what tells a step from drift,
 * so this test is on the shift itself: z = shift / (robust scale · √(π/2 · (1/n + 1/m) · f)),
 * f the AR(1) factor of `blockDifferenceInflation`, and the p-value averaged over the sampling
 * uncertainty of the estimated ρ (three Gauss-Hermite nodes). Plugging in the estimate alone
 * would trust a low ρ read from 30 values, and a drifting series that happened to look steady in
 * its baseline is where false alarms come from.
 */
export function dependentShiftPValue(
  baseline: readonly number[],
  after: readonly number[],
  alternative: 'greater' | 'less',
  gap = 0,
): number {
  const n = baseline.length;
  const m = after.length;
  if (n === 0 || m === 0) return 1;

  const shift = (medianLog(after) - medianLog(baseline)) * (alternative === 'greater' ? 1 : -1);
  const scale = Math.max(robustLogScale(baseline), minLogScale);
  const variance = medianEfficiency * scale ** 2 * (1 / n + 1 / m);
  const { rho, se } = estimateDependence(baseline);
  let p = 0;
  for (const { z, weight } of hermiteNodes) {
    const inflation = blockDifferenceInflation(rho + z * se, n, m, gap);
    p += weight * normalUpperTail(shift / Math.sqrt(variance * inflation));
  }
  return Math.min(1, p);
}

/**
 * The variance factor, at the estimated ρ, for a comparison of `m` values with the `baseline`
 * before them: for pooled tests (the fleet), where many machines' estimates average out.
 */
export function driftInflationOf(values: readonly number[], m: number, gap = 0): number {
  return blockDifferenceInflation(estimateDependence(values).rho, values.length, m, gap);
}

/**
 * A one-sided p-value recomputed with the test statistic's variance widened by `inflation`: the
 * z-score that gives p, divided by √inflation. Unchanged when there is nothing to widen.
 */
export function widenPValue(pValue: number, inflation: number): number {
  if (inflation <= 1 || pValue >= 0.5) return pValue;
  const z = -probit(Math.max(pValue, 1e-300));
  return Math.min(0.5, normalUpperTail(z / Math.sqrt(inflation)));
}

/**
 * Stratified rank test (van Elteren): one Mann-Whitney U per stratum (per machine), summed with
 * weights 1/(N+1), so that values are only ever ranked against values of the same machine. Pooling
 * raw values across machines would compare a fast laptop with a slow one; centring each machine on
 * its own median first would make the test too eager, because each centre is itself noisy. A
 * stratum's `inflation` widens its variance (a machine whose series drifts: `driftInflationOf`).
 */
export function stratifiedRankTest(
  strata: readonly { x: readonly number[]; y: readonly number[]; inflation?: number }[],
  alternative: Alternative = 'two-sided',
): { z: number; pValue: number } {
  let score = 0;
  let variance = 0;
  for (const { x, y, inflation = 1 } of strata) {
    const n = x.length;
    const m = y.length;
    if (n === 0 || m === 0) continue;

    const total = n + m;
    const { u, tieTerm } = countPairs(x, y);
    const v = ((n * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
    score += (u - (n * m) / 2) / (total + 1);
    variance += (v * Math.max(inflation, 1)) / (total + 1) ** 2;
  }
  if (variance <= 0) return { z: 0, pValue: 1 };

  const z = score / Math.sqrt(variance);
  return { z, pValue: pickTail(alternative, normalUpperTail(-z), normalUpperTail(z)) };
}

/** Confidence that a difference is real, as shown to people: 1 - p. */
export function confidence(pValue: number): number {
  return Math.min(1, Math.max(0, 1 - pValue));
}

function pickTail(alternative: Alternative, lower: number, upper: number): number {
  switch (alternative) {
    case 'greater':
      return Math.min(1, upper);
    case 'less':
      return Math.min(1, lower);
    case 'two-sided':
      return Math.min(1, 2 * Math.min(lower, upper));
  }
}

/**
 * U (pairs with y above x, ties one half) and the tie term Σ(t³ - t) over groups of equal values.
 * Counting against the sorted x's instead of ranking objects: ingestion calls this for every new
 * sample of every series, so it stays allocation-light.
 */
function countPairs(x: readonly number[], y: readonly number[]): { u: number; tieTerm: number } {
  const xs = Float64Array.from(x).sort();
  let u = 0;
  for (const value of y) {
    const below = lowerBound(xs, value);
    u += below + (upperBound(xs, value) - below) / 2;
  }

  const pooled = Float64Array.from([...x, ...y]).sort();
  let tieTerm = 0;
  let run = 1;
  for (let i = 1; i <= pooled.length; i++) {
    if (i < pooled.length && pooled[i] === pooled[i - 1]) {
      run++;
      continue;
    }
    tieTerm += run ** 3 - run;
    run = 1;
  }
  return { u, tieTerm };
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Per (n, m): cumulative P(U ≤ u). Ingestion asks for the same few window sizes over and over, and
// the table for 30 × 30 costs ~1 ms to build, so each is built once per process (at most 40², small).
const exactCdfCache = new Map<number, Float64Array>();

/**
 * Cumulative distribution of U for sizes n and m under the null hypothesis, from the recurrence
 * N(u; n, m) = N(u; n - 1, m) + N(u - n; n, m - 1) on the number of orderings with U = u.
 */
function exactUCdf(n: number, m: number): Float64Array {
  const key = n * (maxExactSide + 1) + m;
  const cached = exactCdfCache.get(key);
  if (cached) return cached;

  // counts[j] holds the distribution for (i, j) while i grows row by row.
  let previous: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const row: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const counts = new Float64Array(i * j + 1);
      const withoutX = previous[j] ?? new Float64Array(1);
      const withoutY = row[j - 1] ?? new Float64Array(1);
      for (let u = 0; u < counts.length; u++) {
        // The largest value is an x (no y beats it: U unchanged) or a y (it beats all i x's).
        counts[u] = (withoutX[u] ?? 0) + (u >= i ? (withoutY[u - i] ?? 0) : 0);
      }
      row.push(counts);
    }
    previous = row;
  }

  const counts = previous[m] ?? Float64Array.of(1);
  const total = counts.reduce((sum, c) => sum + c, 0);
  const cdf = new Float64Array(counts.length);
  let running = 0;
  for (let u = 0; u < counts.length; u++) {
    running += counts[u] ?? 0;
    cdf[u] = running / total;
  }

  exactCdfCache.set(key, cdf);
  return cdf;
}
