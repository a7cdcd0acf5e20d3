import { describe, expect, it } from 'vitest';

import {
  confidence,
  dependenceInflation,
  driftInflationOf,
  lagOneAutocorrelation,
  widenPValue,
  logRatio,
  mannWhitneyU,
  medianLog,
  robustLogScale,
  stratifiedRankTest,
} from '../../src/detect/stats.js';

describe('mannWhitneyU', () => {
  it('counts U and gives the exact p-value of a tiny sample', () => {
    // y = [3, 5] against x = [1, 2, 4]: 3 beats two x's, 5 beats three, U = 5. Of the C(5,2) = 10
    // equally likely orderings, U ≥ 5 in two (U = 5 and U = 6).
    const test = mannWhitneyU([1, 2, 4], [3, 5], 'greater');

    expect(test.u).toBe(5);
    expect(test.exact).toBe(true);
    expect(test.pValue).toBeCloseTo(2 / 10, 12);
  });

  it('doubles the smaller tail for a two-sided test and flips it for "less"', () => {
    expect(mannWhitneyU([1, 2, 4], [3, 5], 'two-sided').pValue).toBeCloseTo(4 / 10, 12);
    expect(mannWhitneyU([1, 2, 4], [3, 5], 'less').pValue).toBeCloseTo(9 / 10, 12);
  });

  it('gives 1 / C(n + m, m) when every y is above every x', () => {
    const x = Array.from({ length: 30 }, (_, i) => i);
    const y = [100, 101, 102, 103, 104];

    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'greater').pValue).toBeCloseTo(1 / 20, 12);
    expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(1 / 324_632, 12);
  });

  it('uses the tie-corrected normal approximation when values tie', () => {
    // U = 1 + 2·½ + 3 + 3 = 8; mean 4.5; variance 9/12 · (7 - 24/30) = 4.65; with continuity
    // correction z = 3 / √4.65 = 1.3912, upper tail 0.08208.
    const test = mannWhitneyU([1, 2, 2], [2, 3, 4], 'greater');

    expect(test.u).toBe(8);
    expect(test.exact).toBe(false);
    expect(test.pValue).toBeCloseTo(0.08208, 4);
  });

  it('says nothing (p = 1) when all values are equal', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5], 'greater').pValue).toBe(1);
  });

  it('rejects an empty sample', () => {
    expect(() => mannWhitneyU([], [1], 'greater')).toThrow(RangeError);
  });
});

describe('stratifiedRankTest', () => {
  it('agrees with the uncorrected normal approximation of U for a single stratum', () => {
    const x = [10, 11, 12, 13, 14, 15];
    const y = [13.5, 16, 17];
    const single = mannWhitneyU(x, y, 'greater');

    expect(stratifiedRankTest([{ x, y }], 'greater').z).toBeCloseTo(single.z, 12);
  });

  it('ranks values only within their own machine', () => {
    // A slow machine that did not change and a fast one that did not change: pooling the raw
    // values would see "after" far above "before"; per machine there is nothing.
    const fast = { x: [10, 12, 11, 13], y: [11.5, 12.5] };
    const slow = { x: [100, 120, 110, 130], y: [115, 125] };

    expect(stratifiedRankTest([fast, slow], 'greater').pValue).toBeGreaterThan(0.2);
  });
});

describe('effect estimates', () => {
  it('reads +35% from the medians of the logs', () => {
    expect(Math.expm1(logRatio([100, 100, 100], [135, 135, 135]))).toBeCloseTo(0.35, 12);
  });

  it('moves the median by one rank, not by 10×, for a single outlier', () => {
    expect(Math.exp(medianLog([100, 101, 1000]))).toBeCloseTo(101, 9);
  });

  it('measures spread as a coefficient of variation', () => {
    expect(robustLogScale([90, 100, 110, 100, 90, 110])).toBeCloseTo(0.1, 1);
  });

  it('turns a p-value into a confidence', () => {
    expect(confidence(0.01)).toBeCloseTo(0.99, 12);
  });
});

describe('drift', () => {
  it('measures lag-1 autocorrelation on ranks, so one 10× value counts as one high value', () => {
    const drifting = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const alternating = [1, 10, 2, 9, 3, 8, 4, 7, 5, 6];

    expect(lagOneAutocorrelation(drifting)).toBeGreaterThan(0.6);
    expect(lagOneAutocorrelation(alternating)).toBeLessThan(-0.5);
    expect(lagOneAutocorrelation([...drifting.slice(0, 9), 1000])).toBeCloseTo(
      lagOneAutocorrelation(drifting),
      12,
    );
  });

  it('widens only for positive autocorrelation, and never past 0.8', () => {
    expect(dependenceInflation(-0.5)).toBe(1);
    expect(dependenceInflation(0.5)).toBeCloseTo(3, 12);
    expect(dependenceInflation(0.99)).toBeCloseTo(9, 12);
  });

  it('trusts the autocorrelation of a short window less', () => {
    const short = [1, 2, 3, 4, 5, 6];
    const long = Array.from({ length: 30 }, (_, i) => i);

    expect(driftInflationOf(short)).toBeLessThan(driftInflationOf(long));
    expect(driftInflationOf(short)).toBeLessThan(1.5);
  });

  it('recomputes a p-value for a widened test statistic', () => {
    expect(widenPValue(1e-4, 1)).toBe(1e-4);
    // z = 3.72 halved: 1.86, p ≈ 0.031.
    expect(widenPValue(1e-4, 4)).toBeGreaterThan(0.025);
    expect(widenPValue(1e-4, 4)).toBeLessThan(0.04);
    expect(widenPValue(0.7, 4)).toBe(0.7);
  });
});
