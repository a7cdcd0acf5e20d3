import { and, asc, eq, gte, inArray, isNull, lt, notLike, or } from 'drizzle-orm';
import { interquartileRange, median } from 'simple-statistics';

import type { Db } from './client.js';
import { machines, reports, samples } from './schema.js';
import { getSetting, setSetting } from './settings-repository.js';

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

// How far the last complete run thinned: the next one starts there, so that each run reads only
// what became old since, not the whole history again.
const HORIZON_KEY = 'retention.prunedBefore';

/**
 * Thins history older than `before`: raw reports are emptied (their environments, with the raw
 * environment part, facts, change events and alerts stay), and each day of each series is folded
 * into one sample with that day's median and spread. The database then grows with days, not
 * with reports.
 */
export function pruneHistory(db: Db, before: number): PruneResult {
  const from = Number(getSetting(db, HORIZON_KEY) ?? 0);
  const total = emptyResult();
  if (before <= from) return total;

  for (const machineId of machineIds(db)) add(total, pruneMachine(db, machineId, { from, before }));
  setSetting(db, HORIZON_KEY, String(before));
  return total;
}

/**
 * `pruneHistory` a machine at a time, answering requests in between: what the server runs. An
 * aborted run stops between machines; the next one starts over from the same horizon.
 */
export async function pruneHistoryGently(
  db: Db,
  before: number,
  signal: AbortSignal,
): Promise<PruneResult> {
  const from = Number(getSetting(db, HORIZON_KEY) ?? 0);
  const total = emptyResult();
  if (before <= from) return total;

  for (const machineId of machineIds(db)) {
    if (signal.aborted) return total;
    add(total, pruneMachine(db, machineId, { from, before }));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!signal.aborted) setSetting(db, HORIZON_KEY, String(before));
  return total;
}

function emptyResult(): PruneResult {
  return { reportsPruned: 0, samplesAggregated: 0, dailyRows: 0 };
}

function add(total: PruneResult, result: PruneResult): void {
  total.reportsPruned += result.reportsPruned;
  total.samplesAggregated += result.samplesAggregated;
  total.dailyRows += result.dailyRows;
}

/** Every machine, revoked ones too: their history is thinned like the others'. */
export function machineIds(db: Db): string[] {
  return db
    .select({ id: machines.id })
    .from(machines)
    .all()
    .map((m) => m.id);
}

/** One machine's history in [from, before), in its own transactions. */
function pruneMachine(
  db: Db,
  machineId: string,
  { from, before }: { from: number; before: number },
): PruneResult {
  const reportsPruned = db
    .update(reports)
    .set({ raw: '', pruned: true })
    .where(
      and(
        eq(reports.machineId, machineId),
        gte(reports.collectedAt, from),
        lt(reports.collectedAt, before),
        eq(reports.pruned, false),
      ),
    )
    .run().changes;

  let samplesAggregated = 0;
  let dailyRows = 0;
  for (;;) {
    const batch = db
      .select()
      .from(samples)
      .where(
        and(
          eq(samples.machineId, machineId),
          gte(samples.at, dayStart(from)),
          lt(samples.at, dayStart(before)),
          or(isNull(samples.sampleKey), notLike(samples.sampleKey, 'day:%')),
        ),
      )
      .orderBy(asc(samples.at))
      .limit(BATCH)
      .all();
    if (batch.length === 0) break;

    // A full batch may end inside a day: leave that day for the next batch, whole.
    const full = batch.length === BATCH;
    const lastDay = dayStart(batch.at(-1)?.at ?? 0);
    const groups = new Map<string, typeof batch>();
    for (const s of batch) {
      if (full && dayStart(s.at) === lastDay && dayStart(batch[0]?.at ?? 0) !== lastDay) continue;
      const key = `${s.seriesId}\u0000${dayStart(s.at)}`;
      const group = groups.get(key);
      if (group) group.push(s);
      else groups.set(key, [s]);
    }

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
            seriesId: first.seriesId,
            at: dayStart(first.at),
            valueMs: median(values),
            spreadMs: values.length > 1 ? interquartileRange(values) : (first.spreadMs ?? 0),
            ok: group.some((s) => s.ok),
            reportId: first.reportId,
            sampleKey: `day:${new Date(dayStart(first.at)).toISOString().slice(0, 10)}`,
          })
          .onConflictDoNothing()
          .run();
        samplesAggregated += group.length;
        dailyRows += 1;
      }
    });

    if (!full) break;
  }

  return { reportsPruned, samplesAggregated, dailyRows };
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
