import { randomUUID } from 'node:crypto';

import type { Alert, AlertStatus } from '@devfleet/wire';
import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';

import type { Db } from './client.js';
import { compileRead, perDatabase } from './compiled.js';
import { alertMachines, alerts, machines } from './schema.js';

type AlertRow = typeof alerts.$inferSelect;

export interface AlertMachineInput {
  machineId: string;
  effect: number;
  pValue: number;
  beforeCount: number;
  afterCount: number;
  beforeMedianMs: number;
  afterMedianMs: number;
  changeAt: number | null;
}

export interface AlertInput {
  dedupeKey: string;
  scope: 'machine' | 'fleet';
  kind: 'regression' | 'improvement' | 'unattributed';
  series: string;
  transition: { field: string; from: string | null; to: string | null } | null;
  title: string;
  effect: number;
  evidence: Record<string, unknown>;
  machines: AlertMachineInput[];
}

export type UpsertOutcome = 'opened' | 'updated' | 'unchanged';

/**
 * Opens the alert for a dedupe key, or brings its numbers and machines up to date. A resolved
 * alert stays resolved: the same transition regressing again later is news only if someone reopens.
 */
export function upsertAlert(
  db: Db,
  input: AlertInput,
  now: number,
): { id: string; outcome: UpsertOutcome } {
  return db.transaction((tx) => {
    const existing = tx.select().from(alerts).where(eq(alerts.dedupeKey, input.dedupeKey)).get();
    if (existing?.status === 'resolved') return { id: existing.id, outcome: 'unchanged' as const };

    const id = existing?.id ?? randomUUID();
    if (existing) {
      tx.update(alerts)
        .set({ title: input.title, effect: input.effect, evidence: input.evidence, updatedAt: now })
        .where(eq(alerts.id, id))
        .run();
    } else {
      tx.insert(alerts)
        .values({
          id,
          dedupeKey: input.dedupeKey,
          scope: input.scope,
          kind: input.kind,
          series: input.series,
          field: input.transition?.field ?? null,
          fromValue: input.transition?.from ?? null,
          toValue: input.transition?.to ?? null,
          title: input.title,
          status: 'open',
          effect: input.effect,
          openedAt: now,
          updatedAt: now,
          evidence: input.evidence,
        })
        .run();
    }

    for (const m of input.machines) {
      tx.insert(alertMachines)
        .values({ alertId: id, ...m })
        .onConflictDoUpdate({
          target: [alertMachines.alertId, alertMachines.machineId],
          set: { ...m, resolvedAt: null },
        })
        .run();
    }

    return { id, outcome: existing ? ('updated' as const) : ('opened' as const) };
  });
}

export function setAlertStatus(
  db: Db,
  id: string,
  status: Exclude<AlertStatus, 'open'>,
  now: number,
  resolution: 'returned' | 'manual' = 'manual',
): boolean {
  const set =
    status === 'acknowledged'
      ? { status, acknowledgedAt: now, updatedAt: now }
      : { status, resolvedAt: now, resolution, updatedAt: now };

  // Acknowledging a resolved alert would reopen it in effect: only open alerts can be acknowledged.
  const guard =
    status === 'acknowledged' ? eq(alerts.status, 'open') : ne(alerts.status, 'resolved');
  const result = db
    .update(alerts)
    .set(set)
    .where(and(eq(alerts.id, id), guard))
    .run();
  return result.changes > 0;
}

/** An open or acknowledged alert on one machine's series, with that machine's part in it. */
export interface ActiveAlert {
  id: string;
  kind: AlertRow['kind'];
  /** When the machine's series changed (ms), and how many samples after it showed the change. */
  changeAt: number | null;
  afterCount: number;
}

/** Open or acknowledged alerts that involve one machine, still unresolved there, by series. */
export function activeAlertsFor(db: Db, machineId: string): Map<string, ActiveAlert[]> {
  const bySeries = new Map<string, ActiveAlert[]>();
  for (const { series, ...alert } of activeForMachine(db).all({ machineId })) {
    const list = bySeries.get(series);
    if (list) list.push(alert);
    else bySeries.set(series, [alert]);
  }
  return bySeries;
}

// Detection asks at every pass over a machine: prepared once, and without the evidence.
const activeForMachine = perDatabase((db) =>
  compileRead<{ machineId: string }, ActiveAlert & { series: string }>(
    db,
    db
      .select({
        id: alerts.id,
        kind: alerts.kind,
        series: alerts.series,
        changeAt: alertMachines.changeAt,
        afterCount: alertMachines.afterCount,
      })
      .from(alertMachines)
      .innerJoin(alerts, eq(alerts.id, alertMachines.alertId))
      .where(
        and(
          eq(alertMachines.machineId, sql.placeholder('machineId')),
          isNull(alertMachines.resolvedAt),
          ne(alerts.status, 'resolved'),
        ),
      ),
  ),
);

/** Marks one machine of an alert as back to normal; resolves the alert when none is left. */
export function resolveAlertMachine(
  db: Db,
  alertId: string,
  machineId: string,
  now: number,
): boolean {
  return db.transaction((tx) => {
    tx.update(alertMachines)
      .set({ resolvedAt: now })
      .where(and(eq(alertMachines.alertId, alertId), eq(alertMachines.machineId, machineId)))
      .run();
    const remaining = tx
      .select({ machineId: alertMachines.machineId })
      .from(alertMachines)
      .where(and(eq(alertMachines.alertId, alertId), isNull(alertMachines.resolvedAt)))
      .all();
    if (remaining.length > 0) return false;

    tx.update(alerts)
      .set({ status: 'resolved', resolvedAt: now, resolution: 'returned', updatedAt: now })
      .where(and(eq(alerts.id, alertId), ne(alerts.status, 'resolved')))
      .run();
    return true;
  });
}

export function listAlerts(db: Db, statuses: AlertStatus[], limit = 200): Alert[] {
  const rows = db
    .select()
    .from(alerts)
    .where(statuses.length > 0 ? inArray(alerts.status, statuses) : undefined)
    .orderBy(desc(alerts.updatedAt))
    .limit(limit)
    .all();
  return withMachines(db, rows);
}

export function getAlert(db: Db, id: string): Alert | undefined {
  const row = db.select().from(alerts).where(eq(alerts.id, id)).get();
  return row ? withMachines(db, [row])[0] : undefined;
}

function withMachines(db: Db, rows: AlertRow[]): Alert[] {
  if (rows.length === 0) return [];

  const members = db
    .select({ member: alertMachines, hostname: machines.hostname })
    .from(alertMachines)
    .innerJoin(machines, eq(machines.id, alertMachines.machineId))
    .where(
      inArray(
        alertMachines.alertId,
        rows.map((r) => r.id),
      ),
    )
    .all();

  return rows.map((row) => ({
    id: row.id,
    scope: row.scope,
    kind: row.kind,
    series: row.series,
    transition: row.field ? { field: row.field, from: row.fromValue, to: row.toValue } : null,
    title: row.title,
    status: row.status,
    effect: row.effect,
    openedAt: iso(row.openedAt),
    updatedAt: iso(row.updatedAt),
    acknowledgedAt: row.acknowledgedAt === null ? null : iso(row.acknowledgedAt),
    resolvedAt: row.resolvedAt === null ? null : iso(row.resolvedAt),
    resolution: row.resolution,
    evidence: row.evidence,
    machines: members
      .filter((m) => m.member.alertId === row.id)
      .map(({ member, hostname }) => ({
        machineId: member.machineId,
        hostname,
        effect: member.effect,
        pValue: member.pValue,
        beforeCount: member.beforeCount,
        afterCount: member.afterCount,
        beforeMedianMs: member.beforeMedianMs,
        afterMedianMs: member.afterMedianMs,
        changeAt: member.changeAt === null ? null : iso(member.changeAt),
      })),
  }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
