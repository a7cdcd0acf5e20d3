import { describe, expect, it } from 'vitest';

import {
  blockDifferenceInflation,
  confidence,
  dependentShiftPValue,
  driftInflationOf,
  estimateDependence,
  lagOneAutocorrelation,
  widenPValue,
  logRatio,
  mannWhitneyU,
  medianLog,
  robustLogScale,
  stratifiedRankTest,
} from '../../src/detect/stats.js';

import { seeded } from './synthetic.js';

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

  it('removes the small-sample bias of the estimate and gives its standard error', () => {
    // Ranks 0…9 in order: Σ d·d₋₁ = 57.75 over Σ d² = 82.5, r = 0.7; (10·0.7 + 1) / 6 = 1.33,
    // beyond the 0.8 cap; se = √((1 - 0.64) / 10).
    const drifting = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(lagOneAutocorrelation(drifting)).toBeCloseTo(0.7, 12);
    expect(estimateDependence(drifting).rho).toBe(0.8);
    expect(estimateDependence(drifting).se).toBeCloseTo(Math.sqrt(0.036), 12);
    expect(estimateDependence([1, 2, 3])).toEqual({ rho: 0, se: 0 });
  });

  it('widens a difference of block means by the AR(1) variance, exactly', () => {
    expect(blockDifferenceInflation(0, 30, 5)).toBe(1);
    expect(blockDifferenceInflation(-0.5, 30, 5)).toBe(1);
    // Blocks of 3 and 1 far apart, ρ = 0.5: Var(mean of 3) = (3 + 2·(2·0.5 + 0.25)) / 9 = 5.5 / 9,
    // Var(one value) = 1; independent: 1/3 + 1. (0.6111 + 1) / 1.3333 = 1.2083.
    expect(blockDifferenceInflation(0.5, 3, 1, 1000)).toBeCloseTo(1.6111111 / 1.3333333, 6);
    // Long blocks: (1 + ρ) / (1 - ρ) = 3, less what adjacent blocks share at their border.
    expect(blockDifferenceInflation(0.5, 4000, 4000, 1e6)).toBeCloseTo(3, 2);
    expect(blockDifferenceInflation(0.5, 4000, 4000)).toBeLessThan(3);
    expect(blockDifferenceInflation(0.5, 4000, 4000)).toBeGreaterThan(2.99);
    // Five values right after thirty: the five's own drift dominates.
    const five = blockDifferenceInflation(0.5, 30, 5);
    expect(five).toBeGreaterThan(1.5);
    expect(five).toBeLessThan(3);
  });

  it('estimates the drift of a long window and widens by it', () => {
    const long = Array.from({ length: 30 }, (_, i) => i);
    const alternating = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? i : 100 - i));

    expect(driftInflationOf(long, 5)).toBeGreaterThan(2);
    expect(driftInflationOf(alternating, 5)).toBe(1);
  });

  it('keeps a step test near its level on AR(1) noise, and within it on independent noise', () => {
    const random = seeded(7);
    const normal = () =>
      Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
    // Durations with 10% log-noise, AR(1) in time.
    const ar1 = (phi: number, length: number) => {
      let x = normal();
      return Array.from({ length }, () => {
        x = phi * x + Math.sqrt(1 - phi ** 2) * normal();
        return 60_000 * Math.exp(0.1 * x);
      });
    };
    const rejections = (phi: number, adjust: boolean) => {
      let count = 0;
      for (let i = 0; i < 2000; i++) {
        const values = ar1(phi, 35);
        const before = values.slice(0, 30);
        const after = values.slice(30);
        const p = mannWhitneyU(before, after, 'greater').pValue;
        const adjusted = adjust ? Math.max(p, dependentShiftPValue(before, after, 'greater')) : p;
        if (adjusted <= 0.01) count++;
      }
      return count / 2000;
    };

    // Drifting noise: the rank test alone rejects 9 times too often (8.7% at 1%); with the shift
    // test beside it, 1.7%: ρ read from 30 values, and the spread of a drifting window, are
    // still a little short of the truth.
    expect(rejections(0.6, false)).toBeGreaterThan(0.06);
    expect(rejections(0.6, true)).toBeLessThan(0.02);
    // Independent noise: both tests must hold, so the pair is cautious (0.3% at 1%).
    expect(rejections(0, true)).toBeGreaterThan(0.001);
    expect(rejections(0, true)).toBeLessThanOrEqual(0.01);
  });

  it('recomputes a p-value for a widened test statistic', () => {
    expect(widenPValue(1e-4, 1)).toBe(1e-4);
    // z = 3.72 halved: 1.86, p ≈ 0.031.
    expect(widenPValue(1e-4, 4)).toBeGreaterThan(0.025);
    expect(widenPValue(1e-4, 4)).toBeLessThan(0.04);
    expect(widenPValue(0.7, 4)).toBe(0.7);
  });
});
