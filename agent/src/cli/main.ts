import { Command, CommanderError } from 'commander';

import path from 'node:path';

import { defaultConfigPath } from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import { asConfigUnwritable } from '../config/unwritable.js';
import { BenchInterrupted } from '../bench/interrupt.js';
import { readAgentVersion } from './version.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/** Runs the agent with process-style argv (node, script, ...args) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // `time` ends with the build's own exit code: commands set it here instead of throwing.
  let exitCode = 0;
  const program = await buildProgram(argv, (code) => (exitCode = code));
  const unfinished = watchForUnfinishedRun();

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, argv);
  } finally {
    unfinished.dispose();
  }
}

/**
 * A promise that never settles and holds nothing open lets Node end the process with exit 13
 * and no word (it happened with fetch and a server that closed the connection at once). Should
 * it happen again, the user gets the error form and exit 1 instead of silence.
 */
function watchForUnfinishedRun(): { dispose(): void } {
  const onExit = () => {
    printError(
      'AGENT_INTERNAL',
      'the agent stopped before it finished: something it waited for never answered ' +
        '(a bug in the agent; run with --verbose for details)',
    );
    process.exitCode = EXIT_FAILURE;
  };
  process.once('exit', onExit);
  return { dispose: () => process.off('exit', onExit) };
}

type Register = (program: Command, setExitCode: (code: number) => void) => void;

/**
 * Each command's module, loaded when that command runs: `collect`, run every few hours on every
 * laptop, then never loads the benchmarks, the scheduler or the parsers' CLI (their memory
 * and start-up time). Help and an unknown command load them all.
 */
const commands: Record<string, () => Promise<Register>> = {
  enroll: async () => (await import('./enroll-command.js')).registerEnrollCommand,
  collect: async () => (await import('./collect-command.js')).registerCollectCommand,
  report: async () => (await import('./report-command.js')).registerReportCommand,
  parse: async () => (await import('./parse-command.js')).registerParseCommand,
  bench: registerBench,
  time: registerBench,
  'import-builds': registerBench,
  schedule: async () => (await import('./schedule-command.js')).registerScheduleCommand,
  doctor: async () => (await import('./doctor-command.js')).registerDoctorCommand,
};

async function registerBench(): Promise<Register> {
  const [{ registerBenchCommands }, { createBenchDeps }] = await Promise.all([
    import('./bench-command.js'),
    import('./bench-deps.js'),
  ]);
  return (program, setExitCode) =>
    registerBenchCommands(program, createBenchDeps(program, setExitCode));
}

async function buildProgram(argv: string[], setExitCode: (code: number) => void): Promise<Command> {
  const program = new Command('devfleet-agent')
    .description('reports this machine’s Docker and WSL environment to a devfleet server')
    .version(readAgentVersion())
    .option('--verbose', 'print debug lines to stderr')
    .option('--home <dir>', 'the config folder, instead of DEVFLEET_AGENT_HOME or the default')
    // Commander would call process.exit; main returns the code instead, and prints usage
    // errors in the same `error CODE: message` form as every other failure.
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    // Every command finds the config folder through the environment; --home sets it there.
    // Scheduled tasks on Windows need it: Task Scheduler passes no environment variables.
    .hook('preAction', (command) => {
      const { home } = command.opts<{ home?: string }>();
      if (home) process.env.DEVFLEET_AGENT_HOME = path.resolve(home);
    });

  const [word] = commandWords(argv.slice(2));
  const wanted = word !== undefined && word in commands ? [word] : Object.keys(commands);
  const loaded = new Set<() => Promise<Register>>();
  for (const name of wanted) {
    const load = commands[name];
    if (!load || loaded.has(load)) continue;
    loaded.add(load);
    (await load())(program, setExitCode);
  }

  return program;
}

/** The one place where failures become output and an exit code. */
function reportError(error: unknown, argv: string[]): number {
  const verbose = argv.includes('--verbose');
  if (error instanceof CommanderError) {
    // --help and --version arrive here too, with exit code 0 and their text already printed.
    if (error.exitCode === 0) return 0;
    // A command group run without its subcommand: commander has printed the group's help on
    // stderr and says only "(outputHelp)".
    if (error.code === 'commander.help') {
      const group = ['devfleet-agent', ...commandWords(argv.slice(2))];
      printError('AGENT_USAGE', `${group.join(' ')} needs a command: one of those listed above`);
      return EXIT_USAGE;
    }
    printError(
      'AGENT_USAGE',
      `${error.message.replace(/^error: /, '')}; see devfleet-agent --help`,
    );
    return EXIT_USAGE;
  }

  if (error instanceof BenchInterrupted) {
    printError('AGENT_INTERRUPTED', 'interrupted; every container and temporary file was removed');
    return EXIT_INTERRUPTED;
  }

  const known = asConfigUnwritable(error, path.dirname(defaultConfigPath())) ?? error;
  if (known instanceof AgentError) {
    printError(known.code, known.message);
    if (verbose && known.cause instanceof Error) process.stderr.write(`${known.cause.stack}\n`);
    return known.code === 'AGENT_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }

  const message = error instanceof Error ? error.message : String(error);
  printError('AGENT_INTERNAL', `${message} (a bug in the agent; run with --verbose for details)`);
  if (verbose && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}

/** The command words of the arguments: neither options nor the value of --home. */
function commandWords(args: string[]): string[] {
  return args.filter((arg, index) => !arg.startsWith('-') && args[index - 1] !== '--home');
}

function printError(code: string, message: string): void {
  process.stderr.write(`error ${code}: ${message}\n`);
}
