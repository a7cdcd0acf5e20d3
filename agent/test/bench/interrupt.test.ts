import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { docker, engineMissing, GO_IMAGE, leftovers, MOUNT_IMAGE } from './docker-engine.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/interrupted-bench.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/bench/run-benchmarks.js', import.meta.url));

const missing = engineMissing();

describe.skipIf(missing !== null)(`Ctrl-C during a benchmark ${missing ?? ''}`, () => {
  let parent: string;

  beforeEach(async () => {
    if (!existsSync(BUILT)) {
      throw new Error(
        'agent/dist is missing: run `npm run build --workspace=devfleet-agent` first',
      );
    }
    parent = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-sigint-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it.each([
    ['mount', MOUNT_IMAGE],
    ['build', GO_IMAGE],
  ])('a SIGINT while the %s benchmark runs leaves nothing behind', async (kind, image) => {
    const child = spawn(process.execPath, [SCRIPT, kind, image, parent], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const container = await waitFor(() => leftovers().containers[0], 60_000);
    // Let it get into the timed work (a `docker exec` running), the hardest moment to stop.
    await waitFor(
      () => docker(['top', container]).includes(kind === 'build' ? 'go' : 'sh'),
      30_000,
    );
    child.kill('SIGINT');

    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted by SIGINT/);
    expect(leftovers()).toEqual({ containers: [], volumes: [] });
    expect(await readdir(parent)).toEqual([]);
  });
});

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = probe();
    } catch {
      value = undefined;
    }
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
