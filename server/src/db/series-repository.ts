import type { SeriesPoint, SeriesSummary } from '@devfleet/wire';
import { and, asc, count, desc, eq, gt, gte, isNull, lte, max, sql } from 'drizzle-orm';

import type { Db } from './client.js';
import { compileRead, compileWrite, perDatabase } from './compiled.js';
import { environments, machines, samples, series } from './schema.js';

// Ids of series already seen, so that storing a sample costs no lookup. A few hundred bytes a
// series; the bound only matters for a server that has seen an enormous fleet.
const MAX_CACHED_IDS = 200_000;

const seriesStatements = perDatabase((db) => ({
  ids: new Map<string, number>(),
  find: compileRead<{ machineId: string; name: string }, { id: number }>(
    db,
    db
      .select({ id: series.id })
      .from(series)
      .where(
        and(
          eq(series.machineId, sql.placeholder('machineId')),
          eq(series.name, sql.placeholder('name')),
        ),
      ),
  ),
  insert: compileWrite<{ machineId: string; name: string }>(
    db,
    db
      .insert(series)
      .values({ machineId: sql.placeholder('machineId'), name: sql.placeholder('name') }),
  ),
}));

/** The id of a machine's series, which is created with its first sample. */
export function ensureSeries(db: Db, machineId: string, name: string): number {
  const s = seriesStatements(db);
  const key = `${machineId}\u0000${name}`;
  const cached = s.ids.get(key);
  if (cached !== undefined) return cached;

  const id =
    s.find.get({ machineId, name })?.id ??
    Number(s.insert.run({ machineId, name }).lastInsertRowid);
  if (s.ids.size >= MAX_CACHED_IDS) s.ids.clear();
  s.ids.set(key, id);
  return id;
}

/** Forgets the cached series ids: after a rolled-back transaction, some may not exist. */
export function forgetSeriesIds(db: Db): void {
  seriesStatements(db).ids.clear();
}

export function listSeries(db: Db, machineId: string): SeriesSummary[] {
  const counts = db
    .select({
      seriesId: samples.seriesId,
      count: count().as('count'),
      lastAt: max(samples.at).as('last_at'),
    })
    .from(samples)
    .where(eq(samples.machineId, machineId))
    .groupBy(samples.seriesId)
    .as('counts');

  return db
    .select({ name: series.name, count: counts.count, lastAt: counts.lastAt })
    .from(series)
    .innerJoin(counts, eq(counts.seriesId, series.id))
    .where(eq(series.machineId, machineId))
    .orderBy(asc(series.name))
    .all()
    .map((s) => ({
      name: s.name,
      count: s.count,
      lastAt: new Date(s.lastAt ?? 0).toISOString(),
    }));
}

/** A series' id, or undefined when the machine has no such series. */
export function findSeries(db: Db, machineId: string, name: string): number | undefined {
  return seriesStatements(db).find.get({ machineId, name })?.id;
}

export function seriesPoints(
  db: Db,
  machineId: string,
  name: string,
  range: { from: number; to: number },
): SeriesPoint[] {
  const seriesId = findSeries(db, machineId, name);
  if (seriesId === undefined) return [];

  return db
    .select({
      at: samples.at,
      valueMs: samples.valueMs,
      spreadMs: samples.spreadMs,
      ok: samples.ok,
      reportId: samples.reportId,
    })
    .from(samples)
    .where(
      and(
        eq(samples.machineId, machineId),
        gte(samples.at, range.from),
        lte(samples.at, range.to),
        eq(samples.seriesId, seriesId),
      ),
    )
    .orderBy(asc(samples.at))
    .all()
    .map((s) => ({ ...s, at: new Date(s.at).toISOString() }));
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

interface WindowParams {
  machineId: string;
  series: string;
  after: number;
  until: number;
  limit: number;
}

function windowQuery(db: Db, take: SampleWindow['take']) {
  const seriesId = db
    .select({ id: series.id })
    .from(series)
    .where(
      and(
        eq(series.machineId, sql.placeholder('machineId')),
        eq(series.name, sql.placeholder('series')),
      ),
    );
  return compileRead<WindowParams, { at: number; valueMs: number }>(
    db,
    db
      .select({ at: samples.at, valueMs: samples.valueMs })
      .from(samples)
      .where(
        and(
          eq(samples.machineId, sql.placeholder('machineId')),
          eq(samples.seriesId, sql`(${seriesId})`),
          gt(samples.at, sql.placeholder('after')),
          lte(samples.at, sql.placeholder('until')),
          eq(samples.ok, true),
        ),
      )
      .orderBy(take === 'first' ? asc(samples.at) : desc(samples.at))
      .limit(sql.placeholder('limit')),
  );
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
  name: string,
  window: SampleWindow,
): { at: number; valueMs: number }[] {
  const rows = windows(db)[window.take].all({
    machineId,
    series: name,
    after: window.after,
    until: window.until,
    limit: window.limit,
  });
  return window.take === 'first' ? rows : rows.reverse();
}

// The newest samples of a machine across all its series, newest first: one scan of the
// machine's index range serves every series of a detection pass.
const newestOfMachine = perDatabase((db) =>
  compileRead<{ machineId: string; limit: number }, never>(
    db,
    db
      .select({ seriesId: samples.seriesId, at: samples.at, valueMs: samples.valueMs })
      .from(samples)
      .where(and(eq(samples.machineId, sql.placeholder('machineId')), eq(samples.ok, true)))
      // By time only: the index's own order, so the walk stops at the limit.
      .orderBy(desc(samples.at))
      .limit(sql.placeholder('limit')),
  ),
);

const seriesOfMachine = perDatabase((db) =>
  compileRead<{ machineId: string }, { id: number; name: string }>(
    db,
    db
      .select({ id: series.id, name: series.name })
      .from(series)
      .where(eq(series.machineId, sql.placeholder('machineId'))),
  ),
);

// At most this many of a machine's newest samples are read in the shared scan; a series too
// sparse to fill its tail there (a build timed once a day among hourly benchmarks) is read alone.
const MAX_SHARED_SCAN = 5000;

/**
 * The latest `limit` successful samples of each named series of a machine, in time order. The
 * samples of one machine are indexed by time, not by series, so reading each series alone
 * would walk past the others' samples once per series: one walk serves them all.
 */
export function recentTails(
  db: Db,
  machineId: string,
  names: readonly string[],
  limit: number,
): Map<string, { at: number; valueMs: number }[]> {
  const ids = new Map(
    seriesOfMachine(db)
      .all({ machineId })
      .map((s) => [s.id, s.name]),
  );
  const wanted = new Map<number, { at: number; valueMs: number }[]>();
  for (const [id, name] of ids) if (names.includes(name)) wanted.set(id, []);

  const scan = Math.min(MAX_SHARED_SCAN, limit * Math.max(1, ids.size));
  const rows = newestOfMachine(db).cells({ machineId, limit: scan });
  for (const [seriesId, at, valueMs] of rows as [number, number, number][]) {
    const tail = wanted.get(seriesId);
    if (tail && tail.length < limit) tail.push({ at, valueMs });
  }

  const tails = new Map<string, { at: number; valueMs: number }[]>();
  for (const [id, tail] of wanted) {
    const name = ids.get(id) as string;
    // The scan stopped before this series had its tail: older samples may exist.
    const full = tail.length === limit || rows.length < scan;
    tails.set(
      name,
      full
        ? tail.reverse()
        : sampleWindow(db, machineId, name, {
            after: -1,
            until: Number.MAX_SAFE_INTEGER,
            limit,
            take: 'last',
          }),
    );
  }
  return tails;
}

/** Machines whose last known value of a fact is `value` (the control group of a transition). */
export function machinesWithFact(db: Db, field: string, value: string, limit: number): string[] {
  // known_state is a JSON object keyed by fact name; names contain dots, hence the quoted path.
  const path = `$."${field.replaceAll('"', '')}"`;
  return db
    .select({ id: machines.id })
    .from(machines)
    .innerJoin(environments, eq(environments.id, machines.environmentId))
    .where(
      and(
        isNull(machines.revokedAt),
        sql`json_extract(${environments.knownState}, ${path}) = ${value}`,
      ),
    )
    .limit(limit)
    .all()
    .map((r) => r.id);
}
