import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { assessChange } from '../../src/detect/machine-detector.js';
import { following, seeded, series } from './synthetic.js';

// Regression reports people posted in public issues (tests/fixtures, header above `---`). The
// durations are read from the posted text, not typed here, so each shape is the one reported.
const fixtures = path.resolve(import.meta.dirname, '../../../tests/fixtures');

function posted(file: string): string {
  const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
  return text.slice(text.indexOf('\n---\n') + 5);
}

/** Seconds in "1 hour 11 minutes", "19 minutes 20 seconds", "2m17.010s", "0min 42sec", "~0.8s". */
function seconds(text: string): number {
  const unit = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return (
    unit(/(\d+)\s*(?:hours?|h)\b/) * 3600 +
    unit(/(\d+)\s*(?:minutes?|min|m)(?=\b|\d)/) * 60 +
    unit(/([\d.]+)\s*(?:seconds?|sec|s)\b/)
  );
}

interface Shape {
  what: string;
  before: number;
  after: number;
}

const shapes: Shape[] = [
  (() => {
    // `time docker run … rake --tasks`: without the bind mount, then with it, on 3.3.0.
    const [without, withMount] = [
      ...posted('38-regression-bind-mount-rake-3.3.0-macos.txt').matchAll(/real\s+(\S+)`/g),
    ].map((m) => seconds(m[1] ?? ''));
    return { what: 'rake with a bind mount on 3.3.0', before: without ?? 0, after: withMount ?? 0 };
  })(),
  (() => {
    // The job on 2.1.0.5 against 2.3.0.2, both Hyper-V with the files on Windows.
    const text = posted('39-regression-win-hyperv-vs-wsl2-mount-2.3.0.2.txt');
    const line = (version: string) =>
      seconds(text.split('\n').find((l) => l.includes(`**${version}** Hyper-V`)) ?? '');
    return { what: 'a job on 2.3.0.2 Hyper-V', before: line('2.1.0.5'), after: line('2.3.0.2') };
  })(),
  (() => {
    // A request with gRPC FUSE, then with VirtioFS, on 4.15.0.
    const text = posted('40-regression-virtiofs-vs-grpcfuse-4.15.0-intel-mac.txt');
    const [virtiofs, grpc] = [...text.matchAll(/takes ~([\d.]+)s|average time is ~([\d.]+)s/g)].map(
      (m) => Number(m[1] ?? m[2]),
    );
    return { what: 'a request with VirtioFS', before: grpc ?? 0, after: virtiofs ?? 0 };
  })(),
  ...(() => {
    // Kernel builds on a named volume, then on a bind mount.
    const text = posted('42-regression-volume-vs-bind-mount-kernel-build-table.txt');
    return text
      .split('\n')
      .filter((l) => /^\| (build|re-build)/.test(l))
      .map((l) => {
        const [, what, volume, bind] = l.split('|').map((c) => c.trim());
        return {
          what: `kernel ${what} on a bind mount`,
          before: seconds(volume ?? ''),
          after: seconds(bind ?? ''),
        };
      });
  })(),
  (() => {
    // A test suite of 18 minutes that timed out after 60 on 3.2.2: at least that much slower.
    const text = posted('44-regression-test-suite-18min-to-timeout-3.2.2.txt');
    const before = Number(/took (\d+) minutes/.exec(text)?.[1] ?? 0) * 60;
    const after = Number(/timed out after (\d+) minutes/.exec(text)?.[1] ?? 0) * 60;
    return { what: 'a test suite on 3.2.2 (censored at its timeout)', before, after };
  })(),
];

describe('the shapes of posted regressions', () => {
  it('reads each posted duration', () => {
    expect(shapes.map(({ before, after }) => [before, after])).toEqual([
      [6.962, 137.01],
      [19 * 60 + 20, 71 * 60],
      [0.07, 0.8],
      [16 * 60, 18 * 60 + 14],
      [42, 126],
      [32, 126],
      [18 * 60, 60 * 60],
    ]);
  });

  // At 10% noise, 30 builds before the change and 5 after it: what a machine reporting three
  // times a day has within two days of the update.
  for (const shape of shapes.filter((s) => s.after / s.before >= 1.5)) {
    it(`flags ${shape.what} by the fifth build, with its size`, () => {
      const random = seeded(11);
      const before = series(random, 30, shape.before * 1000, 0.1);
      const after = following(before, series(random, 5, shape.after * 1000, 0.1));

      const assessment = assessChange(before, after);

      expect(assessment?.kind).toBe('regression');
      const ratio = 1 + (assessment?.effect ?? 0);
      expect(Math.abs(Math.log(ratio / (shape.after / shape.before)))).toBeLessThan(0.15);
    });
  }

  it('flags the 14% slower kernel build from scratch once the builds after it say so', () => {
    const shape = shapes.find((s) => s.what.includes('from scratch'));
    const random = seeded(12);
    const before = series(random, 30, (shape?.before ?? 0) * 1000, 0.05);
    const after = following(before, series(random, 15, (shape?.after ?? 0) * 1000, 0.05));

    expect(assessChange(before, after.slice(0, 3))?.kind).toBe('none');
    expect(assessChange(before, after)?.kind).toBe('regression');
  });

  it('calls moving the project back off the slow share an improvement', () => {
    // The same posted job: 1 h 11 min on Hyper-V with Windows files, 1 min 32 s on WSL 2 with
    // the files in the Linux file system.
    const text = posted('39-regression-win-hyperv-vs-wsl2-mount-2.3.0.2.txt');
    const wsl = seconds(text.split('\n').find((l) => l.includes('WSL 2 backend')) ?? '');
    expect(wsl).toBe(92);
    const random = seeded(13);
    const before = series(random, 30, 71 * 60_000, 0.1);
    const after = following(before, series(random, 5, wsl * 1000, 0.1));

    expect(assessChange(before, after)?.kind).toBe('improvement');
  });
});
