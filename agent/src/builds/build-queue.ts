import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { BuildRecord } from '@devfleet/wire';

import { AgentError } from '../config/agent-error.js';
import { buildRecordSchema } from '../validation/validators.js';

/** Builds that could not be sent, one JSON object a line, in the agent's home. */
export const QUEUE_FILE = 'pending-builds.jsonl';

// A laptop offline for weeks keeps its most recent builds; older ones are dropped first.
const MAX_QUEUED = 2000;

export async function queueBuild(home: string, record: BuildRecord): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await appendFile(path.join(home, QUEUE_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/**
 * The queued builds, oldest first, for the next report to carry. Lines that are not a valid
 * BuildRecord (a torn write, a record from an older agent) are skipped, never fatal.
 */
export async function readQueuedBuilds(home: string): Promise<BuildRecord[]> {
  let text: string;
  try {
    text = await readFile(path.join(home, QUEUE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }

  const records: BuildRecord[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const record = parseLine(line);
    if (record && !seen.has(record.id)) {
      seen.add(record.id);
      records.push(record);
    }
  }
  return records.slice(-MAX_QUEUED);
}

/** Drops the builds the server has accepted; others queued meanwhile stay. */
export async function removeQueuedBuilds(home: string, ids: Iterable<string>): Promise<void> {
  const sent = new Set(ids);
  const remaining = (await readQueuedBuilds(home)).filter((record) => !sent.has(record.id));
  const file = path.join(home, QUEUE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, remaining.map((record) => `${JSON.stringify(record)}\n`).join(''), {
    mode: 0o600,
  });
  await rename(temporary, file);
}

function parseLine(line: string): BuildRecord | null {
  if (line.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(line);
    return buildRecordSchema.check(value) ? value : null;
  } catch {
    return null;
  }
}

/** What became of a build record: sent, or queued with the reason it could not go now. */
export type Delivery = { sent: true } | { sent: false; reason: string };

/**
 * Sends a record, and queues it when the server cannot take it now: a build is measured once
 * and must not be lost to a closed laptop lid. Throws only when the queue cannot be written.
 */
export async function sendOrQueue(
  home: string,
  record: BuildRecord,
  send: (record: BuildRecord) => Promise<boolean>,
): Promise<Delivery> {
  let reason = 'the server did not take it';
  try {
    if (await send(record)) return { sent: true };
  } catch (error) {
    reason = describeFailure(error);
  }
  await queueBuild(home, record);
  return { sent: false, reason };
}

/** "CODE: message" for the agent's own errors, the message for others. */
export function describeFailure(error: unknown): string {
  if (error instanceof AgentError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
