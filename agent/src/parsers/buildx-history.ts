import { clipOrNull, prepareInput, splitLabel } from './input.js';
import { findJsonSpans, getNumber, getString, isRecord, parseJsonLenient } from './json-text.js';
import { parseSafely, type Parsed } from './parsed.js';
import { parseGoDuration } from './units.js';

export interface BuildRecord {
  ref: string | null;
  name: string | null;
  status: string | null;
  createdAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  totalSteps: number | null;
  completedSteps: number | null;
  cachedSteps: number | null;
  error: string | null;
}

/**
 * Reads `docker buildx history ls --format json` (one object per line, snake_case, no duration:
 * computed from the timestamps), `history inspect --format json` (PascalCase, Duration in
 * nanoseconds), and the text table and inspect forms.
 */
export function parseBuildxHistory(text: string): Parsed<BuildRecord[]> {
  return parseSafely(
    'buildx-history',
    () => readHistory(text),
    () => [],
  );
}

function readHistory(input: string): Parsed<BuildRecord[]> {
  const { text, lines, warnings } = prepareInput(input);

  const fromJson = findJsonSpans(text)
    .map((span) => parseJsonLenient(text.slice(span.start, span.end)).value)
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter(isRecord)
    .map(recordFromJson)
    .filter((record) => record.ref !== null || record.name !== null);

  const records = fromJson.length > 0 ? fromJson : [...fromTable(lines), ...fromInspectText(lines)];
  if (records.length === 0) warnings.push('no buildx history found');

  const errorLine = lines.find((line) => /^ERROR:/.test(line.trim()));
  if (errorLine && records.length === 0) warnings.push(`buildx said: ${errorLine.trim()}`);
  return { value: records.slice(0, 1000), warnings };
}

function recordFromJson(object: Record<string, unknown>): BuildRecord {
  const pick = (...keys: string[]): string | null => {
    for (const key of keys) {
      const value = getString(object, key);
      if (value !== null && value !== '') return value;
    }
    return null;
  };
  const count = (...keys: string[]): number | null => {
    for (const key of keys) {
      const value = getNumber(object, key);
      if (value !== null) return value;
    }
    return null;
  };

  const createdAt = pick('created_at', 'CreatedAt', 'StartedAt');
  const completedAt = pick('completed_at', 'CompletedAt');
  const nanoseconds = count('Duration');
  const durationMs =
    nanoseconds !== null ? nanoseconds / 1e6 : durationBetween(createdAt, completedAt);

  return {
    ref: clipOrNull(pick('ref', 'Ref', 'ID'), 256),
    name: clipOrNull(pick('name', 'Name'), 256),
    status: clipOrNull(pick('status', 'Status'), 32),
    createdAt,
    completedAt,
    durationMs,
    totalSteps: count('total_steps', 'NumTotalSteps'),
    completedSteps: count('completed_steps', 'NumCompletedSteps'),
    cachedSteps: count('cached_steps', 'NumCachedSteps'),
    error: clipOrNull(pick('error', 'Error'), 4096),
  };
}

function durationBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

function emptyRecord(): BuildRecord {
  return {
    ref: null,
    name: null,
    status: null,
    createdAt: null,
    completedAt: null,
    durationMs: null,
    totalSteps: null,
    completedSteps: null,
    cachedSteps: null,
    error: null,
  };
}

// "BUILD ID  NAME  STATUS  CREATED AT  DURATION": columns padded, CREATED AT is relative
// ("16 seconds ago"), so rows are read from both ends.
function fromTable(lines: string[]): BuildRecord[] {
  const header = lines.findIndex((line) => /^\s*BUILD ID\s+NAME\s+STATUS\b/.test(line));
  if (header < 0) return [];

  const records: BuildRecord[] = [];
  for (const line of lines.slice(header + 1)) {
    const fields = line.trim().split(/\s{2,}/);
    if (fields.length < 4 || !/^[a-z0-9]{10,64}$/.test(fields[0] ?? '')) break;

    const [ref, name, status, createdAt, duration] = fields;
    records.push({
      ...emptyRecord(),
      ref: ref ?? null,
      name: name ?? null,
      status: status ?? null,
      createdAt: createdAt ?? null,
      durationMs: duration ? parseGoDuration(duration) : null,
    });
  }
  return records;
}

// `history inspect` text: "Key:<tab>value" lines, e.g. "Build Steps:	8/10 (0% cached)".
function fromInspectText(lines: string[]): BuildRecord[] {
  const record = emptyRecord();
  let seen = false;
  for (const line of lines) {
    const pair = splitLabel(line.trim());
    if (!pair || pair.value === '') continue;

    const label = pair.label.toLowerCase();
    // The first of each wins: the build's own log below repeats words such as "ERROR:".
    if (label === 'started') record.createdAt ??= pair.value;
    else if (label === 'completed') record.completedAt ??= pair.value;
    else if (label === 'duration') record.durationMs ??= parseGoDuration(pair.value);
    else if (label === 'error') record.error ??= clipOrNull(pair.value, 4096);
    else if (label === 'name') record.name ??= clipOrNull(pair.value, 256);
    else if (label === 'status') record.status ??= clipOrNull(pair.value, 32);
    else if (label === 'build steps' && record.totalSteps === null) readSteps(pair.value, record);
    else continue;
    seen = true;
  }

  const ref = lines.map((line) => /history (?:inspect|logs) ([a-z0-9]{10,64})/.exec(line)?.[1]);
  record.ref = ref.find((value) => value) ?? null;
  if (record.status === null && record.error !== null) record.status = 'Error';
  return seen && (record.durationMs !== null || record.createdAt !== null) ? [record] : [];
}

function readSteps(value: string, record: BuildRecord): void {
  const match = /^(\d{1,6})\/(\d{1,6})(?:\s*\((\d{1,3})% cached\))?/.exec(value);
  if (!match) return;
  record.completedSteps = Number(match[1]);
  record.totalSteps = Number(match[2]);
  if (match[3] !== undefined) {
    record.cachedSteps = Math.round((Number(match[3]) / 100) * record.totalSteps);
  }
}
