import type { SeriesPoint, SeriesSummary } from '@devfleet/wire';
import { and, asc, count, eq, gte, lte, max } from 'drizzle-orm';

import type { Db } from './client.js';
import { samples } from './schema.js';

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
