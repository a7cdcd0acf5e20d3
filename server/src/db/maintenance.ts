import { and, asc, eq, inArray, lt, notLike } from 'drizzle-orm';
import { interquartileRange, median } from 'simple-statistics';

import type { Db } from './client.js';
import { reports, samples } from './schema.js';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 20_000;

/**
 * A consistent copy of the live database, taken with SQLite's online backup API: writers carry
 * on, and the copy is one committed state.
 */
export async function backupDatabase(db: Db, file: string): Promise<void> {
  await db.$client.backup(file);
}

export interface PruneResult {
  reportsPruned: number;
  samplesAggregated: number;
  dailyRows: number;
}

/**
 * Thins history older than `before`: raw report bodies are emptied (their environments, facts,
 * change events and alerts stay), and each day of each series is folded into one sample with
 * that day's median and spread. The database then grows with days, not with reports.
 */
export function pruneHistory(db: Db, before: number): PruneResult {
  const pruned = db
    .update(reports)
    .set({ raw: '', pruned: true })
    .where(and(lt(reports.collectedAt, before), eq(reports.pruned, false)))
    .run().changes;

  let aggregated = 0;
  let daily = 0;
  for (;;) {
    const batch = db
      .select()
      .from(samples)
      .where(and(lt(samples.at, dayStart(before)), notLike(samples.sampleKey, 'day:%')))
      .orderBy(asc(samples.machineId), asc(samples.series), asc(samples.at))
      .limit(BATCH)
      .all();
    if (batch.length === 0) break;

    const groups = new Map<string, typeof batch>();
    for (const s of batch) {
      const key = `${s.machineId}\u0000${s.series}\u0000${dayStart(s.at)}`;
      const group = groups.get(key);
      if (group) group.push(s);
      else groups.set(key, [s]);
    }
    // A full batch may end inside a day: leave that day for the next batch, whole.
    const full = batch.length === BATCH;
    if (full && groups.size > 1) groups.delete([...groups.keys()].at(-1)!);

    db.transaction((tx) => {
      for (const group of groups.values()) {
        const first = group[0]!;
        const values = group.map((s) => s.valueMs);
        tx.delete(samples)
          .where(
            inArray(
              samples.id,
              group.map((s) => s.id),
            ),
          )
          .run();
        tx.insert(samples)
          .values({
            machineId: first.machineId,
            series: first.series,
            at: dayStart(first.at),
            valueMs: median(values),
            spreadMs: values.length > 1 ? interquartileRange(values) : (first.spreadMs ?? 0),
            ok: group.some((s) => s.ok),
            reportId: first.reportId,
            sampleKey: `day:${new Date(dayStart(first.at)).toISOString().slice(0, 10)}`,
          })
          .onConflictDoNothing()
          .run();
        aggregated += group.length;
        daily += 1;
      }
    });

    if (!full) break;
  }

  return { reportsPruned: pruned, samplesAggregated: aggregated, dailyRows: daily };
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
