import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { BuildRecord } from '@devfleet/wire';

import type { CommandResult } from '../collectors/run-command.js';
import { runCommand } from '../collectors/run-command.js';
import { parseBuildxHistory, type BuildRecord as BuildxEntry } from '../parsers/buildx-history.js';

/** Runs one command and hands back its output; tests replay recorded outputs through it. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

export interface ImportOptions {
  /** The agent's home, where the refs already imported are remembered. */
  home: string;
  run?: CommandRunner;
  now?: () => Date;
  /** At most this many `history inspect` calls per import (each takes a moment). */
  maxInspects?: number;
}

export interface ImportResult {
  /** Builds not imported before, completed, with a duration. */
  records: BuildRecord[];
  /** Their buildx refs, for rememberImported once they are sent or queued. */
  refs: string[];
  /** Null when buildx history could be read; else why not, for a person. */
  unavailable: string | null;
  warnings: string[];
}

export const STATE_FILE = 'buildx-imported.json';
const COMMAND_TIMEOUT_MS = 30_000;
// Buildx keeps a bounded history too; remembering more refs than it can show is enough.
const MAX_REMEMBERED = 5000;

const defaultRun: CommandRunner = (cmd, args) =>
  runCommand(cmd, args, { timeoutMs: COMMAND_TIMEOUT_MS });

/**
 * Reads BuildKit's own record of recent builds (`docker buildx history`) into BuildRecords,
 * each build once: refs already imported are skipped. Call rememberImported with the refs
 * once the records are sent or queued.
 */
export async function importBuildxHistory(options: ImportOptions): Promise<ImportResult> {
  const run = options.run ?? defaultRun;
  const now = options.now ?? (() => new Date());
  const warnings: string[] = [];

  const listed = await listHistory(run);
  if (listed.unavailable)
    return { records: [], refs: [], unavailable: listed.unavailable, warnings };
  warnings.push(...listed.warnings);

  const imported = await readImported(options.home);
  const fresh = listed.entries.filter(
    (entry) => entry.ref && !imported.has(entry.ref) && isFinished(entry),
  );

  let inspects = options.maxInspects ?? 50;
  const records: BuildRecord[] = [];
  const refs: string[] = [];
  for (const entry of fresh) {
    const needsDetail = entry.durationMs === null || entry.totalSteps === null;
    const complete = needsDetail && inspects-- > 0 ? await inspect(run, entry, warnings) : entry;
    const record = toBuildRecord(complete, now());
    if (record) {
      records.push(record);
      refs.push(complete.ref ?? '');
    } else warnings.push(`build ${entry.ref} has no duration; skipped`);
  }
  return { records, refs, unavailable: null, warnings };
}

async function listHistory(
  run: CommandRunner,
): Promise<{ entries: BuildxEntry[]; warnings: string[]; unavailable: string | null }> {
  let result = await run('docker', ['buildx', 'history', 'ls', '--format', 'json']);
  // Before JSON output existed, `ls` printed only its table and rejected the flag.
  if (result.exitCode !== 0 && /unknown (flag|shorthand)|--format/i.test(result.stderr)) {
    result = await run('docker', ['buildx', 'history', 'ls']);
  }

  if (result.error === 'not-found') return unavailable('docker is not installed');
  if (result.exitCode !== 0 && /unknown command|is not a docker command/i.test(result.stderr)) {
    return unavailable(await noHistoryReason(run));
  }

  const parsed = parseBuildxHistory(`${result.stdout}\n${result.stderr}`);
  if (parsed.value.length === 0 && result.exitCode !== 0) {
    return unavailable(
      `docker buildx history ls failed: ${lastLine(result.stderr) || result.error}`,
    );
  }
  const warnings = parsed.warnings.filter((warning) => !/no buildx history found/.test(warning));
  return { entries: parsed.value, warnings, unavailable: null };
}

function unavailable(reason: string) {
  return { entries: [], warnings: [], unavailable: reason };
}

async function noHistoryReason(run: CommandRunner): Promise<string> {
  const version = await run('docker', ['buildx', 'version']);
  const found = /\bv?(\d+\.\d+\.\d+)\S*/.exec(version.stdout);
  if (version.exitCode !== 0 || !found) return 'docker buildx is not installed';
  return `buildx ${found[0]} has no \`history\` command (it came with buildx 0.20)`;
}

/** `history inspect` adds what `ls` lacks: the duration (table form) or the step counts. */
async function inspect(
  run: CommandRunner,
  entry: BuildxEntry,
  warnings: string[],
): Promise<BuildxEntry> {
  const id = (entry.ref ?? '').split('/').at(-1) ?? '';
  let result = await run('docker', ['buildx', 'history', 'inspect', id, '--format', 'json']);
  if (result.exitCode !== 0 && /unknown (flag|shorthand)|--format/i.test(result.stderr)) {
    result = await run('docker', ['buildx', 'history', 'inspect', id]);
  }
  if (result.exitCode !== 0) {
    warnings.push(
      `docker buildx history inspect ${id}: ${lastLine(result.stderr) || result.error}`,
    );
    return entry;
  }

  const detail = parseBuildxHistory(result.stdout).value[0];
  if (!detail) return entry;
  return {
    ...entry,
    name: entry.name ?? detail.name,
    status: entry.status ?? detail.status,
    createdAt: entry.createdAt ?? detail.createdAt,
    completedAt: entry.completedAt ?? detail.completedAt,
    durationMs: entry.durationMs ?? detail.durationMs,
    totalSteps: entry.totalSteps ?? detail.totalSteps,
    completedSteps: entry.completedSteps ?? detail.completedSteps,
    cachedSteps: entry.cachedSteps ?? detail.cachedSteps,
    error: entry.error ?? detail.error,
  };
}

function isFinished(entry: BuildxEntry): boolean {
  return !/^running$/i.test(entry.status ?? '');
}

/**
 * One BuildRecord, or null without a duration. No fingerprint: the history reaches back days,
 * past updates the agent cannot place, so the server attributes these by their start time.
 */
export function toBuildRecord(entry: BuildxEntry, now: Date): BuildRecord | null {
  if (!entry.ref || entry.durationMs === null) return null;

  const succeeded = /^(completed|complete|done|success)$/i.test(entry.status ?? '') && !entry.error;
  const total = entry.totalSteps ?? 0;
  const cacheRatio =
    total > 0 && entry.cachedSteps !== null
      ? Math.min(1, Math.max(0, entry.cachedSteps / total))
      : null;

  return {
    id: buildId(entry.ref),
    source: 'buildx',
    name: (entry.name ?? entry.ref).slice(0, 128),
    command: null,
    startedAt: startOf(entry.createdAt, entry.durationMs, now),
    durationMs: Math.max(0, Math.round(entry.durationMs)),
    exitCode: null,
    succeeded,
    fingerprint: null,
    pathKind: 'unknown',
    cacheRatio,
  };
}

/** Refs look like `builder/node/id`; the record id allows fewer characters and 128 at most. */
function buildId(ref: string): string {
  const safe = `buildx-${ref.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
  if (safe.length <= 128) return safe;
  return `buildx-${createHash('sha256').update(ref).digest('hex').slice(0, 40)}`;
}

const RELATIVE = /^(?:about\s+)?(an?|\d+)\s+(second|minute|hour|day|week|month|year)s?\s+ago$/i;
const UNIT_MS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/**
 * The start as ISO 8601. JSON gives a timestamp; the table only "16 seconds ago" (counted back
 * from now); the inspect text a local time without zone, read as the agent's local time, which
 * is where buildx printed it.
 */
export function startOf(createdAt: string | null, durationMs: number, now: Date): string {
  const relative = createdAt ? RELATIVE.exec(createdAt.trim()) : null;
  if (relative?.[1] && relative[2]) {
    const count = /^an?$/i.test(relative[1]) ? 1 : Number(relative[1]);
    return new Date(
      now.getTime() - count * (UNIT_MS[relative[2].toLowerCase()] ?? 0),
    ).toISOString();
  }
  const parsed = createdAt
    ? Date.parse(createdAt.trim().replace(/^(\d{4}-\d\d-\d\d) /, '$1T'))
    : NaN;
  if (Number.isFinite(parsed)) return new Date(parsed).toISOString();
  return new Date(now.getTime() - durationMs).toISOString();
}

export async function readImported(home: string): Promise<Set<string>> {
  try {
    const value: unknown = JSON.parse(await readFile(path.join(home, STATE_FILE), 'utf8'));
    const refs = (value as { refs?: unknown }).refs;
    return new Set(Array.isArray(refs) ? refs.filter((ref) => typeof ref === 'string') : []);
  } catch {
    // Missing or damaged: importing again is safe, the server stores each id once.
    return new Set();
  }
}

/** Adds refs to the state file, keeping the most recent MAX_REMEMBERED. */
export async function rememberImported(home: string, refs: Iterable<string>): Promise<void> {
  const all = [...(await readImported(home)), ...refs];
  const unique = [...new Set(all)].slice(-MAX_REMEMBERED);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ refs: unique }, null, 1)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
