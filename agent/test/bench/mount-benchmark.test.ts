import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { BenchmarkRun } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FILE_PHASES } from '../../src/bench/file-work.js';
import { runMountBenchmark } from '../../src/bench/mount.js';
import { engineMissing, leftovers, MOUNT_IMAGE } from './docker-engine.js';

// A real engine: bind mounts, volumes and the container's layer behave differently on every
// setup, and only the real thing shows that the timings come out and nothing stays behind.
const missing = engineMissing();

describe.skipIf(missing !== null)(`mount benchmark on a real engine ${missing ?? ''}`, () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-mount-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('times every phase at every location and leaves nothing behind', async () => {
    const run = await runMountBenchmark({ quick: true, image: MOUNT_IMAGE, path: parent });

    expect(run.reason).toBeNull();
    expect(run.status).toBe('ok');
    expect(Value.Check(BenchmarkRun, run)).toBe(true);
    expect(run).toMatchObject({ kind: 'mount', quick: true, repetitions: 2, image: MOUNT_IMAGE });
    expect(run.imageDigest).toMatch(/sha256:/);
    expect(run.engineVersion).toBeTruthy();
    expect(run.pathKind).toBe('linux');
    expect(run.hostPath?.startsWith(parent)).toBe(true);
    expect(run.mountType).toBeTruthy();

    for (const location of ['native', 'bind', 'volume', 'container']) {
      for (const phase of FILE_PHASES) {
        const result = run.results.find((r) => r.location === location && r.phase === phase);
        expect(result, `${location}/${phase}`).toBeDefined();
        expect(result?.samplesMs).toHaveLength(2);
        for (const sample of result?.samplesMs ?? []) {
          // Less the timing overhead, a tiny in-container phase may come out as 0.
          expect(sample, `${location}/${phase}`).toBeGreaterThanOrEqual(0);
          expect(sample, `${location}/${phase}`).toBeLessThan(30_000);
        }
      }
    }

    // The timing overhead subtracted from the in-container phases: one per container run.
    for (const kind of ['timer', 'process']) {
      const overhead = run.results.find((r) => r.location === 'calibration' && r.phase === kind);
      expect(overhead?.samplesMs, kind).toHaveLength(3 * 2);
      expect(overhead?.medianMs, kind).toBeGreaterThan(0);
      expect(overhead?.medianMs, kind).toBeLessThan(1000);
    }

    expect(leftovers()).toEqual({ containers: [], volumes: [] });
    expect(await readdir(parent)).toEqual([]);
  });

  it('is skipped with the reason when the image is missing, and creates nothing', async () => {
    const run = await runMountBenchmark({
      quick: true,
      image: 'devfleet-test/no-such-image:1',
      pull: false,
      path: parent,
    });

    expect(run.status).toBe('skipped');
    expect(run.reason).toMatch(/no-such-image:1 is not present/);
    expect(run.results).toEqual([]);
    expect(await readdir(parent)).toEqual([]);
  });

  it('fails with a reason when its time is up, and cleans up all the same', async () => {
    const run = await runMountBenchmark({
      image: MOUNT_IMAGE,
      path: parent,
      repetitions: 50,
      timeoutMs: 4_000,
    });

    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/timed out/);
    expect(leftovers()).toEqual({ containers: [], volumes: [] });
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('mount benchmark without an engine', () => {
  it('is skipped when docker is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const run = await runMountBenchmark({ quick: true, path: os.tmpdir() });
      expect(run).toMatchObject({ status: 'skipped', results: [] });
      expect(run.reason).toMatch(/docker is not installed/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
