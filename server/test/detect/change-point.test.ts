import { describe, expect, it } from 'vitest';

import { detectLevelShift } from '../../src/detect/change-point.js';
import { following, seeded, series } from './synthetic.js';

describe('detectLevelShift', () => {
  it('finds a 50% level shift with no event behind it, and when it started', () => {
    const random = seeded(1);
    const before = series(random, 30, 60_000, 0.05);
    const after = following(before, series(random, 8, 90_000, 0.05));

    const shift = detectLevelShift([...before, ...after]);

    expect(shift?.kind).toBe('regression');
    expect(shift?.attribution).toBe('unattributed');
    expect(shift?.effect).toBeGreaterThan(0.4);
    expect(shift?.since).toBeGreaterThanOrEqual(after[0]?.at ?? Infinity);
  });

  it('stays quiet on pure noise, asked after every sample', () => {
    for (let seed = 2; seed < 12; seed++) {
      const samples = series(seeded(seed), 200, 60_000, 0.2);
      for (let end = 1; end <= samples.length; end++) {
        expect(detectLevelShift(samples.slice(Math.max(0, end - 43), end))).toBeNull();
      }
    }
  });

  it('ignores a single 10× sample wherever it falls', () => {
    const samples = series(seeded(13), 40, 60_000, 0.1);
    for (let i = 0; i < samples.length; i++) {
      const spiked = samples.map((s, j) => (j === i ? { ...s, valueMs: s.valueMs * 10 } : s));
      for (let end = 1; end <= spiked.length; end++) {
        expect(detectLevelShift(spiked.slice(0, end))).toBeNull();
      }
    }
  });

  it('needs a baseline before it says anything', () => {
    const random = seeded(14);
    const before = series(random, 5, 60_000, 0.05);
    const after = following(before, series(random, 8, 120_000, 0.05));

    expect(detectLevelShift([...before, ...after])).toBeNull();
  });
});
