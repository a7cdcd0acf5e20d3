import { Command, CommanderError } from 'commander';

import path from 'node:path';

import { defaultConfigPath } from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import { asConfigUnwritable } from '../config/unwritable.js';
import { BenchInterrupted } from '../bench/interrupt.js';
import { registerBenchCommands } from './bench-command.js';
import { createBenchDeps } from './bench-deps.js';
import { registerCollectCommand } from './collect-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerEnrollCommand } from './enroll-command.js';
import { registerParseCommand } from './parse-command.js';
import { registerReportCommand } from './report-command.js';
import { registerScheduleCommand } from './schedule-command.js';
import { readAgentVersion } from './version.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

/** Runs the agent with process-style argv (node, script, ...args) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // `time` ends with the build's own exit code: commands set it here instead of throwing.
  let exitCode = 0;
  const program = buildProgram((code) => (exitCode = code));
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

function buildProgram(setExitCode: (code: number) => void): Command {
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

  registerEnrollCommand(program);
  registerCollectCommand(program);
  registerReportCommand(program);
  registerParseCommand(program);
  registerBenchCommands(program, createBenchDeps(program, setExitCode));
  registerScheduleCommand(program);
  registerDoctorCommand(program, setExitCode);

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
