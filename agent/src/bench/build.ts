import { cp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
import { BenchSkip, checkClock, mountTypeOf } from './engine.js';
import { describeFailure, execTool } from './exec-tool.js';
import { hostPathKind } from './path-kind.js';
import { parsePhaseTimings, SCRIPT_PRELUDE, scriptError } from './timed-script.js';

export interface BuildBenchOptions extends CommonBenchOptions {
  /** Also build with the host's own `go` when one is on PATH (default true). */
  native?: boolean;
}

export const DEFAULT_BUILD_IMAGE = 'golang:1.22';

/** The fixed module that is built; see its README for why it must not change casually. */
export const REFERENCE_MODULE = fileURLToPath(new URL('../../assets/refmodule', import.meta.url));

const BUILD_PHASES = ['cold', 'warm'] as const;
// The program pulls in net/http, crypto, encoding/json and the templates: its cold build is
// mostly the compiler working through that part of the standard library, 15-60 s. Quick runs
// build one small package instead, which still reads the module through the mount.
const TARGET = './cmd/refserver';
const QUICK_TARGET = './internal/signing';
const SOURCE = '/bench/src';
const COPY = '/bench/copy';
// The build cache lives in memory in the container, the same for both source locations, so
// the difference between them is the cost of reading the sources through the mount.
const CACHE = '/bench/cache';

/**
 * Pinned so that a developer's settings never change what is measured: no cgo (no C compiler
 * time), no network (no module fetch: the module has no dependencies), no toolchain switch, no
 * VCS stamping (the host copy may sit inside someone's git repository), no go.work from above.
 */
const GO_ENV: Record<string, string> = {
  CGO_ENABLED: '0',
  GOPROXY: 'off',
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-buildvcs=false',
  GOWORK: 'off',
  GOENV: 'off',
};

const BUILD_SCRIPT = `${SCRIPT_PRELUDE}
src=$1; cache=$2; out=$3; target=$4
rm -rf "$cache" "$out"; mkdir -p "$cache" "$out"; cd "$src"
s=$(now); GOCACHE="$cache" go build -o "$out/built" "$target"; mark cold "$s"
s=$(now); GOCACHE="$cache" go build -o "$out/built" "$target"; mark warm "$s"
rm -rf "$cache" "$out"
`;

const SETUP_SCRIPT = `set -eu
command -v go > /dev/null || { echo "devfleet-bench-error no go in the image"; exit 3; }
go version
rm -rf ${COPY}; cp -r ${SOURCE} ${COPY}
`;

/**
 * Builds the reference module in the Go container from the bind-mounted source ('mount') and
 * from a copy inside the container ('copy'), cold (empty GOCACHE) then warm (same cache), and
 * with the host's own Go when there is one ('native').
 */
export function runBuildBenchmark(options: BuildBenchOptions = {}): Promise<BenchmarkRun> {
  const defaults = {
    kind: 'build' as const,
    image: DEFAULT_BUILD_IMAGE,
    // Builds vary more than file work (the compiler's own scheduling): five, like the mounts.
    repetitions: 5,
    timeoutMs: 20 * 60_000,
    quickTimeoutMs: 5 * 60_000,
  };
  return runInSandbox(defaults, options, (context, draft) =>
    measureBuilds(context, draft, options.native ?? true),
  );
}

async function measureBuilds(
  context: BenchContext,
  draft: BenchDraft,
  native: boolean,
): Promise<void> {
  const { sandbox, signal } = context;
  const target = context.quick ? QUICK_TARGET : TARGET;

  await recordEngine(context, draft);

  // A copy next to the developer's code, so the mount crosses the same file sharing as theirs.
  const hostFolder = await context.makeHostFolder();
  const hostSource = path.join(hostFolder, 'refmodule');
  await cp(REFERENCE_MODULE, hostSource, { recursive: true });
  draft.hostPath = hostFolder;
  draft.pathKind = await hostPathKind(hostFolder);

  const container = await sandbox.startContainer({
    image: draft.image,
    mounts: [{ source: hostSource, target: SOURCE, readOnly: true }],
    volumes: [],
    tmpfs: [CACHE],
    lifetimeSeconds: Math.ceil(context.timeoutMs / 1000) + 60,
  });
  signal.throwIfAborted();

  const setup = await sandbox.exec(container, SETUP_SCRIPT, [], { timeoutMs: 60_000, signal });
  signal.throwIfAborted();
  const missing = scriptError(setup.stdout);
  if (missing) throw new BenchSkip(`image ${draft.image}: ${missing}`);
  if (setup.exitCode !== 0) {
    throw new Error(`could not prepare the build (${describeFailure(setup)})`);
  }
  context.debug(`container: ${setup.stdout.trim()}`);
  await checkClock(sandbox, container, draft.image, signal);

  const mounts = await sandbox.exec(container, 'cat /proc/mounts', [], {
    timeoutMs: 20_000,
    signal,
  });
  draft.mountType = mountTypeOf(mounts.stdout, SOURCE);

  const inContainer = (name: string, source: string): Location => ({
    name,
    run: async () => {
      const args = [source, `${CACHE}/go-${name}`, `${CACHE}/out-${name}`, target];
      const result = await sandbox.exec(container, BUILD_SCRIPT, args, {
        timeoutMs: context.timeoutMs,
        signal,
        env: GO_ENV,
      });
      signal.throwIfAborted();
      if (result.exitCode !== 0) {
        throw new Error(`${name}: go build failed (${describeFailure(result)})`);
      }
      const timings = parsePhaseTimings(result.stdout, BUILD_PHASES);
      return new Map(timings.map((timing) => [timing.phase, timing.ms]));
    },
  });

  const locations: Location[] = [];
  const hostGo = native ? await findHostGo(signal) : null;
  if (hostGo && 'missing' in hostGo) draft.notes.push(`native build skipped: ${hostGo.missing}`);
  if (hostGo && 'version' in hostGo) {
    context.debug(`host: ${hostGo.version}`);
    const scratch = await sandbox.makeFolder(os.tmpdir(), 'devfleet-bench-go-');
    locations.push({
      name: 'native',
      run: () => buildNatively(hostSource, scratch, target, context),
    });
  }
  locations.push(inContainer('mount', SOURCE), inContainer('copy', COPY));

  await repeatAtLocations(context, draft, 'build', locations, BUILD_PHASES);
}

/** The host's `go version`, or why there is no Go to build with. */
async function findHostGo(signal: AbortSignal): Promise<{ version: string } | { missing: string }> {
  const result = await execTool('go', ['version'], { timeoutMs: 20_000, signal });
  signal.throwIfAborted();
  if (result.exitCode === 0) return { version: result.stdout.trim() };
  if (result.error === 'not-found') return { missing: 'no `go` on this machine’s PATH' };
  return { missing: `\`go version\` failed (${describeFailure(result)})` };
}

/** The same two builds with the host's Go, timed around the process, GOCACHE fresh each time. */
async function buildNatively(
  source: string,
  scratch: string,
  target: string,
  context: BenchContext,
): Promise<Map<string, number>> {
  const cache = path.join(scratch, 'cache');
  await rm(cache, { recursive: true, force: true });
  await mkdir(cache, { recursive: true });
  const env = {
    ...hostBasics(),
    ...GO_ENV,
    GOCACHE: cache,
    GOPATH: path.join(scratch, 'gopath'),
  };
  const output = path.join(scratch, process.platform === 'win32' ? 'built.exe' : 'built');

  const timings = new Map<string, number>();
  for (const phase of BUILD_PHASES) {
    const started = performance.now();
    const result = await execTool('go', ['build', '-o', output, target], {
      timeoutMs: context.timeoutMs,
      signal: context.signal,
      env,
      cwd: source,
    });
    context.signal.throwIfAborted();
    if (result.exitCode !== 0)
      throw new Error(`native: go build failed (${describeFailure(result)})`);
    timings.set(phase, performance.now() - started);
  }
  return timings;
}

// Only what `go` needs to find itself and a temp folder; GOOS, GOARCH, GOFLAGS and the rest of
// the developer's environment would change what gets built.
function hostBasics(): NodeJS.ProcessEnv {
  const keep = [
    'PATH',
    'Path',
    'HOME',
    'USERPROFILE',
    'SYSTEMROOT',
    'TEMP',
    'TMP',
    'TMPDIR',
    'GOROOT',
  ];
  return Object.fromEntries(
    keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]]])),
  );
}
