import type { Change, Environment, MachineSummary } from '@devfleet/wire';
import { and, asc, desc, eq, getTableColumns, isNull, lt, sql } from 'drizzle-orm';

import type { Db } from './client.js';
import { perDatabase } from './compiled.js';
import { changes, environments, machines, reports } from './schema.js';

type MachineRow = typeof machines.$inferSelect;

// What pages show of an environment: its raw part and facts stay with ingestion.
const {
  raw: _raw,
  facts: _facts,
  knownState: _knownState,
  fingerprint: _fingerprint,
  ...environmentColumns
} = getTableColumns(environments);
type EnvironmentRow = Omit<
  typeof environments.$inferSelect,
  'raw' | 'facts' | 'knownState' | 'fingerprint'
>;

export function createMachine(
  db: Db,
  machine: { id: string; keyHash: string; hostname: string; owner: string; enrolledAt: number },
): void {
  db.insert(machines).values(machine).run();
}

// Every report looks its key up: prepared once, not built per request.
const byKeyHash = perDatabase((db) =>
  db
    .select({ id: machines.id })
    .from(machines)
    .where(and(eq(machines.keyHash, sql.placeholder('keyHash')), isNull(machines.revokedAt)))
    .prepare(),
);

/** The id of the machine a key belongs to, unless the key is unknown or the machine revoked. */
export function findActiveMachineByKeyHash(db: Db, keyHash: string): string | undefined {
  return byKeyHash(db).get({ keyHash })?.id;
}

export function listMachines(db: Db): MachineSummary[] {
  const rows = db
    .select({ machine: machines, environment: environmentColumns })
    .from(machines)
    .leftJoin(environments, eq(environments.id, machines.environmentId))
    .where(isNull(machines.revokedAt))
    .orderBy(asc(machines.hostname), asc(machines.id))
    .all();

  return rows.map((r) => toSummary(r.machine, r.environment));
}

export function getMachine(db: Db, id: string): MachineSummary | undefined {
  const row = db
    .select({ machine: machines, environment: environmentColumns })
    .from(machines)
    .leftJoin(environments, eq(environments.id, machines.environmentId))
    .where(eq(machines.id, id))
    .get();

  return row ? toSummary(row.machine, row.environment) : undefined;
}

/**
 * The machine's environments, newest first: each one a run of reports that showed it, until the
 * last of them (the latest report before the next environment began).
 */
export function environmentHistory(db: Db, machineId: string, limit = 200): Environment[] {
  const rows = db
    .select(environmentColumns)
    .from(environments)
    .where(eq(environments.machineId, machineId))
    .orderBy(desc(environments.collectedAt), desc(environments.id))
    .limit(limit)
    .all();
  const latest = db
    .select({ at: machines.latestCollectedAt })
    .from(machines)
    .where(eq(machines.id, machineId))
    .get()?.at;

  return rows.map((env, i) => {
    const next = rows[i - 1];
    const until = next ? lastCollectedBefore(db, machineId, next.collectedAt) : latest;
    return toEnvironment(env, until ?? env.collectedAt);
  });
}

function lastCollectedBefore(db: Db, machineId: string, at: number): number | undefined {
  return db
    .select({ at: reports.collectedAt })
    .from(reports)
    .where(and(eq(reports.machineId, machineId), lt(reports.collectedAt, at)))
    .orderBy(desc(reports.collectedAt))
    .limit(1)
    .get()?.at;
}

export function machineChanges(db: Db, machineId: string, limit = 500): Change[] {
  return db
    .select()
    .from(changes)
    .where(eq(changes.machineId, machineId))
    .orderBy(desc(changes.at), desc(changes.id))
    .limit(limit)
    .all()
    .map((c) => ({
      field: c.field,
      from: c.fromValue,
      to: c.toValue,
      at: new Date(c.at).toISOString(),
      reportId: c.reportId,
    }));
}

function toSummary(machine: MachineRow, env: EnvironmentRow | null): MachineSummary {
  return {
    id: machine.id,
    hostname: machine.hostname,
    owner: machine.owner,
    enrolledAt: new Date(machine.enrolledAt).toISOString(),
    lastSeenAt: machine.lastSeenAt === null ? null : new Date(machine.lastSeenAt).toISOString(),
    environment: env ? toEnvironment(env, machine.latestCollectedAt ?? env.collectedAt) : null,
  };
}

function toEnvironment(env: EnvironmentRow, lastCollectedAt: number): Environment {
  const { id: _id, machineId: _machineId, collectedAt, receivedAt, ...facts } = env;

  return {
    ...facts,
    collectedAt: new Date(collectedAt).toISOString(),
    receivedAt: new Date(receivedAt).toISOString(),
    lastCollectedAt: new Date(lastCollectedAt).toISOString(),
    daemonState: facts.daemonState as Environment['daemonState'],
    backend: facts.backend as Environment['backend'],
  };
}

/** Revokes a machine's key: its agent gets 401 and must enroll again. */
export function revokeMachine(db: Db, id: string, now: number): boolean {
  const result = db
    .update(machines)
    .set({ revokedAt: now })
    .where(and(eq(machines.id, id), isNull(machines.revokedAt)))
    .run();
  return result.changes > 0;
}
