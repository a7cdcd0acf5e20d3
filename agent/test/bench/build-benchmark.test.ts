import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { BenchmarkRun } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runBuildBenchmark } from '../../src/bench/build.js';
import { runBenchmarks } from '../../src/bench/run-benchmarks.js';
import { engineMissing, GO_IMAGE, leftovers, MOUNT_IMAGE } from './docker-engine.js';

const missing = engineMissing();

describe.skipIf(missing !== null)(`build benchmark on a real engine ${missing ?? ''}`, () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-build-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('times cold and warm builds from the mount and from a copy, and cleans up', async () => {
    // docker alone on PATH: no Go on this host, so the native build is left out, and says so.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-dockeronly-'));
    await symlink(
      execFileSync('which', ['docker'], { encoding: 'utf8' }).trim(),
      path.join(bin, 'docker'),
    );
    const saved = process.env.PATH;
    process.env.PATH = bin;
    let run;
    try {
      run = await runBuildBenchmark({ quick: true, image: GO_IMAGE, path: parent });
    } finally {
      process.env.PATH = saved;
      await rm(bin, { recursive: true, force: true });
    }

    expect(run.status).toBe('ok');
    expect(run.reason).toBe('native build skipped: no `go` on this machine’s PATH');
    expect(run.results.filter((r) => r.location === 'native')).toEqual([]);
    expect(Value.Check(BenchmarkRun, run)).toBe(true);
    expect(run).toMatchObject({ kind: 'build', repetitions: 2, image: GO_IMAGE });
    expect(run.imageDigest).toMatch(/sha256:/);

    for (const location of ['mount', 'copy']) {
      for (const phase of ['cold', 'warm']) {
        const result = run.results.find((r) => r.location === location && r.phase === phase);
        expect(result?.samplesMs, `${location}/${phase}`).toHaveLength(2);
        for (const sample of result?.samplesMs ?? []) {
          // A Go build, even of one package from a warm cache, starts a compiler: > 10 ms.
          expect(sample, `${location}/${phase}`).toBeGreaterThan(10);
          expect(sample, `${location}/${phase}`).toBeLessThan(120_000);
        }
      }
    }

    expect(leftovers()).toEqual({ containers: [], volumes: [] });
    expect(await readdir(parent)).toEqual([]);
  });

  it('builds with the host’s own go as the baseline, in a clean environment', async () => {
    // A stand-in for go that fails unless the benchmark pinned its environment.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-gobin-'));
    const fakeGo = [
      '#!/bin/sh',
      'case "$1" in',
      '  version) echo "go version go1.99.0 linux/amd64" ;;',
      '  build) [ "$CGO_ENABLED" = 0 ] && [ "$GOPROXY" = off ] && [ -d "$GOCACHE" ] || exit 9',
      '    [ -f go.mod ] || exit 8; sleep 0.05; : > "$3" ;;',
      'esac',
    ];
    await writeFile(path.join(bin, 'go'), `${fakeGo.join('\n')}\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved ?? ''}`;
    const before = await scratchFolders();

    try {
      const run = await runBuildBenchmark({ quick: true, image: GO_IMAGE, path: parent });

      expect(run.reason).toBeNull();
      const native = run.results.filter((r) => r.location === 'native');
      expect(native.map((r) => r.phase)).toEqual(['cold', 'warm']);
      for (const result of native) expect(result.medianMs).toBeGreaterThanOrEqual(50);
      expect(await scratchFolders()).toEqual(before);
    } finally {
      process.env.PATH = saved;
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('is skipped when the image has no go, while the other benchmark still runs', async () => {
    const runs = await runBenchmarks({
      kinds: ['build', 'mount'],
      quick: true,
      buildImage: MOUNT_IMAGE,
      mountImage: MOUNT_IMAGE,
      path: parent,
    });

    expect(runs.map((run) => [run.kind, run.status])).toEqual([
      ['build', 'skipped'],
      ['mount', 'ok'],
    ]);
    expect(runs[0]?.reason).toMatch(/no go in the image/);
    expect(leftovers()).toEqual({ containers: [], volumes: [] });
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('build benchmark defaults', () => {
  it('repeats five times, and twice with --quick', async () => {
    const options = { image: 'devfleet-test/no-such-image:1', pull: false, path: os.tmpdir() };

    const full = await runBuildBenchmark(options);
    const quick = await runBuildBenchmark({ ...options, quick: true });

    expect(full).toMatchObject({ status: 'skipped', repetitions: 5 });
    expect(quick).toMatchObject({ status: 'skipped', repetitions: 2 });
  });
});

async function scratchFolders(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('devfleet-bench-go-'));
}
