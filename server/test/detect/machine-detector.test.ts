import { describe, expect, it } from 'vitest';

import { assessChange } from '../../src/detect/machine-detector.js';
import { following, seeded, series } from './synthetic.js';

describe('assessChange', () => {
  it('detects a clear 35% step with the right effect', () => {
    const random = seeded(1);
    const before = series(random, 20, 60_000, 0.05);
    const after = following(before, series(random, 8, 81_000, 0.05));

    const assessment = assessChange(before, after);

    expect(assessment?.kind).toBe('regression');
    expect(assessment?.effect).toBeGreaterThan(0.3);
    expect(assessment?.effect).toBeLessThan(0.4);
    expect(assessment?.pValue).toBeLessThan(1e-4);
    expect(assessment?.beforeCount).toBe(20);
    expect(assessment?.afterCount).toBe(8);
  });

  it('flags the shapes of real reports by the fifth build after the update', () => {
    // A job from 19 to 71 minutes (docker/for-win#6742), a release 3× slower with VirtioFS, WSL
    // 1.1.3 ten times slower than 1.0.3.
    for (const factor of [71 / 19, 3, 10]) {
      const random = seeded(7);
      const before = series(random, 30, 19 * 60_000, 0.1);
      const after = following(before, series(random, 5, 19 * 60_000 * factor, 0.1));

      const assessment = assessChange(before, after);

      expect(assessment?.kind).toBe('regression');
      expect(Math.log1p(assessment?.effect ?? 0)).toBeCloseTo(Math.log(factor), 0);
    }
  });

  it('detects an improvement (a 40% faster build) as such', () => {
    const random = seeded(2);
    const before = series(random, 30, 60_000, 0.05);
    const after = following(before, series(random, 8, 36_000, 0.05));

    expect(assessChange(before, after)?.kind).toBe('improvement');
  });

  it('stays quiet on pure noise', () => {
    for (let seed = 10; seed < 40; seed++) {
      const random = seeded(seed);
      const before = series(random, 30, 60_000, 0.2);
      const after = following(before, series(random, 10, 60_000, 0.2));

      expect(assessChange(before, after)?.kind).toBe('none');
    }
  });

  it('never alerts on a single 10× build after the change', () => {
    const random = seeded(3);
    const before = series(random, 30, 60_000, 0.1);
    for (const count of [3, 4, 5, 8]) {
      const after = following(before, series(random, count, 60_000, 0.1));
      after[0] = { at: after[0]?.at ?? 0, valueMs: 600_000 };

      expect(assessChange(before, after)?.kind).toBe('none');
    }
  });

  it('pages nobody for a 2% wobble, however certain', () => {
    const before = Array.from({ length: 30 }, (_, i) => ({ at: i, valueMs: 1000 + (i % 3) }));
    const after = Array.from({ length: 30 }, (_, i) => ({ at: 100 + i, valueMs: 1020 + (i % 3) }));

    const assessment = assessChange(before, after);

    expect(assessment?.pValue).toBeLessThan(1e-6);
    expect(assessment?.kind).toBe('none');
  });

  it('waits for enough samples on each side', () => {
    const random = seeded(4);
    const before = series(random, 30, 60_000, 0.05);
    const after = following(before, series(random, 8, 120_000, 0.05));

    expect(assessChange(before.slice(-4), after)).toBeNull();
    expect(assessChange(before, after.slice(0, 2))).toBeNull();
  });

  it('looks at no more than 30 samples on each side of the change', () => {
    const random = seeded(5);
    const before = series(random, 200, 60_000, 0.05);
    const after = following(before, series(random, 100, 90_000, 0.05));

    const assessment = assessChange(before, after);

    expect(assessment?.beforeCount).toBe(30);
    expect(assessment?.afterCount).toBe(30);
  });

  it('takes samples in any order', () => {
    const random = seeded(6);
    const before = series(random, 20, 60_000, 0.05);
    const after = following(before, series(random, 8, 81_000, 0.05));

    const shuffled = assessChange([...before].reverse(), [...after].reverse());

    expect(shuffled).toEqual(assessChange(before, after));
  });

  it('reaches the same verdict with an extra 10× build as without it', () => {
    for (let seed = 20; seed < 40; seed++) {
      const random = seeded(seed);
      const before = series(random, 30, 60_000, 0.1);
      const after = following(before, series(random, 4 + (seed % 5), 66_000, 0.1));
      const cold = { at: (before.at(-1)?.at ?? 0) + 1, valueMs: 600_000 };

      const clean = assessChange(before, after);
      const withCold = assessChange(before, [cold, ...after]);

      expect(withCold?.kind).toBe(clean?.kind);
      expect(withCold?.effect).toBeCloseTo(clean?.effect ?? NaN, 12);
    }
  });

  it('judges a step on a short history by its size once no sample overlaps', () => {
    // 15 before and 4 after (one set aside): ranks alone bottom out at 1 / C(18, 3) = 1.2e-3 in
    // the confirming window, above alpha, however far apart the two sides are.
    const random = seeded(8);
    const before = series(random, 15, 60_000, 0.05);
    const after = following(before, series(random, 5, 96_000, 0.05));

    const assessment = assessChange(before, after);
    const ranksOnly = assessChange(before, after, { separatedAlpha: 0 });

    expect(assessment?.kind).toBe('regression');
    expect(assessment?.pValue).toBeLessThan(1e-6);
    expect(ranksOnly?.kind).toBe('none');
  });

  it('lets the ranks decide while the sides overlap or the window is too short for them', () => {
    const random = seeded(9);
    const before = series(random, 15, 60_000, 0.05);
    const separated = following(before, series(random, 5, 96_000, 0.05));
    // One slow sample among the after ones sits inside the before window: no longer separated.
    const overlapping = [...separated];
    overlapping[2] = { at: overlapping[2]?.at ?? 0, valueMs: 60_000 };
    // Five before and three after: 1 / C(8, 3) = 0.018, too little for ranks to vouch for.
    const tiny = following(before.slice(-5), series(random, 4, 120_000, 0.05));

    expect(assessChange(before, separated)?.kind).toBe('regression');
    expect(assessChange(before, overlapping)?.kind).toBe('none');
    expect(assessChange(before.slice(-5), tiny)?.kind).toBe('none');
    expect(assessChange(before.slice(-5), tiny, { separatedAlpha: 1 })?.kind).toBe('regression');
  });
});
