import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import path from 'node:path';

import type { BuildRecord, PathKind } from '@devfleet/wire';

import { asConfigUnwritable } from '../config/unwritable.js';
import { maskSecrets } from '../parsers/secrets.js';
import { describeFailure, sendOrQueue } from './build-queue.js';
import { fingerprintOf } from './fingerprint.js';

export interface TimeOptions {
  /** The developer's build: program and arguments, run without a shell. */
  command: string[];
  /** Project name; default the name of `cwd`. */
  name?: string;
  cwd?: string;
  /** The agent's home, where unsent records are queued. */
  home: string;
  /** Facts of the environment the build runs on; hashed into the record's fingerprint. */
  facts: Promise<Record<string, string>> | Record<string, string>;
  pathKind: PathKind;
  send(record: BuildRecord): Promise<boolean>;
}

export interface TimeResult {
  /** The build's own exit code (128 + signal number when a signal ended it). */
  exitCode: number;
  /** Null when nothing was measured: the build was cancelled or could not start. */
  record: BuildRecord | null;
  outcome: TimeOutcome;
}

/** What became of the measurement; none of it changes the exit code. */
export type TimeOutcome =
  { kind: 'sent' } | { kind: 'queued'; reason: string } | { kind: 'not-recorded'; reason: string };

const EXIT_NOT_FOUND = 127;
// The wire format's bound: a build left running over a week is not a build time.
const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;

// A build stopped by the developer (Ctrl-C, kill) measures nothing: it is not recorded.
const CANCEL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs the developer's build with its output passed through, times it, and records it. The
 * agent stays out of the way: it ignores Ctrl-C itself (the terminal delivers it to the build,
 * which decides) and passes SIGTERM and SIGHUP on, then answers with the build's exit code.
 */
export async function timeCommand(options: TimeOptions): Promise<TimeResult> {
  const cwd = options.cwd ?? process.cwd();
  const [program, ...args] = options.command;
  if (!program) throw new Error('no command to run');

  // Hashed while the build runs; collecting facts can take a second (docker version).
  const fingerprint = fingerprintOrNull(options.facts);
  const startedAt = new Date();
  const started = performance.now();
  const ended = await runInherited(program, args, cwd);
  const durationMs = performance.now() - started;

  if (ended.kind === 'not-started') {
    process.stderr.write(`devfleet-agent: could not run ${program}: ${ended.message}\n`);
    const outcome = { kind: 'not-recorded' as const, reason: 'the command did not start' };
    return { exitCode: EXIT_NOT_FOUND, record: null, outcome };
  }
  if (ended.kind === 'signal' && CANCEL_SIGNALS.includes(ended.signal)) {
    const outcome = { kind: 'not-recorded' as const, reason: `cancelled by ${ended.signal}` };
    return { exitCode: 128 + (constants.signals[ended.signal] ?? 0), record: null, outcome };
  }
  const exitCode =
    ended.kind === 'exit' ? ended.code : 128 + (constants.signals[ended.signal] ?? 0);

  const record: BuildRecord = {
    id: `time-${randomUUID()}`,
    source: 'time',
    name: clip(options.name?.trim() || path.basename(path.resolve(cwd)) || 'build', 128),
    command: clip(maskSecrets(shellQuoted(options.command)).text, 1024),
    startedAt: startedAt.toISOString(),
    durationMs: Math.min(Math.round(durationMs), MAX_DURATION_MS),
    exitCode,
    succeeded: exitCode === 0,
    fingerprint: await fingerprint,
    pathKind: options.pathKind,
    cacheRatio: null,
  };
  return { exitCode, record, outcome: await deliver(options, record) };
}

/** Sends or queues the record; a failure to queue it is told, never thrown: the build ran. */
async function deliver(options: TimeOptions, record: BuildRecord): Promise<TimeOutcome> {
  try {
    const delivery = await sendOrQueue(options.home, record, options.send);
    return delivery.sent ? { kind: 'sent' } : { kind: 'queued', reason: delivery.reason };
  } catch (error) {
    const reason = describeFailure(asConfigUnwritable(error, options.home) ?? error);
    return { kind: 'not-recorded', reason };
  }
}

type Ended =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'not-started'; message: string };

function runInherited(program: string, args: string[], cwd: string): Promise<Ended> {
  return new Promise((resolve) => {
    // TODO(#4): Windows needs a shell for npm.cmd and friends, and cmd.exe's quoting differs;
    // until then `time` runs programs directly there too (`time -- cmd /c npm run build`).
    const child = spawn(program, args, { cwd, stdio: 'inherit' });

    const ignore = () => undefined;
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    const stop = (ended: Ended) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
      resolve(ended);
    };

    child.on('error', (error) => stop({ kind: 'not-started', message: error.message }));
    child.on('exit', (code, signal) => {
      stop(signal ? { kind: 'signal', signal } : { kind: 'exit', code: code ?? 1 });
    });
  });
}

async function fingerprintOrNull(facts: TimeOptions['facts']): Promise<string | null> {
  try {
    return fingerprintOf(await facts);
  } catch {
    return null;
  }
}

/**
 * The command line as a POSIX shell would take it back: `sh -c 'exit 3'`, not `sh -c exit 3`,
 * which reads as another command. Words of safe characters stay bare.
 */
export function shellQuoted(words: string[]): string {
  return words
    .map((word) =>
      /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`,
    )
    .join(' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}
