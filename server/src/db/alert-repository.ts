import { randomUUID } from 'node:crypto';

import type { Alert, AlertStatus } from '@devfleet/wire';
import { and, desc, eq, inArray, isNotNull, isNull, max, ne, sql } from 'drizzle-orm';

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
  /**
   * When this machine's evidence begins (sample time; defaults to `changeAt`). A machine that
   * recovered, or an alert that was resolved, is opened again only by evidence that begins after.
   */
  since?: number;
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
  /** A record nobody needs to act on (an improvement): stored resolved from the start. */
  recorded?: boolean;
}

export type UpsertOutcome = 'opened' | 'reopened' | 'recorded' | 'updated' | 'unchanged';

/**
 * How an alert was closed. `merged` (folded into the fleet alert for its transition) and
 * `recorded` (an improvement, kept for the record) are not in the API's list yet: they are stored
 * as no resolution, with `evidence.closedAs` saying which.
 */
export type ClosedAs = 'returned' | 'manual' | 'merged' | 'recorded';

// TODO(#5): store 'merged' and 'recorded' once wire's Alert.resolution and the schema list them.
function storedResolution(closedAs: ClosedAs): AlertRow['resolution'] {
  return closedAs === 'returned' || closedAs === 'manual' ? closedAs : null;
}

/**
 * Opens the alert for a dedupe key, or brings its numbers and machines up to date. A machine that
 * recovered keeps its resolution when the same verdict comes again (a later mover, a restart):
 * only evidence that begins after it recovered opens it again. A resolved alert is reopened, with
 * a note in its evidence, when the condition occurs again after its resolution (a second
 * unexplained slowdown, machines that took the update after the fleet alert was closed by hand);
 * otherwise it stays resolved.
 */
export function upsertAlert(
  db: Db,
  input: AlertInput,
  now: number,
): { id: string; outcome: UpsertOutcome } {
  return db.transaction((tx) => {
    const existing = tx.select().from(alerts).where(eq(alerts.dedupeKey, input.dedupeKey)).get();
    if (!existing)
      return { id: insertAlert(tx, input, now), outcome: input.recorded ? 'recorded' : 'opened' };

    const members = new Map(
      tx
        .select({ machineId: alertMachines.machineId, resolvedAt: alertMachines.resolvedAt })
        .from(alertMachines)
        .where(eq(alertMachines.alertId, existing.id))
        .all()
        .map((m) => [m.machineId, m.resolvedAt]),
    );
    const closedAt =
      existing.status === 'resolved' ? closedAtOf(existing, [...members.values()]) : null;
    const renewed = input.machines.filter((m) => {
      const resolvedAt = members.has(m.machineId) ? members.get(m.machineId) : undefined;
      const since = m.since ?? m.changeAt ?? 0;
      // A machine resolved in an open alert: only a relapse after its recovery renews it.
      if (resolvedAt !== null && resolvedAt !== undefined) return since > resolvedAt;
      // Unresolved (or new) in a resolved alert: only evidence after the alert closed.
      if (closedAt !== null) return since > closedAt;
      return true;
    });
    if (closedAt !== null && (renewed.length === 0 || input.recorded)) {
      return { id: existing.id, outcome: 'unchanged' as const };
    }

    // The note that it was reopened stays with the alert through later updates.
    const { reopened } = existing.evidence as { reopened?: unknown };
    const evidence =
      closedAt === null
        ? { ...input.evidence, ...(reopened === undefined ? {} : { reopened }) }
        : {
            ...input.evidence,
            reopened: {
              at: new Date(now).toISOString(),
              previouslyResolvedAt: new Date(closedAt).toISOString(),
              previousResolution: closedAsOf(existing),
            },
          };
    tx.update(alerts)
      .set({
        title: input.title,
        effect: input.effect,
        evidence,
        updatedAt: now,
        ...(closedAt === null
          ? {}
          : { status: 'open' as const, resolvedAt: null, resolution: null, acknowledgedAt: null }),
      })
      .where(eq(alerts.id, existing.id))
      .run();
    for (const m of renewed) writeMember(tx, existing.id, m);

    return {
      id: existing.id,
      outcome: closedAt === null ? ('updated' as const) : ('reopened' as const),
    };
  });
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * When a resolved alert closed, on the samples' clock (the latest of its machines' resolutions),
 * so that it compares with when evidence begins even for reports that arrive late; the server's
 * clock only for an alert whose machines carry none (merged, recorded).
 */
function closedAtOf(alert: AlertRow, resolutions: readonly (number | null)[]): number {
  const known = resolutions.filter((r): r is number => r !== null);
  return known.length > 0 ? Math.max(...known) : (alert.resolvedAt ?? alert.updatedAt);
}

function insertAlert(tx: Tx, input: AlertInput, now: number): string {
  const id = randomUUID();
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
      status: input.recorded ? 'resolved' : 'open',
      effect: input.effect,
      openedAt: now,
      updatedAt: now,
      resolvedAt: input.recorded ? now : null,
      resolution: input.recorded ? storedResolution('recorded') : null,
      evidence: input.recorded ? { ...input.evidence, closedAs: 'recorded' } : input.evidence,
    })
    .run();
  for (const m of input.machines) writeMember(tx, id, m);
  return id;
}

function writeMember(tx: Tx, alertId: string, input: AlertMachineInput): void {
  const { since: _since, ...member } = input;
  tx.insert(alertMachines)
    .values({ alertId, ...member })
    .onConflictDoUpdate({
      target: [alertMachines.alertId, alertMachines.machineId],
      set: { ...member, resolvedAt: null },
    })
    .run();
}

function closedAsOf(row: AlertRow): ClosedAs | null {
  const noted = (row.evidence as { closedAs?: unknown }).closedAs;
  if (noted === 'merged' || noted === 'recorded') return noted;
  return row.resolution;
}

/**
 * Acknowledges or resolves an alert by hand. Resolving marks its machines resolved as of their
 * latest sample, so that only a slowdown that begins later opens it again.
 */
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
  return db.transaction((tx) => {
    const result = tx
      .update(alerts)
      .set(set)
      .where(and(eq(alerts.id, id), guard))
      .run();
    if (result.changes > 0 && status === 'resolved') {
      tx.update(alertMachines)
        .set({
          resolvedAt: sql`coalesce((select max(s.at) from samples s where s.machine_id = ${alertMachines.machineId}), ${now})`,
        })
        .where(and(eq(alertMachines.alertId, id), isNull(alertMachines.resolvedAt)))
        .run();
    }
    return result.changes > 0;
  });
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

/**
 * When each of a machine's series last came back to its level or had its alert resolved (sample
 * time), by series: a search for an unexplained shift starts there, not across the slow stretch.
 */
export function latestRecoveries(db: Db, machineId: string): Map<string, number> {
  return new Map(
    recoveriesForMachine(db)
      .all({ machineId })
      .map((r) => [r.series, r.at]),
  );
}

const recoveriesForMachine = perDatabase((db) =>
  compileRead<{ machineId: string }, { series: string; at: number }>(
    db,
    db
      .select({ series: alerts.series, at: max(alertMachines.resolvedAt).mapWith(Number) })
      .from(alertMachines)
      .innerJoin(alerts, eq(alerts.id, alertMachines.alertId))
      .where(
        and(
          eq(alertMachines.machineId, sql.placeholder('machineId')),
          isNotNull(alertMachines.resolvedAt),
        ),
      )
      .groupBy(alerts.series),
  ),
);

/**
 * Marks one machine of an alert as back to normal from `recoveredAt` (the sample time of the
 * first sample at the old level); resolves the alert when none is left.
 */
export function resolveAlertMachine(
  db: Db,
  alertId: string,
  machineId: string,
  at: { recoveredAt: number; now: number },
): boolean {
  return db.transaction((tx) => {
    tx.update(alertMachines)
      .set({ resolvedAt: at.recoveredAt })
      .where(and(eq(alertMachines.alertId, alertId), eq(alertMachines.machineId, machineId)))
      .run();
    const remaining = tx
      .select({ machineId: alertMachines.machineId })
      .from(alertMachines)
      .where(and(eq(alertMachines.alertId, alertId), isNull(alertMachines.resolvedAt)))
      .all();
    if (remaining.length > 0) return false;

    const closed = tx
      .update(alerts)
      .set({ status: 'resolved', resolvedAt: at.now, resolution: 'returned', updatedAt: at.now })
      .where(and(eq(alerts.id, alertId), ne(alerts.status, 'resolved')))
      .run();
    return closed.changes > 0;
  });
}

/** Closes an open improvement alert as a record (they used to stay open and pile up). */
export function recordImprovement(db: Db, alertId: string, now: number): boolean {
  return closeAs(db, alertId, 'recorded', now, {});
}

function closeAs(
  db: Db | Tx,
  alertId: string,
  closedAs: ClosedAs,
  now: number,
  note: Record<string, unknown>,
): boolean {
  const row = db
    .select({ evidence: alerts.evidence })
    .from(alerts)
    .where(eq(alerts.id, alertId))
    .get();
  if (!row) return false;
  const result = db
    .update(alerts)
    .set({
      status: 'resolved',
      resolvedAt: now,
      resolution: storedResolution(closedAs),
      updatedAt: now,
      evidence: { ...row.evidence, ...note, closedAs },
    })
    .where(and(eq(alerts.id, alertId), ne(alerts.status, 'resolved')))
    .run();
  return result.changes > 0;
}

/**
 * A fleet alert's state: whether it is still active, when it closed (samples' clock, as in
 * `upsertAlert`), and its machines.
 */
export interface FleetAlertState {
  id: string;
  active: boolean;
  resolvedAt: number | null;
  machines: Set<string>;
}

export function alertByKey(db: Db, dedupeKey: string): FleetAlertState | undefined {
  const row = db.select().from(alerts).where(eq(alerts.dedupeKey, dedupeKey)).get();
  if (!row) return undefined;

  const members = db
    .select({ machineId: alertMachines.machineId, resolvedAt: alertMachines.resolvedAt })
    .from(alertMachines)
    .where(eq(alertMachines.alertId, row.id))
    .all();
  const active = row.status !== 'resolved';
  return {
    id: row.id,
    active,
    resolvedAt: active
      ? null
      : closedAtOf(
          row,
          members.map((m) => m.resolvedAt),
        ),
    machines: new Set(members.map((m) => m.machineId)),
  };
}

/**
 * Folds the open machine alerts for the same transition, series and kind into a fleet alert: their
 * machines join it (keeping their own numbers) and they close as merged, pointing at it. One alert
 * per transition and series. Returns the ids of the alerts closed.
 */
export function mergeIntoFleetAlert(db: Db, fleetAlertId: string, now: number): string[] {
  return db.transaction((tx) => {
    const fleet = tx.select().from(alerts).where(eq(alerts.id, fleetAlertId)).get();
    if (!fleet || fleet.field === null) return [];

    const from =
      fleet.fromValue === null ? isNull(alerts.fromValue) : eq(alerts.fromValue, fleet.fromValue);
    const to = fleet.toValue === null ? isNull(alerts.toValue) : eq(alerts.toValue, fleet.toValue);
    const machineAlerts = tx
      .select({ id: alerts.id })
      .from(alerts)
      .where(
        and(
          eq(alerts.scope, 'machine'),
          eq(alerts.kind, fleet.kind),
          eq(alerts.series, fleet.series),
          eq(alerts.field, fleet.field),
          from,
          to,
          ne(alerts.status, 'resolved'),
        ),
      )
      .all();

    for (const { id } of machineAlerts) {
      const members = tx.select().from(alertMachines).where(eq(alertMachines.alertId, id)).all();
      for (const { alertId: _from, ...member } of members) {
        tx.insert(alertMachines)
          .values({ ...member, alertId: fleetAlertId })
          .onConflictDoNothing()
          .run();
      }
      closeAs(tx, id, 'merged', now, { mergedInto: fleetAlertId });
    }
    return machineAlerts.map((a) => a.id);
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
