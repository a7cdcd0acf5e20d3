import type { Problem } from '@devfleet/wire';

import type { FileResult } from './read-file.js';
import type { CommandResult } from './run-command.js';

/** What every collector receives: its time budget, and a debug sink that is a no-op when off. */
export interface CollectContext {
  timeoutMs: number;
  debug: (message: string) => void;
}

// Mirror the wire format's bounds, so that one long stderr cannot make a whole report invalid.
export const MAX_MESSAGE = 4096;
export const MAX_TEXT = 256;

export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function problem(source: string, code: string, message: string): Problem {
  return { source, code, message: clip(message, MAX_MESSAGE) };
}

/** The problem a failed command leaves in the report, or null when it ran (whatever its exit). */
export function commandProblem(source: string, result: CommandResult<string | Buffer>) {
  switch (result.error) {
    case null:
      return null;
    case 'not-found':
      return problem(source, 'COMMAND_NOT_FOUND', result.stderr);
    case 'timeout':
      return problem(source, 'COMMAND_TIMEOUT', result.stderr);
    case 'failed':
      return problem(source, 'COMMAND_FAILED', result.stderr);
  }
}

export function describeResult(result: CommandResult<string | Buffer>): string {
  return result.error ?? `exit ${result.exitCode ?? 'signal'}`;
}

/** The problem an unreadable file leaves; absence is not one, callers decide what it means. */
export function fileProblem(source: string, result: FileResult<unknown>): Problem | null {
  switch (result.error) {
    case null:
    case 'not-found':
      return null;
    case 'timeout':
      return problem(source, 'FILE_TIMEOUT', result.message ?? 'no answer');
    case 'failed':
      return problem(source, 'FILE_UNREADABLE', result.message ?? 'unreadable');
  }
}
