import { InvalidArgumentError, type Command } from 'commander';

import type { BenchmarkRun, BuildRecord } from '@devfleet/wire';

import { DEFAULT_BUILD_IMAGE } from '../bench/build.js';
import { AgentError } from '../config/agent-error.js';
import { BenchInterrupted } from '../bench/interrupt.js';
import { DEFAULT_MOUNT_IMAGE } from '../bench/mount.js';
import { hostPathKind } from '../bench/path-kind.js';
import { createProgress } from '../bench/progress.js';
import { runBenchmarks, type BenchKind } from '../bench/run-benchmarks.js';
import { sendOrQueue } from '../builds/build-queue.js';
import { importBuildxHistory, rememberImported } from '../builds/buildx-import.js';
import { timeCommand, type TimeResult } from '../builds/time.js';
import { formatRun } from './bench-table.js';
import { globalOptions } from './global-options.js';
import { createDebug, printLine } from './output.js';

/** What the benchmark and build commands need from the rest of the agent. */
export interface BenchCommandDeps {
  /** The agent's home (config directory): unsent builds and import state are kept there. */
  home: string;
  /** Sends one build record to the server; false (or a throw) queues it for the next report. */
  send(record: BuildRecord): Promise<boolean>;
  /** The facts a build's fingerprint is made of (Desktop, engine, WSL, kernel…). */
  environmentFacts(): Promise<Record<string, string>>;
  /** `time` ends with the build's own exit code, a Ctrl-C'd benchmark with 130. */
  setExitCode(code: number): void;
}

interface BenchFlags {
  image?: string;
  path?: string;
  repetitions?: number;
  quick?: boolean;
  json?: boolean;
  timeout?: number;
  pull: boolean;
  native?: boolean;
}

const EXIT_FAILURE = 1;
const EXIT_INTERRUPTED = 130;

export function registerBenchCommands(program: Command, deps: BenchCommandDeps): void {
  const bench = program
    .command('bench')
    .description('measure file sharing and builds the same way every time');

  addBenchOptions(
    bench
      .command('mount')
      .description('time file work in a bind mount, a volume, the container and natively'),
    'image to run the file work in',
    DEFAULT_MOUNT_IMAGE,
  ).action((flags: BenchFlags, command: Command) => runBench('mount', flags, command, deps));

  addBenchOptions(
    bench
      .command('build')
      .description('time cold and warm Go builds from a bind mount and from a copy')
      .option('--no-native', 'skip the build with the host’s own go'),
    'Go image to build in',
    DEFAULT_BUILD_IMAGE,
  ).action((flags: BenchFlags, command: Command) => runBench('build', flags, command, deps));

  program
    .command('time')
    .description('run your build, pass its output through, and record how long it took')
    .argument('<command...>', 'the build command, after --')
    .option('--name <name>', 'project name (default: the current folder’s name)')
    .option('--json', 'print the recorded build as JSON on stdout')
    .option('--quiet', 'no line on stderr about the recording, only warnings')
    .action((commandLine: string[], flags: TimeFlags) => runTime(commandLine, flags, deps));

  program
    .command('import-builds')
    .description('import finished builds from `docker buildx history`, each build once')
    .option('--json', 'print the imported builds as JSON')
    .action((flags: { json?: boolean }, command: Command) => runImport(flags, command, deps));
}

function addBenchOptions(command: Command, imageHelp: string, defaultImage: string): Command {
  return command
    .option('--image <image>', `${imageHelp} (default: ${defaultImage})`)
    .option('--path <dir>', 'create the host folder under DIR (default: the current folder)')
    .option('--repetitions <n>', 'repetitions of every phase', parseRepetitions)
    .option('--quick', 'tiny sizes and 2 repetitions')
    .option('--timeout <seconds>', 'give up after this long', parseSeconds)
    .option('--no-pull', 'do not pull a missing image')
    .option('--json', 'print the BenchmarkRun as JSON');
}

async function runBench(
  kind: BenchKind,
  flags: BenchFlags,
  command: Command,
  deps: BenchCommandDeps,
): Promise<void> {
  const options = {
    kinds: [kind],
    quick: flags.quick,
    repetitions: flags.repetitions,
    path: flags.path,
    pull: flags.pull,
    timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
    nativeGo: flags.native,
    mountImage: kind === 'mount' ? flags.image : undefined,
    buildImage: kind === 'build' ? flags.image : undefined,
    progress: createProgress(),
    debug: createDebug(globalOptions(command).verbose),
  };

  let runs: BenchmarkRun[];
  try {
    runs = await runBenchmarks(options);
  } catch (error) {
    if (!(error instanceof BenchInterrupted)) throw error;
    process.stderr.write(`${error.message}: the benchmark's containers and files are removed\n`);
    deps.setExitCode(EXIT_INTERRUPTED);
    return;
  }

  for (const run of runs) printLine(flags.json ? JSON.stringify(run, null, 2) : formatRun(run));
  if (runs.some((run) => run.status !== 'ok')) deps.setExitCode(EXIT_FAILURE);
}

interface TimeFlags {
  name?: string;
  json?: boolean;
  quiet?: boolean;
}

async function runTime(
  commandLine: string[],
  flags: TimeFlags,
  deps: BenchCommandDeps,
): Promise<void> {
  const cwd = process.cwd();
  const result = await timeCommand({
    command: commandLine,
    name: flags.name,
    cwd,
    home: deps.home,
    facts: deps.environmentFacts(),
    pathKind: await hostPathKind(cwd),
    send: deps.send,
  });
  // The build's exit code is the command's, whatever became of the measurement.
  deps.setExitCode(result.exitCode);

  if (result.record && flags.json) printLine(JSON.stringify(result.record, null, 2));
  const summary = timeSummary(result);
  if (summary.warning || !flags.quiet) process.stderr.write(`${summary.text}\n`);
}

/** One line on what became of the measurement; stdout stays the build's own. */
function timeSummary({ record, outcome, exitCode }: TimeResult): Summary {
  if (outcome.kind === 'sent') return { text: `${took(record, exitCode)}; sent`, warning: false };
  if (outcome.kind === 'queued') {
    const text = `${took(record, exitCode)}; queued for the next report (${outcome.reason})`;
    return { text, warning: false };
  }
  // Cancelled or never started: nothing was measured, and that is no failure of the agent.
  if (!record) return { text: `devfleet: not recorded: ${outcome.reason}`, warning: false };
  return {
    text: `warning: ${took(record, exitCode)} but was not recorded: ${outcome.reason}`,
    warning: true,
  };
}

interface Summary {
  text: string;
  /** Printed even with --quiet. */
  warning: boolean;
}

function took(record: BuildRecord | null, exitCode: number): string {
  const seconds = ((record?.durationMs ?? 0) / 1000).toFixed(1);
  return `devfleet: ${record?.name ?? 'build'} took ${seconds} s (exit ${exitCode})`;
}

async function runImport(flags: { json?: boolean }, command: Command, deps: BenchCommandDeps) {
  const debug = createDebug(globalOptions(command).verbose);
  const result = await importBuildxHistory({ home: deps.home });
  for (const warning of result.warnings) debug(`buildx: ${warning}`);
  if (result.unavailable) {
    const error = new AgentError(
      'AGENT_BUILDX_UNAVAILABLE',
      `no builds imported: ${result.unavailable}`,
    );
    // Scripts reading --json learn why from stdout too; the exit code and stderr say it failed.
    if (flags.json) printLine(JSON.stringify(importSummary([], 0, error), null, 2));
    throw error;
  }

  let sent = 0;
  for (const record of result.records) {
    if ((await sendOrQueue(deps.home, record, (r) => deps.send(r))).sent) sent++;
  }
  await rememberImported(deps.home, result.refs);

  if (flags.json) {
    printLine(JSON.stringify(importSummary(result.records, sent, null), null, 2));
    return;
  }
  const queued = result.records.length - sent;
  printLine(`imported ${result.records.length} builds (${sent} sent, ${queued} queued)`);
}

/** The --json answer of import-builds, the same shape whether builds came or not. */
function importSummary(imported: BuildRecord[], sent: number, error: AgentError | null) {
  return {
    imported,
    sent,
    queued: imported.length - sent,
    error: error ? { code: error.code, message: error.message } : null,
  };
}

function parseRepetitions(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) {
    throw new InvalidArgumentError('a whole number from 1 to 50');
  }
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 3600) {
    throw new InvalidArgumentError('a number of seconds, at most a day');
  }
  return n;
}
