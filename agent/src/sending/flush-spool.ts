import path from 'node:path';

import type { Report } from '@devfleet/wire';
import pRetry from 'p-retry';

import { AgentError } from '../config/agent-error.js';
import { withLock } from './file-lock.js';
import type { Verdict } from './send-report.js';
import {
  forgetDropped,
  listSpool,
  listStrays,
  readDropped,
  readSpooled,
  removeSpooled,
  setAside,
  spoolPath,
  type SpoolEntry,
} from './spool.js';

/** Sends one report and says what the answer means; throws AGENT_SERVER_UNREACHABLE. */
export type SendSpooled = (report: Report) => Promise<Verdict>;

export interface FlushOptions {
  /** Time this flush may spend on retries, all reports together; 0 tries each report once. */
  retryBudgetMs: number;
  /** The first wait before a retry; each next one doubles, with jitter, up to ten times this. */
  firstRetryMs: number;
  /** How long to wait for another run that is flushing the same spool. */
  lockWaitMs: number;
  debug?: (message: string) => void;
}

export interface FlushOutcome {
  sent: { reportId: string; status: number }[];
  rejected: { reportId: string; file: string; error: AgentError }[];
  /** Why the flush stopped before the spool was empty; null when nothing stopped it. */
  stoppedBy: AgentError | null;
  /** Reports still in the spool afterwards. */
  pending: number;
}

export const FLUSH_LOCK_FILE = '.flush.lock';

const MAX_RETRIES = 8;

class RetryLater extends Error {
  constructor(readonly verdict: Exclude<Verdict, { kind: 'accepted' }>) {
    super(verdict.error.message);
  }
}

/**
 * Sends the spooled reports oldest first, each removed once the server took it. A report the
 * server will never take is set aside and the next one goes; when the server stays away or
 * refuses every report, the flush stops and the rest waits for the next run. One run flushes at a
 * time: the others wait for it, so the server receives the backlog in order.
 */
export async function flushSpool(
  home: string,
  send: SendSpooled,
  options: FlushOptions,
): Promise<FlushOutcome> {
  const lockFile = path.join(spoolPath(home), FLUSH_LOCK_FILE);
  const busy = () =>
    new AgentError(
      'AGENT_SPOOL_BUSY',
      `another devfleet-agent run has been sending the spooled reports for ` +
        `${Math.round(options.lockWaitMs / 1000)} s; this report waits in the spool`,
    );
  return withLock(
    lockFile,
    { waitMs: options.lockWaitMs },
    () => flushLocked(home, send, options),
    busy,
  );
}

async function flushLocked(
  home: string,
  send: SendSpooled,
  options: FlushOptions,
): Promise<FlushOutcome> {
  const outcome: FlushOutcome = { sent: [], rejected: [], stoppedBy: null, pending: 0 };
  await setAsideStrays(home, outcome);
  const deadline = performance.now() + options.retryBudgetMs;
  const attempted = new Set<string>();

  // Listed again after each pass: runs that waited for this one spool meanwhile.
  pass: for (;;) {
    const entries = (await listSpool(home)).filter((entry) => !attempted.has(entry.name));
    if (entries.length === 0) break;

    for (const [index, entry] of entries.entries()) {
      attempted.add(entry.name);
      const report = await readReport(home, entry, outcome);
      if (!report) continue;

      const dropped = await readDropped(home);
      report.spool = { pending: entries.length - index - 1, dropped };
      const verdict = await deliver(send, report, deadline, options);

      switch (verdict.kind) {
        case 'accepted':
          await removeSpooled(entry);
          await forgetDropped(home, dropped);
          outcome.sent.push({ reportId: entry.reportId, status: verdict.status });
          break;
        case 'reject':
          outcome.rejected.push({
            reportId: entry.reportId,
            file: await setAside(home, entry, rejectionOf(verdict.status, verdict.error)),
            error: verdict.error,
          });
          break;
        case 'retry':
        case 'stop':
          outcome.stoppedBy = verdict.error;
          break pass;
      }
    }
  }

  outcome.pending = (await listSpool(home)).length;
  return outcome;
}

/** The spooled report, or null when it is gone or damaged (then set aside). */
async function readReport(
  home: string,
  entry: SpoolEntry,
  outcome: FlushOutcome,
): Promise<Report | null> {
  const text = await readSpooled(entry);
  if (text === null) return null;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (typeof value === 'object' && value !== null && 'reportId' in value) return value as Report;

  // Spool files are renamed into place whole; this one was edited or damaged by something else.
  const error = new AgentError('AGENT_REPORT_INVALID', `${entry.file} does not hold a report`);
  const file = await setAside(home, entry, rejectionOf(null, error));
  outcome.rejected.push({ reportId: entry.reportId, file, error });
  return null;
}

/** Folders and other non-files named like reports go to rejected/, told like damaged reports. */
async function setAsideStrays(home: string, outcome: FlushOutcome): Promise<void> {
  for (const entry of await listStrays(home)) {
    const error = new AgentError('AGENT_REPORT_INVALID', `${entry.file} is not a file`);
    const file = await setAside(home, entry, rejectionOf(null, error));
    outcome.rejected.push({ reportId: entry.reportId, file, error });
  }
}

/**
 * One report, retried with jittered exponential backoff while the flush's budget lasts; when the
 * server says how long to wait (Retry-After on 429), it waits at least that long.
 */
async function deliver(
  send: SendSpooled,
  report: Report,
  deadline: number,
  options: FlushOptions,
): Promise<Verdict> {
  const attempt = async (): Promise<Verdict> => {
    let verdict: Verdict;
    try {
      verdict = await send(report);
    } catch (error) {
      if (!(error instanceof AgentError) || error.code !== 'AGENT_SERVER_UNREACHABLE') throw error;
      verdict = { kind: 'retry', status: 0, error };
    }
    if (verdict.kind === 'retry') throw new RetryLater(verdict);
    return verdict;
  };

  const remainingMs = Math.max(0, deadline - performance.now());
  try {
    return await pRetry(attempt, {
      retries: remainingMs > 0 ? MAX_RETRIES : 0,
      factor: 2,
      minTimeout: options.firstRetryMs,
      maxTimeout: options.firstRetryMs * 10,
      randomize: true,
      maxRetryTime: remainingMs,
      shouldRetry: ({ error }) => error instanceof RetryLater,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        options.debug?.(
          `report ${report.reportId}: attempt ${attemptNumber} failed (${error.message}); ` +
            `${retriesLeft} retries left`,
        );
        // The backoff follows this wait; within the budget, never past it.
        const asked =
          error instanceof RetryLater && error.verdict.kind === 'retry'
            ? (error.verdict.retryAfterMs ?? 0)
            : 0;
        const wait = Math.min(asked, Math.max(0, deadline - performance.now()));
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      },
    });
  } catch (error) {
    if (error instanceof RetryLater) return error.verdict;
    throw error;
  }
}

function rejectionOf(status: number | null, error: AgentError) {
  return { status, code: error.code, message: error.message };
}
