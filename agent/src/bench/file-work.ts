import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

import { median } from 'simple-statistics';

import { SCRIPT_PRELUDE } from './timed-script.js';

/** The file work of the mount benchmark, the same at every location. */
export interface FileWorkSizes {
  smallFiles: number;
  smallFileBytes: number;
  /** The walked tree: `treeFanout` folders, each with `treeFanout` sub-folders of files. */
  treeFanout: number;
  treeFilesPerFolder: number;
  largeFileMiB: number;
}

// About the file counts of a small service's source tree, and a large file the size of a
// layer or a build artefact; five repetitions at four locations stay well under a minute on a
// laptop's own disk (a 9P or gRPC FUSE mount takes longer: that is what the benchmark shows).
export const DEFAULT_SIZES: FileWorkSizes = {
  smallFiles: 300,
  smallFileBytes: 4096,
  treeFanout: 4,
  treeFilesPerFolder: 15,
  largeFileMiB: 32,
};

export const QUICK_SIZES: FileWorkSizes = {
  smallFiles: 20,
  smallFileBytes: 1024,
  treeFanout: 2,
  treeFilesPerFolder: 5,
  largeFileMiB: 1,
};

export const FILE_PHASES = [
  'create',
  'stat',
  'read',
  'delete',
  'walk',
  'large-write',
  'large-read',
] as const;

export type FilePhase = (typeof FILE_PHASES)[number];

/**
 * What timing a phase costs in the container by itself: `$(date +%s%N)` forks a subshell and
 * date before and after the work, and every phase but create starts one program (ls, cat, rm,
 * dd). Natively the phases are timed with hrtime around fs calls and cost neither, so on a quick
 * run `stat` of 20 files looked 8× slower through the bind mount when it was mostly fork cost.
 * The script times empty phases the same way: `timer` (the clock alone) and `process` (the
 * clock around `/bin/true`), and each in-container phase is taken less its own overhead.
 */
export const OVERHEAD_PHASES = ['timer', 'process'] as const;

export type OverheadPhase = (typeof OVERHEAD_PHASES)[number];

// create writes with shell built-ins only; every other phase runs one program.
export const PHASE_OVERHEAD: Record<FilePhase, OverheadPhase> = {
  create: 'timer',
  stat: 'process',
  read: 'process',
  delete: 'process',
  walk: 'process',
  'large-write': 'process',
  'large-read': 'process',
};

// Empty phases per run: their median is what a run subtracts, robust to one slow fork.
const OVERHEAD_SAMPLES = 5;

/**
 * The phases as a POSIX sh script (dash, bash and busybox ash alike). Arguments: folder, then
 * the sizes in FileWorkSizes order. Files are written with shell built-ins, so the create phase
 * costs one open/write/close per file and no process start; stat and walk are one `ls -l`/`ls -lR`
 * (an lstat per entry); the large write ends with fsync so it measures the disk, not the cache.
 * The empty phases of OVERHEAD_PHASES come first, OVERHEAD_SAMPLES times each.
 */
export const FILE_WORK_SCRIPT = `${SCRIPT_PRELUDE}
root=$1/run; files=$2; bytes=$3; fanout=$4; per=$5; mib=$6
rm -rf "$root"; mkdir -p "$root/small" "$root/tree"
payload=$(head -c "$bytes" /dev/zero | tr '\\0' x)

k=0
while [ "$k" -lt ${OVERHEAD_SAMPLES} ]; do
  s=$(now); mark timer "$s"
  s=$(now); /bin/true; mark process "$s"
  k=$((k + 1))
done

s=$(now); i=0
while [ "$i" -lt "$files" ]; do printf '%s' "$payload" > "$root/small/f$i"; i=$((i + 1)); done
mark create "$s"
s=$(now); ls -l "$root/small" > /dev/null; mark stat "$s"
s=$(now); cat "$root/small"/* > /dev/null; mark read "$s"
s=$(now); rm -f "$root/small"/*; mark delete "$s"

a=0
while [ "$a" -lt "$fanout" ]; do
  b=0
  while [ "$b" -lt "$fanout" ]; do
    mkdir -p "$root/tree/d$a/d$b"; i=0
    while [ "$i" -lt "$per" ]; do printf '%s' "$payload" > "$root/tree/d$a/d$b/f$i"; i=$((i + 1)); done
    b=$((b + 1))
  done
  a=$((a + 1))
done
s=$(now); ls -lR "$root/tree" > /dev/null; mark walk "$s"

s=$(now); dd if=/dev/zero of="$root/large" bs=1048576 count="$mib" conv=fsync 2> /dev/null
mark large-write "$s"
s=$(now); cat "$root/large" > /dev/null; mark large-read "$s"
rm -rf "$root"
`;

export function fileWorkArgs(folder: string, sizes: FileWorkSizes): string[] {
  return [
    folder,
    String(sizes.smallFiles),
    String(sizes.smallFileBytes),
    String(sizes.treeFanout),
    String(sizes.treeFilesPerFolder),
    String(sizes.largeFileMiB),
  ];
}

const MiB = 1024 * 1024;

/**
 * The same work with Node's synchronous fs calls, the host's own speed without Docker. Sync
 * calls keep the event loop out of the timings, as the shell's built-ins do in the container.
 */
export function runFileWorkNatively(folder: string, sizes: FileWorkSizes): Map<FilePhase, number> {
  const root = path.join(folder, 'run');
  const small = path.join(root, 'small');
  const tree = path.join(root, 'tree');
  const payload = Buffer.alloc(sizes.smallFileBytes, 'x');
  const timings = new Map<FilePhase, number>();
  const time = (phase: FilePhase, work: () => void) => {
    const start = process.hrtime.bigint();
    work();
    timings.set(phase, Number(process.hrtime.bigint() - start) / 1e6);
  };

  rmSync(root, { recursive: true, force: true });
  mkdirSync(small, { recursive: true });
  mkdirSync(tree, { recursive: true });
  const names = Array.from({ length: sizes.smallFiles }, (_, i) => path.join(small, `f${i}`));

  time('create', () => names.forEach((name) => writeFileSync(name, payload)));
  time('stat', () => readdirSync(small).forEach((name) => lstatSync(path.join(small, name))));
  time('read', () => readdirSync(small).forEach((name) => readFileSync(path.join(small, name))));
  time('delete', () => names.forEach((name) => unlinkSync(name)));

  buildTree(tree, sizes, payload);
  time('walk', () => walk(tree));

  const large = path.join(root, 'large');
  const chunk = Buffer.alloc(MiB);
  time('large-write', () => {
    const fd = openSync(large, 'w');
    for (let i = 0; i < sizes.largeFileMiB; i++) writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
  });
  time('large-read', () => {
    const fd = openSync(large, 'r');
    while (readSync(fd, chunk, 0, MiB, null) > 0);
    closeSync(fd);
  });

  rmSync(root, { recursive: true, force: true });
  return timings;
}

function buildTree(tree: string, sizes: FileWorkSizes, payload: Buffer): void {
  for (let a = 0; a < sizes.treeFanout; a++) {
    for (let b = 0; b < sizes.treeFanout; b++) {
      const folder = path.join(tree, `d${a}`, `d${b}`);
      mkdirSync(folder, { recursive: true });
      for (let i = 0; i < sizes.treeFilesPerFolder; i++) {
        writeFileSync(path.join(folder, `f${i}`), payload);
      }
    }
  }
}

function walk(folder: string): void {
  for (const entry of readdirSync(folder)) {
    const full = path.join(folder, entry);
    if (lstatSync(full).isDirectory()) walk(full);
  }
}

/**
 * One in-container run's phase times less the run's own overhead (the median of its empty
 * phases), never below zero, with that overhead beside them.
 */
export function subtractOverhead(timings: { phase: string; ms: number }[]): {
  phases: Map<FilePhase, number>;
  overhead: Map<OverheadPhase, number>;
} {
  const overhead = new Map<OverheadPhase, number>();
  for (const kind of OVERHEAD_PHASES) {
    const samples = timings.filter((timing) => timing.phase === kind).map((timing) => timing.ms);
    overhead.set(kind, samples.length > 0 ? median(samples) : 0);
  }

  const phases = new Map<FilePhase, number>();
  for (const phase of FILE_PHASES) {
    const ms = timings.find((timing) => timing.phase === phase)?.ms;
    if (ms !== undefined)
      phases.set(phase, Math.max(0, ms - (overhead.get(PHASE_OVERHEAD[phase]) ?? 0)));
  }
  return { phases, overhead };
}
