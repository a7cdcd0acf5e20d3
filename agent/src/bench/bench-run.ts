import os from 'node:os';
import path from 'node:path';

import type { BenchmarkRun, PathKind } from '@devfleet/wire';

import { BenchSkip, ensureImage, inspectEngine } from './engine.js';
import { BenchInterrupted, BenchTimeout } from './interrupt.js';
import { silentProgress, type Progress } from './progress.js';
import { BenchSandbox } from './sandbox.js';
import { SampleTable } from './summary.js';

/** What both benchmarks accept. */
export interface CommonBenchOptions {
  /** Tiny sizes and 2 repetitions: for tests and a first look. */
  quick?: boolean;
  repetitions?: number;
  image?: string;
  /** Folder under which the bind-mounted host folder is created; default the current folder. */
  path?: string;
  /** Pull a missing image before timing (default true). */
  pull?: boolean;
  /** The whole benchmark's limit, cleanup not included. */
  timeoutMs?: number;
  /** Aborting it stops the benchmark; the abort reason is rethrown after cleanup. */
  signal?: AbortSignal;
  progress?: Progress;
  debug?: (message: string) => void;
  /** Where problems of the cleanup are told; default stderr. */
  warn?: (message: string) => void;
}

export interface BenchDefaults {
  kind: BenchmarkRun['kind'];
  image: string;
  repetitions: number;
  timeoutMs: number;
  quickTimeoutMs: number;
}

/** The facts a benchmark fills in as it learns them, so a failed run still reports them. */
export interface BenchDraft {
  image: string;
  imageDigest: string | null;
  engineVersion: string | null;
  desktopVersion: string | null;
  mountType: string | null;
  pathKind: PathKind;
  hostPath: string | null;
  samples: SampleTable;
  /** What an ok run left out and why (the native build without Go); its reason, joined. */
  notes: string[];
}

export interface BenchContext {
  sandbox: BenchSandbox;
  /** Aborted by the caller's signal or by the time limit. */
  signal: AbortSignal;
  repetitions: number;
  quick: boolean;
  timeoutMs: number;
  /** Creates the bind-mounted host folder (see hostFolderFor). */
  makeHostFolder(): Promise<string>;
  pull: boolean;
  progress: Progress;
  debug: (message: string) => void;
}

const defaultWarn = (message: string) => process.stderr.write(`warning: ${message}\n`);

/**
 * The frame every benchmark runs in: a sandbox that is always cleaned up, a time limit, and one
 * BenchmarkRun whatever happens. An interrupt is the one outcome that is not a run: it is
 * rethrown once everything is removed, so the command can stop.
 */
export async function runInSandbox(
  defaults: BenchDefaults,
  options: CommonBenchOptions,
  body: (context: BenchContext, draft: BenchDraft) => Promise<void>,
): Promise<BenchmarkRun> {
  const startedAt = new Date();
  const started = performance.now();
  const quick = options.quick ?? false;
  const repetitions = options.repetitions ?? (quick ? 2 : defaults.repetitions);
  const timeoutMs = options.timeoutMs ?? (quick ? defaults.quickTimeoutMs : defaults.timeoutMs);
  const debug = options.debug ?? (() => undefined);
  const progress = options.progress ?? silentProgress;

  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new BenchTimeout(timeoutMs)), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, limit.signal]) : limit.signal;

  const sandbox = new BenchSandbox(debug);
  const draft: BenchDraft = {
    image: options.image ?? defaults.image,
    imageDigest: null,
    engineVersion: null,
    desktopVersion: null,
    mountType: null,
    pathKind: 'unknown',
    hostPath: null,
    samples: new SampleTable(),
    notes: [],
  };

  let status: BenchmarkRun['status'] = 'ok';
  let reason: string | null = null;
  try {
    await body(
      {
        sandbox,
        signal,
        repetitions,
        quick,
        timeoutMs,
        makeHostFolder: () => makeHostFolder(sandbox, options.path),
        pull: options.pull ?? true,
        progress,
        debug,
      },
      draft,
    );
  } catch (error) {
    if (options.signal?.aborted) {
      await finish();
      throw options.signal.reason instanceof Error
        ? options.signal.reason
        : new BenchInterrupted('SIGINT');
    }
    ({ status, reason } = outcomeOf(error, limit.signal));
  }
  await finish();
  if (status === 'ok' && draft.notes.length > 0) reason = draft.notes.join('; ');

  return {
    kind: defaults.kind,
    status,
    reason: reason?.slice(0, 2048) ?? null,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    quick,
    repetitions,
    image: draft.image,
    imageDigest: draft.imageDigest,
    engineVersion: draft.engineVersion,
    desktopVersion: draft.desktopVersion,
    mountType: draft.mountType,
    pathKind: draft.pathKind,
    hostPath: draft.hostPath,
    results: draft.samples.results(),
  };

  async function finish(): Promise<void> {
    clearTimeout(timer);
    progress.done();
    const problems = await sandbox.cleanup();
    for (const problem of problems) (options.warn ?? defaultWarn)(`benchmark cleanup: ${problem}`);
  }
}

/**
 * The host folder goes where the developer's code is, so the mount crosses the same file sharing
 * as their builds: under --path, else the current folder, else (not writable, e.g. `/`) home.
 */
async function makeHostFolder(sandbox: BenchSandbox, chosen: string | undefined): Promise<string> {
  if (chosen !== undefined) return sandbox.makeFolder(path.resolve(chosen));
  try {
    return await sandbox.makeFolder(process.cwd());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw error;
    return sandbox.makeFolder(os.homedir());
  }
}

function outcomeOf(
  error: unknown,
  limit: AbortSignal,
): { status: BenchmarkRun['status']; reason: string } {
  if (limit.aborted && limit.reason instanceof BenchTimeout) {
    return { status: 'failed', reason: `timed out: ${limit.reason.message}` };
  }
  if (error instanceof BenchSkip) return { status: 'skipped', reason: error.message };
  return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
}

/** The engine and image facts every run records first; a BenchSkip when either is missing. */
export async function recordEngine(context: BenchContext, draft: BenchDraft): Promise<void> {
  const engine = await inspectEngine(context.signal);
  draft.engineVersion = engine.engineVersion;
  draft.desktopVersion = engine.desktopVersion;

  const image = await ensureImage(draft.image, { pull: context.pull, signal: context.signal });
  draft.imageDigest = image.digest;
}

/** Where a benchmark does its work; one run answers a time in ms for every phase. */
export interface Location {
  name: string;
  run(): Promise<Map<string, number>>;
}

/**
 * Every location once per repetition, interleaved, so that a busy moment of the machine touches
 * all locations alike instead of the one that happened to run then.
 */
export async function repeatAtLocations(
  context: BenchContext,
  draft: BenchDraft,
  benchmark: BenchmarkRun['kind'],
  locations: Location[],
  phases: readonly string[],
): Promise<void> {
  for (let repetition = 1; repetition <= context.repetitions; repetition++) {
    for (const location of locations) {
      const of = context.repetitions;
      context.progress.update({ benchmark, location: location.name, repetition, of });

      const timings = await location.run();
      for (const phase of phases) {
        const ms = timings.get(phase);
        if (ms === undefined) throw new Error(`${location.name}: no time for ${phase}`);
        draft.samples.add(location.name, phase, ms);
      }
      const line = [...timings].map(([phase, ms]) => `${phase} ${ms.toFixed(1)}`).join(', ');
      context.debug(`${benchmark} ${location.name} #${repetition}: ${line}`);
    }
  }
}
