import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import type { Report } from '@devfleet/wire';

import { AgentError } from '../config/agent-error.js';
import { withLock } from './file-lock.js';

/** Reports not sent yet, one file each, in the agent's home. */
export const SPOOL_DIR = 'spool';
export const REJECTED_DIR = 'rejected';

export interface SpoolLimits {
  maxReports: number;
  maxBytes: number;
}

// A laptop offline for weeks at one report an hour fills 500 in three weeks; 20 MiB is far
// above 500 typical reports (~5 KiB each) and leaves room for ones that carry benchmarks.
export const DEFAULT_SPOOL_LIMITS: SpoolLimits = { maxReports: 500, maxBytes: 20 * 1024 * 1024 };

// Kept for a human to look at; the oldest go once there are this many.
const MAX_REJECTED = 100;

export interface SpoolEntry {
  /** The file name: lexical order is the order the reports were spooled in. */
  name: string;
  file: string;
  reportId: string;
}

export interface SpoolRejection {
  status: number | null;
  code: string;
  message: string;
}

// <milliseconds, 15 digits>-<sequence within that millisecond, 6 digits>-<reportId>.json
const ENTRY_NAME = /^(\d{15})-(\d{6})-([A-Za-z0-9_-]{1,64})\.json$/;
const DROPPED_FILE = 'dropped.json';
const LOCK_FILE = '.lock';
const TEMP_PREFIX = '.tmp-';
const TEMP_MAX_AGE_MS = 10 * 60_000;
// Every spool change under the lock is a few file operations; a holder that needs longer is gone.
const LOCK_WAIT_MS = 10_000;

export function spoolPath(home: string): string {
  return path.join(home, SPOOL_DIR);
}

/**
 * Writes the report as the newest file of the spool (atomically: a crash leaves the old spool or
 * the new one, never a torn file), then drops the oldest reports while the spool is over its
 * limits and counts them, so that the next report sent can tell the server.
 */
export async function addToSpool(
  home: string,
  report: Report,
  limits: SpoolLimits = DEFAULT_SPOOL_LIMITS,
): Promise<SpoolEntry> {
  const dir = spoolPath(home);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  return withSpoolLock(dir, async () => {
    const entries = await listSpool(home);
    const name = nextName(entries.at(-1)?.name, report.reportId);
    await writeAtomically(path.join(dir, name), `${JSON.stringify(report)}\n`);

    const added = entryOf(dir, name);
    const dropped = await dropOverLimits(dir, [...entries, added], limits);
    if (dropped > 0) await writeDropped(dir, (await readDroppedIn(dir)) + dropped);
    await removeLeftoverTemporaries(dir);
    return added;
  });
}

/** The spooled reports, oldest first. */
export async function listSpool(home: string): Promise<SpoolEntry[]> {
  return (await readSpoolDir(home)).filter((item) => item.isFile).map((item) => item.entry);
}

/**
 * Entries named like reports that are not files: a folder someone made, a device. Nothing can
 * read them as a report, so the flush sets them aside instead of failing on them every run.
 */
export async function listStrays(home: string): Promise<SpoolEntry[]> {
  return (await readSpoolDir(home)).filter((item) => !item.isFile).map((item) => item.entry);
}

async function readSpoolDir(home: string): Promise<{ entry: SpoolEntry; isFile: boolean }[]> {
  const dir = spoolPath(home);
  let found: Dirent[];
  try {
    found = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return found
    .filter((item) => ENTRY_NAME.test(item.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((item) => ({
      entry: entryOf(dir, item.name),
      // A symlink is followed by readFile, as before; only what cannot hold text is a stray.
      isFile: item.isFile() || item.isSymbolicLink(),
    }));
}

/** The spooled report's text, or null when its file is gone (another run sent it meanwhile). */
export async function readSpooled(entry: SpoolEntry): Promise<string | null> {
  try {
    return await readFile(entry.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Forgets a report the server has taken. */
export async function removeSpooled(entry: SpoolEntry): Promise<void> {
  await unlink(entry.file).catch(ignoreMissing);
}

/**
 * Moves a report the server will never take out of the way, beside a file that says why: it
 * must not block the reports behind it, and it must not vanish without a trace.
 */
export async function setAside(
  home: string,
  entry: SpoolEntry,
  rejection: SpoolRejection,
): Promise<string> {
  const dir = spoolPath(home);
  const rejectedDir = path.join(dir, REJECTED_DIR);
  await mkdir(rejectedDir, { recursive: true, mode: 0o700 });

  return withSpoolLock(dir, async () => {
    const target = path.join(rejectedDir, entry.name);
    const reason = { reportId: entry.reportId, rejectedAt: new Date().toISOString(), ...rejection };
    await writeAtomically(target.replace(/\.json$/, '.error.json'), JSON.stringify(reason));
    await rename(entry.file, target).catch(ignoreMissing);
    await pruneRejected(rejectedDir);
    return target;
  });
}

/** How many reports were dropped because the spool was full, since a report last told. */
export async function readDropped(home: string): Promise<number> {
  return readDroppedIn(spoolPath(home));
}

/** Takes back the count a report has carried to the server; drops counted since then stay. */
export async function forgetDropped(home: string, told: number): Promise<void> {
  if (told <= 0) return;
  const dir = spoolPath(home);
  await withSpoolLock(dir, async () => {
    await writeDropped(dir, Math.max(0, (await readDroppedIn(dir)) - told));
  });
}

function withSpoolLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  return withLock(path.join(dir, LOCK_FILE), { waitMs: LOCK_WAIT_MS }, work, () => {
    return new AgentError(
      'AGENT_SPOOL_BUSY',
      `the report spool in ${dir} stayed locked for ${LOCK_WAIT_MS / 1000} s; ` +
        `if no other devfleet-agent runs, remove ${path.join(dir, LOCK_FILE)}`,
    );
  });
}

/** Creation order even when the clock steps back: never sorts before the newest entry. */
function nextName(newest: string | undefined, reportId: string): string {
  let ms = Date.now();
  let sequence = 0;
  const match = newest ? ENTRY_NAME.exec(newest) : null;
  if (match?.[1] && match[2]) {
    const newestMs = Number(match[1]);
    if (newestMs >= ms) {
      ms = newestMs;
      sequence = Number(match[2]) + 1;
    }
  }
  return `${String(ms).padStart(15, '0')}-${String(sequence).padStart(6, '0')}-${reportId}.json`;
}

function entryOf(dir: string, name: string): SpoolEntry {
  return { name, file: path.join(dir, name), reportId: ENTRY_NAME.exec(name)?.[3] ?? '' };
}

/** Drops the oldest entries until the spool fits; the newest is always kept. Answers how many. */
async function dropOverLimits(
  dir: string,
  entries: SpoolEntry[],
  limits: SpoolLimits,
): Promise<number> {
  const sizes = await Promise.all(
    entries.map((entry) =>
      stat(entry.file).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  let count = entries.length;
  let bytes = sizes.reduce((sum, size) => sum + size, 0);
  let dropped = 0;

  for (let i = 0; i < entries.length - 1; i++) {
    if (count <= limits.maxReports && bytes <= limits.maxBytes) break;
    const entry = entries[i];
    if (!entry) break;
    await removeSpooled(entry);
    count -= 1;
    bytes -= sizes[i] ?? 0;
    dropped += 1;
  }
  if (dropped > 0) await syncDir(dir);
  return dropped;
}

async function pruneRejected(rejectedDir: string): Promise<void> {
  const reports = (await readdir(rejectedDir)).filter((name) => ENTRY_NAME.test(name)).sort();
  for (const name of reports.slice(0, Math.max(0, reports.length - MAX_REJECTED))) {
    // A stray folder set aside goes the same way as the reports.
    await rm(path.join(rejectedDir, name), { recursive: true, force: true });
    await unlink(path.join(rejectedDir, name.replace(/\.json$/, '.error.json'))).catch(
      ignoreMissing,
    );
  }
}

// A writer killed between creating its temporary file and the rename leaves the file behind.
async function removeLeftoverTemporaries(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.startsWith(TEMP_PREFIX));
  for (const name of names) {
    const file = path.join(dir, name);
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > TEMP_MAX_AGE_MS) await unlink(file).catch(ignoreMissing);
  }
}

async function readDroppedIn(dir: string): Promise<number> {
  try {
    const value = JSON.parse(await readFile(path.join(dir, DROPPED_FILE), 'utf8')) as unknown;
    const dropped = (value as { dropped?: unknown }).dropped;
    return typeof dropped === 'number' && Number.isSafeInteger(dropped) && dropped > 0
      ? dropped
      : 0;
  } catch {
    return 0;
  }
}

async function writeDropped(dir: string, dropped: number): Promise<void> {
  await writeAtomically(path.join(dir, DROPPED_FILE), JSON.stringify({ dropped }));
}

/** Write a temporary file, fsync it, rename it over the target, fsync the folder. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const temporary = path.join(dir, `${TEMP_PREFIX}${process.pid}-${randomUUID()}`);
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

// Makes the rename itself durable. Windows cannot open a folder for fsync; NTFS journals renames.
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
