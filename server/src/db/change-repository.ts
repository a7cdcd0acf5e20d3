import type { FleetChange } from '@devfleet/wire';
import { and, desc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';

import type { Db } from './client.js';
import { compileRead, perDatabase } from './compiled.js';
import { changes, machines } from './schema.js';

export interface ChangeFilter {
  from: number;
  to: number;
  field?: string;
  machineId?: string;
  limit: number;
}

/** Change events across the fleet, newest first, with the host name of their machine. */
export function listFleetChanges(db: Db, filter: ChangeFilter): FleetChange[] {
  const conditions: SQL[] = [gte(changes.at, filter.from), lte(changes.at, filter.to)];
  if (filter.field) conditions.push(eq(changes.field, filter.field));
  if (filter.machineId) conditions.push(eq(changes.machineId, filter.machineId));

  return db
    .select({ change: changes, hostname: machines.hostname })
    .from(changes)
    .innerJoin(machines, eq(machines.id, changes.machineId))
    .where(and(...conditions))
    .orderBy(desc(changes.at), desc(changes.id))
    .limit(filter.limit)
    .all()
    .map(({ change, hostname }) => ({
      machineId: change.machineId,
      hostname,
      field: change.field,
      from: change.fromValue,
      to: change.toValue,
      at: new Date(change.at).toISOString(),
      reportId: change.reportId,
    }));
}

export interface Transition {
  reportId: string;
  at: number;
  changes: { field: string; from: string | null; to: string | null }[];
}

// Detection asks for every report it looks at: prepared once.
const latestChanges = perDatabase((db) =>
  compileRead<
    { machineId: string; limit: number },
    {
      reportId: string;
      at: number;
      field: string;
      fromValue: string | null;
      toValue: string | null;
    }
  >(
    db,
    db
      .select({
        reportId: changes.reportId,
        at: changes.at,
        field: changes.field,
        fromValue: changes.fromValue,
        toValue: changes.toValue,
      })
      .from(changes)
      .where(eq(changes.machineId, sql.placeholder('machineId')))
      .orderBy(desc(changes.at), desc(changes.id))
      .limit(sql.placeholder('limit')),
  ),
);

/**
 * A machine's latest transitions (the changes of one report, together), newest first. Reads at
 * most `limit × 20` change rows, so the cost does not grow with the machine's history.
 */
export function recentTransitions(db: Db, machineId: string, limit: number): Transition[] {
  const rows = latestChanges(db).all({ machineId, limit: limit * 20 });

  const byReport = new Map<string, Transition>();
  for (const row of rows) {
    let transition = byReport.get(row.reportId);
    if (!transition) {
      if (byReport.size === limit) break;
      transition = { reportId: row.reportId, at: row.at, changes: [] };
      byReport.set(row.reportId, transition);
    }
    transition.changes.push({ field: row.field, from: row.fromValue, to: row.toValue });
  }
  return [...byReport.values()];
}

/** The machines that made one transition of one field, with when, newest first. */
export function machinesWithChange(
  db: Db,
  change: { field: string; from: string | null; to: string | null },
  limit: number,
): { machineId: string; at: number }[] {
  const from =
    change.from === null ? isNull(changes.fromValue) : eq(changes.fromValue, change.from);
  const to = change.to === null ? isNull(changes.toValue) : eq(changes.toValue, change.to);

  return db
    .select({ machineId: changes.machineId, at: changes.at })
    .from(changes)
    .where(and(eq(changes.field, change.field), from, to))
    .orderBy(desc(changes.at))
    .limit(limit)
    .all();
}
