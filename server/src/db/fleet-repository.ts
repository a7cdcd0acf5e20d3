import type { Environment, VersionCount, VersionField } from '@devfleet/wire';
import {
  and,
  asc,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lte,
  min,
  ne,
  sql,
} from 'drizzle-orm';

import type { HealthEnvironment } from '../health/rules.js';
import type { Db } from './client.js';
import { compileRead, perDatabase } from './compiled.js';
import {
  alertMachines,
  alerts,
  changes,
  environments,
  machines,
  samples,
  series,
} from './schema.js';

const DAY_MS = 24 * 3600 * 1000;

/** What ingestion folded into each machine row: the health rules read it without history. */
export interface MachineState {
  id: string;
  known: Readonly<Record<string, string>>;
  latestCollectedAt: number | null;
  /** Bind mount against named volume in the latest mount benchmark (1.0: no slower). */
  mountSlowdown: number | null;
}

export function machineStates(db: Db, ids?: readonly string[]): Map<string, MachineState> {
  const wanted = ids ? new Set(ids) : null;
  const states = new Map<string, MachineState>();
  for (const [id, known, latestCollectedAt, mountSlowdown] of stateQuery(db).cells({})) {
    if (wanted && !wanted.has(id as string)) continue;
    states.set(id as string, {
      id: id as string,
      known: parseKnown(known as string | null),
      latestCollectedAt: latestCollectedAt as number | null,
      mountSlowdown: mountSlowdown as number | null,
    });
  }
  return states;
}

// Every page load of the fleet reads every machine's state: prepared once, read as arrays.
const stateQuery = perDatabase((db) =>
  compileRead<object, never>(
    db,
    db
      .select({
        id: machines.id,
        known: sql<string | null>`${environments.knownState}`,
        latestCollectedAt: machines.latestCollectedAt,
        mountSlowdown: machines.mountSlowdown,
      })
      .from(machines)
      .leftJoin(environments, eq(environments.id, machines.environmentId))
      .where(isNull(machines.revokedAt)),
  ),
);

// Known states by their JSON text: environments change rarely, so the fleet page parses each
// once, not a thousand times a load. Read-only for callers; bounded for a long-running server.
const parsedKnown = new Map<string, Readonly<Record<string, string>>>();
const MAX_PARSED = 50_000;

function parseKnown(text: string | null): Readonly<Record<string, string>> {
  if (text === null) return {};
  let known = parsedKnown.get(text);
  if (known === undefined) {
    known = JSON.parse(text) as Record<string, string>;
    if (parsedKnown.size >= MAX_PARSED) parsedKnown.clear();
    parsedKnown.set(text, known);
  }
  return known;
}

/** What the fleet table and its health rules read of a machine, in one row. */
export interface FleetFacts {
  id: string;
  hostname: string;
  owner: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  latestCollectedAt: number | null;
  mountSlowdown: number | null;
  known: Readonly<Record<string, string>>;
  environment:
    | (HealthEnvironment &
        Pick<Environment, 'osName' | 'engineVersion' | 'engineMemoryBytes'> & {
          collectedAt: number;
        })
    | null;
}

const fleetEnvironmentColumns = {
  collectedAt: environments.collectedAt,
  platform: environments.platform,
  osName: environments.osName,
  backend: environments.backend,
  daemonState: environments.daemonState,
  daemonError: environments.daemonError,
  desktopVersion: environments.desktopVersion,
  desktopMemoryMiB: environments.desktopMemoryMiB,
  engineVersion: environments.engineVersion,
  engineMemoryBytes: environments.engineMemoryBytes,
  memoryBytes: environments.memoryBytes,
  projectPathKind: environments.projectPathKind,
  windowsVersion: environments.windowsVersion,
  wslDistro: environments.wslDistro,
  wslMemoryBytes: environments.wslMemoryBytes,
  wslVersion: environments.wslVersion,
};
const fleetEnvironmentKeys = Object.keys(fleetEnvironmentColumns);

const fleetQuery = perDatabase((db) => {
  const query = (owner: boolean) =>
    compileRead<{ owner?: string }, never>(
      db,
      db
        .select({
          id: machines.id,
          hostname: machines.hostname,
          owner: machines.owner,
          enrolledAt: machines.enrolledAt,
          lastSeenAt: machines.lastSeenAt,
          latestCollectedAt: machines.latestCollectedAt,
          mountSlowdown: machines.mountSlowdown,
          known: sql<string | null>`${environments.knownState}`,
          environmentId: environments.id,
          ...fleetEnvironmentColumns,
        })
        .from(machines)
        .leftJoin(environments, eq(environments.id, machines.environmentId))
        .where(
          and(
            isNull(machines.revokedAt),
            owner ? eq(machines.owner, sql.placeholder('owner')) : undefined,
          ),
        )
        .orderBy(asc(machines.hostname), asc(machines.id)),
    );
  return { all: query(false), owner: query(true) };
});

/** Every active machine (of one owner, if given), as the fleet table reads it. */
export function fleetFacts(db: Db, filter: { owner?: string } = {}): FleetFacts[] {
  const q = fleetQuery(db);
  const rows = filter.owner === undefined ? q.all.cells({}) : q.owner.cells(filter);
  return rows.map((cells) => {
    let environment: FleetFacts['environment'] = null;
    if (cells[8] !== null) {
      const env: Record<string, unknown> = {};
      for (let i = 0; i < fleetEnvironmentKeys.length; i++) {
        env[fleetEnvironmentKeys[i] as string] = cells[9 + i];
      }
      environment = env as unknown as FleetFacts['environment'];
    }
    return {
      id: cells[0] as string,
      hostname: cells[1] as string,
      owner: cells[2] as string,
      enrolledAt: cells[3] as number,
      lastSeenAt: cells[4] as number | null,
      latestCollectedAt: cells[5] as number | null,
      mountSlowdown: cells[6] as number | null,
      known: parseKnown(cells[7] as string | null),
      environment,
    };
  });
}

/** Open or acknowledged regressions (not improvements) that still count each machine. */
export function activeRegressionsByMachine(
  db: Db,
): Map<string, { alertId: string; title: string; status: string }[]> {
  const rows = db
    .select({
      machineId: alertMachines.machineId,
      alertId: alerts.id,
      title: alerts.title,
      status: alerts.status,
    })
    .from(alertMachines)
    .innerJoin(alerts, eq(alerts.id, alertMachines.alertId))
    .where(
      and(
        isNull(alertMachines.resolvedAt),
        ne(alerts.status, 'resolved'),
        ne(alerts.kind, 'improvement'),
      ),
    )
    .orderBy(desc(alerts.effect))
    .all();

  const byMachine = new Map<string, { alertId: string; title: string; status: string }[]>();
  for (const { machineId, ...alert } of rows) {
    byMachine.set(machineId, [...(byMachine.get(machineId) ?? []), alert]);
  }
  return byMachine;
}

export function countOpenAlerts(db: Db): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(alerts)
    .where(eq(alerts.status, 'open'))
    .get();
  return row?.n ?? 0;
}

/** The last known Docker Desktop, engine and WSL versions across the fleet, newest first. */
export function currentVersions(db: Db): Record<VersionField, VersionCount[]> {
  const states = [...machineStates(db).values()];
  const count = (field: VersionField): VersionCount[] => {
    const counts = new Map<string | null, number>();
    for (const { known } of states) {
      const version = known[field] ?? null;
      counts.set(version, (counts.get(version) ?? 0) + 1);
    }
    return [...counts]
      .map(([version, n]) => ({ version, machines: n }))
      .sort((a, b) => compareNullable(a.version, b.version, -1));
  };
  return {
    desktopVersion: count('desktopVersion'),
    engineVersion: count('engineVersion'),
    wslVersion: count('wslVersion'),
  };
}

const versionColumns = {
  desktopVersion: environments.desktopVersion,
  engineVersion: environments.engineVersion,
  wslVersion: environments.wslVersion,
} as const;

/**
 * How many machines ran each version at the end of each UTC day: each machine's first known
 * version, then its change events. Reads the small `changes` table, never the reports.
 */
export function versionRollout(
  db: Db,
  field: VersionField,
  range: { from: number; to: number },
): { days: string[]; versions: { version: string; machines: number[] }[] } {
  const column = versionColumns[field];
  const firsts = db
    .select({ machineId: environments.machineId, at: min(environments.collectedAt).as('first_at') })
    .from(environments)
    .innerJoin(machines, eq(machines.id, environments.machineId))
    .where(and(isNotNull(column), isNull(machines.revokedAt)))
    .groupBy(environments.machineId)
    .as('firsts');
  const starts = db
    .select({ machineId: environments.machineId, at: environments.collectedAt, version: column })
    .from(environments)
    .innerJoin(
      firsts,
      and(eq(firsts.machineId, environments.machineId), eq(firsts.at, environments.collectedAt)),
    )
    .all();
  const moves = db
    .select({ machineId: changes.machineId, at: changes.at, version: changes.toValue })
    .from(changes)
    .where(and(eq(changes.field, field), lte(changes.at, range.to)))
    .orderBy(asc(changes.at), asc(changes.id))
    .all();

  const timeline = new Map<string, { at: number; version: string | null }[]>();
  for (const event of [...starts, ...moves]) {
    timeline.set(event.machineId, [...(timeline.get(event.machineId) ?? []), event]);
  }
  for (const events of timeline.values()) events.sort((a, b) => a.at - b.at);

  const firstDay = Math.floor(range.from / DAY_MS);
  const lastDay = Math.floor(range.to / DAY_MS);
  const days: string[] = [];
  const counts = new Map<string, number[]>();
  for (let day = firstDay; day <= lastDay; day++) {
    const end = (day + 1) * DAY_MS - 1;
    const index = day - firstDay;
    days.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
    for (const events of timeline.values()) {
      const version = versionAt(events, end);
      if (version === null) continue;
      const row = counts.get(version) ?? new Array<number>(lastDay - firstDay + 1).fill(0);
      row[index] = (row[index] ?? 0) + 1;
      counts.set(version, row);
    }
  }

  const versions = [...counts]
    .map(([version, machines]) => ({ version, machines }))
    .sort((a, b) => compareNullable(a.version, b.version));
  return { days, versions };
}

function versionAt(events: readonly { at: number; version: string | null }[], at: number) {
  let version: string | null = null;
  let seen = false;
  for (const event of events) {
    if (event.at > at) break;
    version = event.version;
    seen = true;
  }
  return seen ? version : null;
}

export interface BucketRow {
  machineId: string;
  series: string;
  x: number;
  y: number;
  min: number;
  max: number;
  n: number;
}

export interface AggregateQuery {
  machineIds: readonly string[];
  /** Only series whose name starts with this (`build:`). */
  seriesPrefix?: string;
  from: number;
  to: number;
  /** About how many buckets the range is cut into: the chart's width in points. */
  points: number;
}

/**
 * Every series of the machines, cut into about `points` equal buckets with the median, lowest
 * and highest successful sample of each: a year of hourly samples leaves as a few hundred rows.
 * Each machine's range is one scan of the samples' covering index; the buckets are made here,
 * which costs less than ranking every sample in SQL and reads the same on any database.
 */
export function aggregateSeries(
  db: Db,
  query: AggregateQuery,
): { bucketMs: number; rows: BucketRow[] } {
  const bucketMs = Math.max(1, Math.ceil((query.to - query.from + 1) / query.points));
  if (query.machineIds.length === 0) return { bucketMs, rows: [] };

  const prefix = query.seriesPrefix;
  const named = db
    .select({ id: series.id, machineId: series.machineId, name: series.name })
    .from(series)
    .where(
      and(
        inArray(series.machineId, [...query.machineIds]),
        prefix ? sql`substr(${series.name}, 1, ${prefix.length}) = ${prefix}` : undefined,
      ),
    )
    .orderBy(asc(series.machineId), asc(series.name))
    .all();

  const range = samplesInRange(db);
  const rows: BucketRow[] = [];
  let machineId: string | null = null;
  let bySeries = new Map<number, { at: number; valueMs: number }[]>();
  for (const { id, machineId: owner, name } of named) {
    if (owner !== machineId) {
      machineId = owner;
      bySeries = groupBySeries(range.all({ machineId: owner, from: query.from, to: query.to }));
    }
    for (const bucket of bucketize(bySeries.get(id) ?? [], query.from, bucketMs)) {
      rows.push({ machineId: owner, series: name, ...bucket });
    }
  }
  return { bucketMs, rows };
}

const samplesInRange = perDatabase((db) =>
  compileRead<
    { machineId: string; from: number; to: number },
    { seriesId: number; at: number; valueMs: number }
  >(
    db,
    db
      .select({ seriesId: samples.seriesId, at: samples.at, valueMs: samples.valueMs })
      .from(samples)
      .where(
        and(
          eq(samples.machineId, sql.placeholder('machineId')),
          gte(samples.at, sql.placeholder('from')),
          lte(samples.at, sql.placeholder('to')),
          eq(samples.ok, true),
        ),
      )
      .orderBy(asc(samples.at)),
  ),
);

function groupBySeries(rows: readonly { seriesId: number; at: number; valueMs: number }[]) {
  const bySeries = new Map<number, { at: number; valueMs: number }[]>();
  for (const { seriesId, at, valueMs } of rows) {
    const list = bySeries.get(seriesId);
    if (list) list.push({ at, valueMs });
    else bySeries.set(seriesId, [{ at, valueMs }]);
  }
  return bySeries;
}

/** Samples in time order → one point per non-empty bucket: lower median, range, mean time. */
function bucketize(
  samples: readonly { at: number; valueMs: number }[],
  from: number,
  bucketMs: number,
): Omit<BucketRow, 'machineId' | 'series'>[] {
  const points: Omit<BucketRow, 'machineId' | 'series'>[] = [];
  let start = 0;
  while (start < samples.length) {
    const bucket = Math.floor(((samples[start]?.at ?? 0) - from) / bucketMs);
    let end = start;
    let atSum = 0;
    while (end < samples.length) {
      const sample = samples[end];
      if (!sample || Math.floor((sample.at - from) / bucketMs) !== bucket) break;
      atSum += sample.at;
      end++;
    }

    const values = samples.slice(start, end).map((s) => s.valueMs);
    values.sort((a, b) => a - b);
    const n = values.length;
    points.push({
      x: Math.round(atSum / n),
      y: values[Math.floor((n + 1) / 2) - 1] ?? 0,
      min: values[0] ?? 0,
      max: values[n - 1] ?? 0,
      n,
    });
    start = end;
  }
  return points;
}

export interface TransitionRow {
  machineId: string;
  hostname: string;
  reportId: string;
  at: number;
  changes: { field: string; from: string | null; to: string | null }[];
}

/** The machines' change events in a range, one entry per report that changed something. */
export function transitionsInRange(
  db: Db,
  machineIds: readonly string[],
  range: { from: number; to: number },
): TransitionRow[] {
  if (machineIds.length === 0) return [];
  const rows = db
    .select({ change: changes, hostname: machines.hostname })
    .from(changes)
    .innerJoin(machines, eq(machines.id, changes.machineId))
    .where(
      and(
        inArray(changes.machineId, [...machineIds]),
        gte(changes.at, range.from),
        lte(changes.at, range.to),
      ),
    )
    .orderBy(asc(changes.at), asc(changes.id))
    .all();

  const byReport = new Map<string, TransitionRow>();
  for (const { change, hostname } of rows) {
    const row = byReport.get(change.reportId) ?? {
      machineId: change.machineId,
      hostname,
      reportId: change.reportId,
      at: change.at,
      changes: [],
    };
    row.changes.push({ field: change.field, from: change.fromValue, to: change.toValue });
    byReport.set(change.reportId, row);
  }
  return [...byReport.values()];
}

// Numeric collation: 4.9.0 sorts before 4.38.0; unknown versions last.
const collator = new Intl.Collator('en', { numeric: true });

function compareNullable(a: string | null, b: string | null, sign: 1 | -1 = 1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return sign * collator.compare(a, b);
}
