import type { VersionCount, VersionField } from '@devfleet/wire';
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

import type { Db } from './client.js';
import { alertMachines, alerts, changes, environments, machines, samples } from './schema.js';

const DAY_MS = 24 * 3600 * 1000;

/** What ingestion folded into each machine row: the health rules read it without history. */
export interface MachineState {
  id: string;
  known: Record<string, string>;
  latestCollectedAt: number | null;
}

export function machineStates(db: Db, ids?: readonly string[]): Map<string, MachineState> {
  const rows = db
    .select({
      id: machines.id,
      known: machines.knownState,
      latestCollectedAt: machines.latestCollectedAt,
    })
    .from(machines)
    .where(and(isNull(machines.revokedAt), ids ? inArray(machines.id, [...ids]) : undefined))
    .all();
  return new Map(rows.map((r) => [r.id, { ...r, known: r.known ?? {} }]));
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

// The phases of the agent's mount benchmark (agent/src/bench/file-work.ts).
const MOUNT_PHASES = ['create', 'stat', 'read', 'delete', 'walk', 'large-write', 'large-read'];

/**
 * How much slower the latest mount benchmark's file work was through the bind mount than in a
 * volume: the sum of the phases both measured. One indexed lookup per series, however long the
 * history.
 */
export function mountSlowdown(db: Db, machineId: string): number | null {
  const latest = (series: string) =>
    db
      .select({ valueMs: samples.valueMs })
      .from(samples)
      .where(
        and(eq(samples.machineId, machineId), eq(samples.series, series), eq(samples.ok, true)),
      )
      .orderBy(desc(samples.at))
      .limit(1)
      .get()?.valueMs;

  let bind = 0;
  let volume = 0;
  for (const phase of MOUNT_PHASES) {
    const b = latest(`bench.mount.bind.${phase}`);
    const v = latest(`bench.mount.volume.${phase}`);
    if (b === undefined || v === undefined) continue;
    bind += b;
    volume += v;
  }
  return volume > 0 ? bind / volume : null;
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
 * and highest successful sample of each, computed in SQL: a year of hourly samples leaves the
 * database as a few hundred rows. Window functions, so PostgreSQL runs the same query.
 */
export function aggregateSeries(
  db: Db,
  query: AggregateQuery,
): { bucketMs: number; rows: BucketRow[] } {
  const bucketMs = Math.max(1, Math.ceil((query.to - query.from + 1) / query.points));
  if (query.machineIds.length === 0) return { bucketMs, rows: [] };

  const ids = sql.join(
    query.machineIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const prefix = query.seriesPrefix
    ? sql`AND substr(series, 1, ${query.seriesPrefix.length}) = ${query.seriesPrefix}`
    : sql``;

  const rows = db.all<BucketRow>(sql`
    WITH bucketed AS (
      SELECT machine_id, series, at, value_ms,
        CAST((at - ${query.from}) / ${bucketMs} AS INTEGER) AS bucket
      FROM samples
      WHERE machine_id IN (${ids}) AND at >= ${query.from} AND at <= ${query.to} AND ok = TRUE
      ${prefix}
    ),
    ranked AS (
      SELECT machine_id, series, bucket, value_ms,
        ROW_NUMBER() OVER (PARTITION BY machine_id, series, bucket ORDER BY value_ms) AS rn,
        COUNT(*) OVER (PARTITION BY machine_id, series, bucket) AS n,
        MIN(value_ms) OVER (PARTITION BY machine_id, series, bucket) AS lo,
        MAX(value_ms) OVER (PARTITION BY machine_id, series, bucket) AS hi,
        AVG(at) OVER (PARTITION BY machine_id, series, bucket) AS mid
      FROM bucketed
    )
    SELECT machine_id AS "machineId", series, ROUND(mid) AS x, value_ms AS y, lo AS min, hi AS max, n
    FROM ranked
    WHERE rn = (n + 1) / 2
    ORDER BY machine_id, series, bucket
  `);
  return { bucketMs, rows };
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
