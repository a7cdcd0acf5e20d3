import type { Change, Environment, MachineSummary } from '@devfleet/wire';
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';

import type { Db } from './client.js';
import { perDatabase } from './compiled.js';
import { changes, environments, machines } from './schema.js';

type MachineRow = typeof machines.$inferSelect;
type EnvironmentRow = typeof environments.$inferSelect;

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
    .select({ machine: machines, environment: environments })
    .from(machines)
    .leftJoin(environments, eq(environments.reportId, machines.latestReportId))
    .where(isNull(machines.revokedAt))
    .orderBy(asc(machines.hostname), asc(machines.id))
    .all();

  return rows.map((r) => toSummary(r.machine, r.environment));
}

export function getMachine(db: Db, id: string): MachineSummary | undefined {
  const row = db
    .select({ machine: machines, environment: environments })
    .from(machines)
    .leftJoin(environments, eq(environments.reportId, machines.latestReportId))
    .where(eq(machines.id, id))
    .get();

  return row ? toSummary(row.machine, row.environment) : undefined;
}

export function environmentHistory(db: Db, machineId: string, limit = 200): Environment[] {
  return db
    .select()
    .from(environments)
    .where(eq(environments.machineId, machineId))
    .orderBy(desc(environments.collectedAt), desc(environments.receivedAt))
    .limit(limit)
    .all()
    .map(toEnvironment);
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
    environment: env ? toEnvironment(env) : null,
  };
}

function toEnvironment(env: EnvironmentRow): Environment {
  const { machineId: _machineId, collectedAt, receivedAt, ...facts } = env;

  return {
    ...facts,
    collectedAt: new Date(collectedAt).toISOString(),
    receivedAt: new Date(receivedAt).toISOString(),
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
