import { describe, expect, it } from 'vitest';

import { assessResolution } from '../../src/detect/resolution.js';
import { following, seeded, series } from './synthetic.js';

describe('assessResolution', () => {
  const random = seeded(1);
  const baseline = series(random, 30, 60_000, 0.1);
  const regressed = following(baseline, series(random, 15, 84_000, 0.1));

  it('closes a regression once the series is back at its earlier level', () => {
    const recent = following(regressed, series(random, 8, 61_000, 0.1));

    const resolution = assessResolution(baseline, regressed, recent);

    expect(resolution?.resolved).toBe(true);
    expect(Math.abs(resolution?.remainingEffect ?? 1)).toBeLessThan(0.1);
    expect(resolution?.since).toBe(recent[0]?.at);
  });

  it('keeps it open while the series stays slow', () => {
    const recent = following(regressed, series(random, 8, 84_000, 0.1));

    expect(assessResolution(baseline, regressed, recent)?.resolved).toBe(false);
  });

  it('keeps it open when only part of the slowdown went away', () => {
    const recent = following(regressed, series(random, 10, 78_000, 0.05));

    expect(assessResolution(baseline, regressed, recent)?.resolved).toBe(false);
  });

  it('waits for enough recent samples: a few lucky builds are not a fix', () => {
    const recent = following(regressed, series(random, 3, 55_000, 0.1));

    expect(assessResolution(baseline, regressed, recent)).toBeNull();
  });

  it('judges the latest run, not everything since the alert', () => {
    // 22 more slow samples, then 8 back at the old level: the latest run is back.
    const r = seeded(2);
    const stillSlow = following(regressed, series(r, 22, 84_000, 0.1));
    const back = following(stillSlow, series(r, 8, 60_000, 0.1));

    const resolution = assessResolution(baseline, regressed, [...stillSlow, ...back]);

    expect(resolution?.resolved).toBe(true);
    expect(resolution?.recentCount).toBe(8);
  });

  it('closes a short regression: the noise is measured on the long baseline', () => {
    // Raised on 4 slow samples, then fixed: 4 against 8 cannot reach p ≤ 0.001 on its own.
    const r = seeded(3);
    const short = following(baseline, series(r, 4, 90_000, 0.1));
    const recent = following(short, series(r, 8, 60_000, 0.1));

    expect(assessResolution(baseline, short, recent)?.resolved).toBe(true);
  });

  it('reads an improvement that wore off as resolved too', () => {
    const r = seeded(4);
    const faster = following(baseline, series(r, 10, 40_000, 0.1));
    const recent = following(faster, series(r, 8, 60_000, 0.1));

    expect(assessResolution(baseline, faster, recent)?.resolved).toBe(true);
  });

  it('keeps it open while still slower than before, though less than its first samples said', () => {
    // Raised on 5 samples that looked 70% slower; the series settled 20% slower, and stays there.
    const r = seeded(5);
    const first = following(baseline, series(r, 5, 102_000, 0.1));
    const settled = following(first, series(r, 8, 72_000, 0.1));

    const resolution = assessResolution(baseline, first, settled);

    expect(resolution?.pValue).toBeLessThan(1e-3);
    expect(resolution?.resolved).toBe(false);
  });
});
