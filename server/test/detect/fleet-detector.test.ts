import { describe, expect, it } from 'vitest';

import {
  assessFleet,
  fleetMembers,
  type ControlMachine,
  type Mover,
} from '../../src/detect/fleet-detector.js';
import { following, seeded, series } from './synthetic.js';

const day = 24 * 3_600_000;

/** A fleet whose movers update on day 20 and whose control machines don't (9 and 5 of them). */
function fleet(
  seed: number,
  moverFactor: number,
  controlFactor: number,
  cv = 0.1,
  after = 6,
  size = { movers: 9, controls: 5 },
) {
  const random = seeded(seed);
  const movers: Mover[] = [];
  const controls: ControlMachine[] = [];

  for (let i = 0; i < size.movers; i++) {
    const level = 40_000 + 5_000 * i;
    const before = series(random, 30, level, cv, 10 * day);
    const afterSamples = following(before, series(random, after, level * moverFactor, cv));
    movers.push({
      machineId: `mover-${i}`,
      changedAt: (before.at(-1)?.at ?? 0) + 1,
      before,
      after: afterSamples,
    });
  }
  for (let i = 0; i < size.controls; i++) {
    const level = 45_000 + 5_000 * i;
    const before = series(random, 30, level, cv, 10 * day);
    const later = following(before, series(random, after, level * controlFactor, cv));
    controls.push({ machineId: `control-${i}`, samples: [...before, ...later] });
  }
  return { movers, controls };
}

describe('assessFleet', () => {
  it('finds the update that made 9 machines 35% slower while the 5 others stayed put', () => {
    const { movers, controls } = fleet(1, 1.35, 1);

    const result = assessFleet(movers, controls);

    expect(result?.kind).toBe('regression');
    expect(result?.movers).toBe(9);
    expect(result?.slower).toBe(9);
    expect(result?.medianChange).toBeGreaterThan(0.28);
    expect(result?.medianChange).toBeLessThan(0.42);
    expect(result?.control?.machines).toBe(5);
    expect(Math.abs(result?.control?.medianChange ?? 1)).toBeLessThan(0.08);
  });

  it('names every mover that got slower once the fleet is, significant on its own or not', () => {
    // +20% at 10% noise, 4 samples after: the pooled test is sure, most single movers are not.
    const { movers, controls } = fleet(3, 1.2, 1, 0.1, 4);
    // One mover that got faster instead (its own problem, or a faster disk): not a member.
    const odd = movers[0]!;
    movers[0] = {
      ...odd,
      after: odd.after.map((s) => ({ ...s, valueMs: s.valueMs / 1.2 / 1.2 })),
    };

    const result = assessFleet(movers, controls);
    const members = result ? fleetMembers(result).map((m) => m.machineId) : [];

    expect(result?.kind).toBe('regression');
    expect(result?.slower).toBeLessThan(8);
    expect(members).not.toContain('mover-0');
    expect(members.length).toBeGreaterThan(result?.slower ?? 0);
    for (const m of result?.machines ?? []) {
      expect(members.includes(m.machineId)).toBe(m.assessment.effect > 0);
    }
  });

  it('names a mover that changed something just before, judged across that change', () => {
    const { movers, controls } = fleet(4, 1.35, 1);
    // Mover 0 changed something 2 reports before the update: 2 samples of its own before window.
    const full = movers[0]!;
    movers[0] = { ...full, before: full.before.slice(-2), earlier: full.before };

    const result = assessFleet(movers, controls);

    expect(result?.kind).toBe('regression');
    expect(result?.machines.map((m) => m.machineId)).not.toContain('mover-0');
    expect(result?.unpooled.map((m) => m.machineId)).toEqual(['mover-0']);
    expect(fleetMembers(result!).map((m) => m.machineId)).toContain('mover-0');
  });

  it('ignores a control machine that only started reporting after the split', () => {
    const { movers, controls } = fleet(5, 1.35, 1);
    const late = controls[0]!.samples.filter((s) => s.at > (movers[0]?.changedAt ?? 0) + day);
    controls.push({ machineId: 'control-new', samples: late });

    const result = assessFleet(movers, controls);

    expect(result?.kind).toBe('regression');
    expect(result?.control?.machines).toBe(5);
  });

  it('blames nothing on the update when the machines that did not take it got as slow', () => {
    const { movers, controls } = fleet(2, 1.35, 1.35);

    const result = assessFleet(movers, controls);

    expect(result?.medianChange).toBeGreaterThan(0.25);
    expect(result?.control?.medianChange).toBeGreaterThan(0.25);
    expect(result?.kind).toBe('none');
  });

  it('stays quiet when the update changed nothing', () => {
    for (let seed = 3; seed < 13; seed++) {
      const { movers, controls } = fleet(seed, 1, 1, 0.2);

      expect(assessFleet(movers, controls)?.kind).toBe('none');
    }
  });

  it('still judges without a control group, and says there was none', () => {
    const { movers } = fleet(4, 1.35, 1);

    const result = assessFleet(movers, []);

    expect(result?.kind).toBe('regression');
    expect(result?.control).toBeNull();
  });

  it('needs at least two machines with enough samples', () => {
    const { movers, controls } = fleet(5, 1.35, 1);
    const waiting = movers.slice(1).map((m) => ({ ...m, after: m.after.slice(0, 2) }));

    expect(assessFleet(movers.slice(0, 1), controls)).toBeNull();
    expect(assessFleet([movers[0] ?? waiting[0]!, ...waiting], controls)).toBeNull();
  });

  it('is not fooled by every updated machine having one cold 10× build right after', () => {
    const { movers, controls } = fleet(6, 1, 1, 0.2);
    const cold = movers.map((m) => ({
      ...m,
      after: m.after.slice(0, 3).map((s, i) => (i === 0 ? { ...s, valueMs: s.valueMs * 10 } : s)),
    }));

    expect(assessFleet(cold, controls)?.kind).toBe('none');
  });

  it('counts as slower only the movers whose own change reaches the minimum effect', () => {
    const { movers, controls } = fleet(7, 1.35, 1);
    const unchanged = fleet(8, 1, 1).movers.slice(0, 4);

    const result = assessFleet([...movers.slice(0, 5), ...unchanged], controls);

    expect(result?.kind).toBe('regression');
    expect(result?.movers).toBe(9);
    expect(result?.slower).toBe(5);
    expect(result?.machines.filter((m) => m.change === 'slower')).toHaveLength(5);
  });

  it('needs two movers slower on their own: one slow machine is its own alert', () => {
    const random = seeded(9);
    const slow = fleet(9, 1.6, 1).movers[0]!;
    const before = series(random, 30, 50_000, 0.1, 10 * day);
    const same = {
      machineId: 'same',
      changedAt: (before.at(-1)?.at ?? 0) + 1,
      before,
      after: following(before, series(random, 20, 50_000, 0.1)),
    };
    const long = { ...slow, after: following(slow.before, series(random, 20, 60_000 * 1.6, 0.1)) };

    const result = assessFleet([long, same], fleet(9, 1.6, 1).controls);

    expect(result?.slower).toBe(1);
    expect(result?.kind).toBe('none');
  });

  it('compares with the control at the rate its level promises when every machine slowed', () => {
    // Movers and the two machines that stayed put all got 25% slower (a project that grew): the
    // control comparison should call the movers worse in about 5% of fleets at p ≤ 0.05.
    let flagged = 0;
    const fleets = 400;
    for (let seed = 100; seed < 100 + fleets; seed++) {
      const { movers, controls } = fleet(seed, 1.25, 1.25, 0.15, 15);
      const result = assessFleet(movers, controls.slice(0, 2));
      if ((result?.control?.pValue ?? 1) <= 0.05) flagged++;
    }

    expect(flagged / fleets).toBeLessThan(0.08);
  });

  it('finds two movers of four 20% slower by their fifth build, and nothing unchanged', () => {
    // 10% noise, 5 builds after, the first set aside as a possible cold one: each mover's 4
    // samples are weak evidence, and two of them are all there is. Out of 200 teams, about a
    // quarter are found at this report (a tenth at alpha 1e-4); unchanged teams never.
    const teams = 200;
    const team = { movers: 2, controls: 2 };
    let found = 0;
    let falseAlarms = 0;
    for (let seed = 1; seed <= teams; seed++) {
      const slower = fleet(seed, 1.2, 1, 0.1, 5, team);
      if (assessFleet(slower.movers, slower.controls)?.kind === 'regression') found++;
      const same = fleet(seed, 1, 1, 0.1, 8, team);
      if (assessFleet(same.movers, same.controls)?.kind !== 'none') falseAlarms++;
    }

    expect(found / teams).toBeGreaterThan(0.2);
    expect(falseAlarms).toBe(0);
  });
});
