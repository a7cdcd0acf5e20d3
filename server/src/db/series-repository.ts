import type { SeriesPoint, SeriesSummary } from '@devfleet/wire';
import { and, asc, count, desc, eq, gt, gte, isNull, lte, max, sql } from 'drizzle-orm';

import type { Db } from './client.js';
import { perDatabase } from './compiled.js';
import { machines, samples } from './schema.js';

export function listSeries(db: Db, machineId: string): SeriesSummary[] {
  return db
    .select({ name: samples.series, count: count(), lastAt: max(samples.at) })
    .from(samples)
    .where(eq(samples.machineId, machineId))
    .groupBy(samples.series)
    .orderBy(asc(samples.series))
    .all()
    .map((s) => ({
      name: s.name,
      count: s.count,
      lastAt: new Date(s.lastAt ?? 0).toISOString(),
    }));
}

export function seriesPoints(
  db: Db,
  machineId: string,
  series: string,
  range: { from: number; to: number },
): SeriesPoint[] {
  return db
    .select()
    .from(samples)
    .where(
      and(
        eq(samples.machineId, machineId),
        eq(samples.series, series),
        gte(samples.at, range.from),
        lte(samples.at, range.to),
      ),
    )
    .orderBy(asc(samples.at))
    .all()
    .map((s) => ({
      at: new Date(s.at).toISOString(),
      valueMs: s.valueMs,
      spreadMs: s.spreadMs,
      ok: s.ok,
      reportId: s.reportId,
    }));
}

export interface SampleWindow {
  /** Exclusive lower bound (ms). */
  after: number;
  /** Inclusive upper bound (ms). */
  until: number;
  limit: number;
  /** 'first': the earliest samples in the range; 'last': the latest. */
  take: 'first' | 'last';
}

function windowQuery(db: Db, take: SampleWindow['take']) {
  return db
    .select({ at: samples.at, valueMs: samples.valueMs })
    .from(samples)
    .where(
      and(
        eq(samples.machineId, sql.placeholder('machineId')),
        eq(samples.series, sql.placeholder('series')),
        gt(samples.at, sql.placeholder('after')),
        lte(samples.at, sql.placeholder('until')),
        eq(samples.ok, true),
      ),
    )
    .orderBy(take === 'first' ? asc(samples.at) : desc(samples.at))
    .limit(sql.placeholder('limit'))
    .prepare();
}

// Detection reads several windows per series and report: prepared once, not built each time.
const windows = perDatabase((db) => ({
  first: windowQuery(db, 'first'),
  last: windowQuery(db, 'last'),
}));

/** A bounded window of one series' successful samples, in time order, for detection. */
export function sampleWindow(
  db: Db,
  machineId: string,
  series: string,
  window: SampleWindow,
): { at: number; valueMs: number }[] {
  const rows = windows(db)[window.take].all({
    machineId,
    series,
    after: window.after,
    until: window.until,
    limit: window.limit,
  });
  return window.take === 'first' ? rows : rows.reverse();
}

/** Machines whose last known value of a fact is `value` (the control group of a transition). */
export function machinesWithFact(db: Db, field: string, value: string, limit: number): string[] {
  // known_state is a JSON object keyed by fact name; names contain dots, hence the quoted path.
  const path = `$."${field.replaceAll('"', '')}"`;
  return db
    .select({ id: machines.id })
    .from(machines)
    .where(
      and(
        isNull(machines.revokedAt),
        sql`json_extract(${machines.knownState}, ${path}) = ${value}`,
      ),
    )
    .limit(limit)
    .all()
    .map((r) => r.id);
}
