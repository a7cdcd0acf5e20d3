import type { BenchmarkRun } from '@devfleet/wire';

import type { CommonBenchOptions } from './bench-run.js';
import { runBuildBenchmark } from './build.js';
import { watchInterrupts } from './interrupt.js';
import { runMountBenchmark } from './mount.js';

export type BenchKind = BenchmarkRun['kind'];

export interface BenchmarksOptions extends Omit<CommonBenchOptions, 'image'> {
  /** Which benchmarks, in order; default both. */
  kinds?: BenchKind[];
  mountImage?: string;
  buildImage?: string;
  /** Build with the host's Go too when it has one (default true). */
  nativeGo?: boolean;
  /**
   * Catch SIGINT/SIGTERM/SIGHUP while running, clean up, then throw BenchInterrupted (default
   * true). Turn off only when the caller watches the signals itself and passes `signal`.
   */
  handleSignals?: boolean;
}

/**
 * Runs the benchmarks one after the other. One that cannot run (no Docker, no image, no Go)
 * comes back 'skipped' or 'failed' with the reason and the others still run; an interrupt stops
 * them all, after the current one has removed what it created.
 */
export async function runBenchmarks(options: BenchmarksOptions = {}): Promise<BenchmarkRun[]> {
  const watch = options.handleSignals === false ? null : watchInterrupts();
  const signals = [options.signal, watch?.signal].filter((signal) => signal !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;

  try {
    const runs: BenchmarkRun[] = [];
    for (const kind of options.kinds ?? ['mount', 'build']) {
      const common = { ...options, signal };
      runs.push(
        kind === 'mount'
          ? await runMountBenchmark({ ...common, image: options.mountImage })
          : await runBuildBenchmark({
              ...common,
              image: options.buildImage,
              native: options.nativeGo,
            }),
      );
    }
    return runs;
  } finally {
    watch?.dispose();
  }
}
