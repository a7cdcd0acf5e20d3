import type { FleetChange } from '@devfleet/wire';
import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';

import type { Db } from './client.js';
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
