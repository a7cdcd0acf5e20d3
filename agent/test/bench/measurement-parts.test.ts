import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { mountTypeOf } from '../../src/bench/engine.js';
import { pathKindOf } from '../../src/bench/path-kind.js';
import {
  FILE_PHASES,
  FILE_WORK_SCRIPT,
  fileWorkArgs,
  OVERHEAD_PHASES,
  QUICK_SIZES,
  subtractOverhead,
} from '../../src/bench/file-work.js';
import { createProgress } from '../../src/bench/progress.js';
import { summarizePhase } from '../../src/bench/summary.js';
import {
  CLOCK_CHECK,
  parsePhaseTimings,
  scriptError,
  ScriptOutputError,
} from '../../src/bench/timed-script.js';

describe('summarizePhase', () => {
  it('keeps every sample and derives the median and interquartile range', () => {
    const result = summarizePhase('bind', 'create', [40, 10, 30, 20, 1000]);

    expect(result).toMatchObject({ location: 'bind', phase: 'create', medianMs: 30 });
    expect(result.samplesMs).toEqual([40, 10, 30, 20, 1000]);
    expect(result.spreadMs).toBeGreaterThan(0);
    expect(result.spreadMs).toBeLessThan(1000);
  });

  it('gives a zero spread for a single sample and rounds to microseconds', () => {
    expect(summarizePhase('native', 'walk', [1.23456789])).toMatchObject({
      samplesMs: [1.235],
      medianMs: 1.235,
      spreadMs: 0,
    });
  });
});

describe('pathKindOf', () => {
  it('tells a Windows drive seen from WSL from the distro’s own ext4', () => {
    const wsl = { platform: 'linux' as const, insideWsl: true };
    expect(pathKindOf({ ...wsl, path: '/mnt/c/Users/devuser/src' })).toBe('windows-drive-via-wsl');
    expect(pathKindOf({ ...wsl, path: '/mnt/D' })).toBe('windows-drive-via-wsl');
    expect(pathKindOf({ ...wsl, path: '/home/devuser/src' })).toBe('wsl-ext4');
    expect(pathKindOf({ ...wsl, path: '/mnt/wsl/shared' })).toBe('wsl-ext4');
  });

  it('names macOS, plain Linux and Windows hosts', () => {
    expect(pathKindOf({ platform: 'darwin', insideWsl: false, path: '/Users/devuser' })).toBe(
      'macos-host',
    );
    expect(pathKindOf({ platform: 'linux', insideWsl: false, path: '/mnt/c/x' })).toBe('linux');
    expect(pathKindOf({ platform: 'win32', insideWsl: false, path: 'C:\\src' })).toBe('windows');
  });
});

describe('parsePhaseTimings', () => {
  it('reads nanosecond timestamps into milliseconds and ignores other lines', () => {
    const out = [
      'ls: warning',
      'devfleet-bench create 1700000000000000000 1700000000012500000',
      'devfleet-bench stat 1700000000012600000 1700000000013100000',
    ].join('\n');

    expect(parsePhaseTimings(out, ['create', 'stat'])).toEqual([
      { phase: 'create', ms: 12.5 },
      { phase: 'stat', ms: 0.5 },
    ]);
  });

  it('fails on a missing phase and passes on the script’s own error', () => {
    expect(() => parsePhaseTimings('', ['cold'])).toThrow(/no time for cold/);
    expect(() =>
      parsePhaseTimings('devfleet-bench-error date +%s%N gives no nanoseconds here: N', []),
    ).toThrow(ScriptOutputError);
  });
});

describe('the timing overhead of in-container phases', () => {
  const mark = (phase: string, ms: number) => ({ phase, ms });

  it('takes each phase less the median of its empty phase, never below zero', () => {
    const timings = [
      ...[1, 2, 1.5, 1, 3].map((ms) => mark('timer', ms)),
      ...[3, 2, 2.5, 4, 3].map((ms) => mark('process', ms)),
      mark('create', 10),
      mark('stat', 2),
      mark('read', 13),
    ];

    const { phases, overhead } = subtractOverhead(timings);

    expect(overhead).toEqual(
      new Map([
        ['timer', 1.5],
        ['process', 3],
      ]),
    );
    expect(phases).toEqual(
      new Map([
        ['create', 8.5],
        ['stat', 0],
        ['read', 10],
      ]),
    );
  });

  it.skipIf(process.platform === 'win32')(
    'is measured by the file-work script itself, five empty phases of each kind',
    () => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'devfleet-test-filework-'));
      try {
        const stdout = execFileSync(
          'sh',
          ['-c', FILE_WORK_SCRIPT, 'sh', ...fileWorkArgs(folder, QUICK_SIZES)],
          { encoding: 'utf8' },
        );
        const timings = parsePhaseTimings(stdout, [...OVERHEAD_PHASES, ...FILE_PHASES]);

        expect(timings.filter((t) => t.phase === 'timer')).toHaveLength(5);
        expect(timings.filter((t) => t.phase === 'process')).toHaveLength(5);
        const { overhead } = subtractOverhead(timings);
        expect(overhead.get('timer')).toBeGreaterThan(0);
        expect(overhead.get('process')).toBeGreaterThan(0);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});

describe('mountTypeOf', () => {
  it('finds the file system type of a mount point in /proc/mounts', () => {
    const mounts = [
      'overlay / overlay rw,relatime 0 0',
      'C:\\134 /bench/bind 9p rw,relatime,dirsync,aname=drvfs 0 0',
      '/dev/vda /bench/binder ext4 rw 0 0',
    ].join('\n');

    expect(mountTypeOf(mounts, '/bench/bind')).toBe('9p');
    expect(mountTypeOf(mounts, '/bench/volume')).toBeNull();
  });
});

describe('the clock check every timed script starts with', () => {
  const runCheck = (path: string) => {
    try {
      return {
        code: 0,
        stdout: execFileSync('sh', ['-c', CLOCK_CHECK], { encoding: 'utf8', env: { PATH: path } }),
      };
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      return { code: failed.status, stdout: failed.stdout };
    }
  };

  it('passes with a date that prints nanoseconds', () => {
    expect(runCheck(process.env.PATH ?? '')).toEqual({ code: 0, stdout: 'ok\n' });
  });

  // BusyBox without FEATURE_DATE_NANO (Alpine) prints the seconds alone, or a literal "%N".
  it.each(['1700000000', '1700000000%N'])('refuses a date that prints %s', (output) => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'devfleet-test-date-'));
    try {
      writeFileSync(path.join(bin, 'date'), `#!/bin/sh\necho '${output}'\n`);
      chmodSync(path.join(bin, 'date'), 0o755);
      const result = runCheck(`${bin}:${process.env.PATH ?? ''}`);

      expect(result.code).toBe(3);
      expect(scriptError(result.stdout)).toMatch(/prints no nanoseconds/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('createProgress', () => {
  const fakeStream = (isTTY: boolean) => {
    const writes: string[] = [];
    const stream = {
      isTTY,
      write: (text: string) => writes.push(text) > 0,
    } as unknown as NodeJS.WriteStream;
    return { stream, writes };
  };

  it('rewrites one line on a terminal and clears it when done', () => {
    const { stream, writes } = fakeStream(true);
    const progress = createProgress(stream);

    progress.update({ benchmark: 'mount', location: 'bind', repetition: 2, of: 5 });
    progress.done();

    expect(writes[0]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(writes[0]).toMatch(/bench mount {2}bind {2}repetition 2\/5 {2}\d+\.\ds$/);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { stream, writes } = fakeStream(false);
    const progress = createProgress(stream);

    progress.update({ benchmark: 'build', location: 'copy' });
    progress.done();

    expect(writes).toEqual([]);
  });
});
