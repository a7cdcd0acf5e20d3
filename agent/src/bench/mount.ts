import path from 'node:path';

import type { BenchmarkRun } from '@devfleet/wire';

import {
  recordEngine,
  repeatAtLocations,
  runInSandbox,
  type BenchContext,
  type BenchDraft,
  type CommonBenchOptions,
  type Location,
} from './bench-run.js';
import { checkClock, mountTypeOf } from './engine.js';
import { describeFailure } from './exec-tool.js';
import {
  DEFAULT_SIZES,
  FILE_PHASES,
  FILE_WORK_SCRIPT,
  fileWorkArgs,
  OVERHEAD_PHASES,
  QUICK_SIZES,
  runFileWorkNatively,
  subtractOverhead,
  type FileWorkSizes,
} from './file-work.js';
import { hostPathKind } from './path-kind.js';
import { parsePhaseTimings, scriptError } from './timed-script.js';

export interface MountBenchOptions extends CommonBenchOptions {
  /** Overrides the default (or quick) sizes. */
  sizes?: FileWorkSizes;
}

// Small, common, and with GNU date: Alpine's BusyBox date has no nanoseconds (see
// timed-script.ts), so it cannot time a phase inside the container. Tests pass a local image.
export const DEFAULT_MOUNT_IMAGE = 'debian:bookworm-slim';

const BIND = '/bench/bind';
const VOLUME = '/bench/volume';
// A folder in the container's own writable layer (overlayfs on every engine we met).
const CONTAINER = '/bench/container';
/** The results' location for the in-container timing overhead that was subtracted. */
export const CALIBRATION = 'calibration';

/**
 * Times the same file work in a bind-mounted host folder, a named volume, the container's own
 * file system and natively on the host, interleaved repetition by repetition so that a busy
 * moment of the machine touches every location alike.
 */
export function runMountBenchmark(options: MountBenchOptions = {}): Promise<BenchmarkRun> {
  const defaults = {
    kind: 'mount' as const,
    image: DEFAULT_MOUNT_IMAGE,
    repetitions: 5,
    timeoutMs: 5 * 60_000,
    quickTimeoutMs: 2 * 60_000,
  };
  return runInSandbox(defaults, options, (context, draft) =>
    measureMounts(context, draft, options.sizes ?? (context.quick ? QUICK_SIZES : DEFAULT_SIZES)),
  );
}

async function measureMounts(
  context: BenchContext,
  draft: BenchDraft,
  sizes: FileWorkSizes,
): Promise<void> {
  const { sandbox, signal } = context;

  await recordEngine(context, draft);

  const hostFolder = await context.makeHostFolder();
  draft.hostPath = hostFolder;
  draft.pathKind = await hostPathKind(hostFolder);

  const volume = await sandbox.createVolume();
  const container = await sandbox.startContainer({
    image: draft.image,
    mounts: [{ source: hostFolder, target: BIND }],
    volumes: [{ name: volume, target: VOLUME }],
    tmpfs: [],
    lifetimeSeconds: Math.ceil(context.timeoutMs / 1000) + 60,
  });
  signal.throwIfAborted();
  await checkClock(sandbox, container, draft.image, signal);

  const mounts = await sandbox.exec(container, 'cat /proc/mounts', [], {
    timeoutMs: 20_000,
    signal,
  });
  draft.mountType = mountTypeOf(mounts.stdout, BIND);

  const inContainer = (name: string, folder: string): Location => ({
    name,
    run: async () => {
      const result = await sandbox.exec(container, FILE_WORK_SCRIPT, fileWorkArgs(folder, sizes), {
        timeoutMs: context.timeoutMs,
        signal,
      });
      signal.throwIfAborted();
      if (result.exitCode !== 0 && scriptError(result.stdout) === null) {
        throw new Error(`${name}: the file work failed (${describeFailure(result)})`);
      }
      const timings = parsePhaseTimings(result.stdout, [...OVERHEAD_PHASES, ...FILE_PHASES]);
      const { phases, overhead } = subtractOverhead(timings);
      // Kept in the run as its own location, so every subtracted millisecond can be seen.
      for (const [kind, ms] of overhead) draft.samples.add(CALIBRATION, kind, ms);
      return phases;
    },
  });
  const locations: Location[] = [
    {
      name: 'native',
      run: () => Promise.resolve(runFileWorkNatively(path.join(hostFolder, 'native'), sizes)),
    },
    inContainer('bind', BIND),
    inContainer('volume', VOLUME),
    inContainer('container', CONTAINER),
  ];

  await repeatAtLocations(context, draft, 'mount', locations, FILE_PHASES);
}
