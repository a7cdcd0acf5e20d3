import { describe, expect, it } from 'vitest';

import { attributeShift } from '../../src/detect/attribution.js';
import type { Sample } from '../../src/detect/window.js';
import { following, seeded, series } from './synthetic.js';

/** Samples with a step by `factor` at sample index `stepAt`. */
function stepped(seed: number, count: number, stepAt: number, factor: number): Sample[] {
  const random = seeded(seed);
  const before = series(random, stepAt, 60_000, 0.1);
  return [...before, ...following(before, series(random, count - stepAt, 60_000 * factor, 0.1))];
}

const at = (samples: Sample[], index: number) => samples[index]?.at ?? 0;

describe('attributeShift', () => {
  it('blames the update, not the Windows build two reports after it', () => {
    const samples = stepped(1, 48, 30, 1.4);
    const update = { at: at(samples, 30), previousAt: 0 };
    const windows = { at: at(samples, 32), previousAt: update.at };

    const found = attributeShift(samples, [windows, update]);

    expect(found.regression?.index).toBe(1);
    expect(found.regression?.assessment.effect).toBeGreaterThan(0.3);
    expect(found.improvement).toBeNull();
  });

  it('blames the later change when the step came with it', () => {
    const samples = stepped(2, 56, 40, 1.4);
    const update = { at: at(samples, 30), previousAt: 0 };
    const windows = { at: at(samples, 40), previousAt: update.at };

    const found = attributeShift(samples, [windows, update]);

    expect(found.regression?.index).toBe(0);
  });

  it('reaches across a change soon before, when too few samples lie between', () => {
    const samples = stepped(3, 44, 32, 1.4);
    const earlier = { at: at(samples, 30), previousAt: 0 };
    const step = { at: at(samples, 32), previousAt: earlier.at };

    const found = attributeShift(samples, [step, earlier]);

    expect(found.regression?.index).toBe(0);
    expect(found.regression?.before.length).toBe(30);
  });

  it('finds nothing when no candidate changed anything', () => {
    const samples = stepped(4, 50, 30, 1);

    const found = attributeShift(samples, [
      { at: at(samples, 30), previousAt: 0 },
      { at: at(samples, 40), previousAt: at(samples, 30) },
    ]);

    expect(found).toEqual({ regression: null, improvement: null });
  });
});
