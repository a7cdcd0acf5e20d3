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
});
