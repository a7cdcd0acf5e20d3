import type { Change, Environment, MachineSummary } from '@devfleet/wire';
import { and, asc, desc, eq, getTableColumns, isNull, lt, sql, type SQL } from 'drizzle-orm';

import type { Db } from './client.js';
import { compileRead, perDatabase } from './compiled.js';
import { changes, environments, machines, reports } from './schema.js';

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
  compileRead<{ keyHash: string }, { id: string }>(
    db,
    db
      .select({ id: machines.id })
      .from(machines)
      .where(and(eq(machines.keyHash, sql.placeholder('keyHash')), isNull(machines.revokedAt))),
  ),
);

// Known keys, so that each report does not read the database to learn who sent it. Only found
// keys are kept; revoking a machine forgets them all. Bounded for a long-running server.
const knownKeys = perDatabase(() => new Map<string, string>());
const MAX_KNOWN_KEYS = 100_000;

/** The id of the machine a key belongs to, unless the key is unknown or the machine revoked. */
export function findActiveMachineByKeyHash(db: Db, keyHash: string): string | undefined {
  const known = knownKeys(db);
  const cached = known.get(keyHash);
  if (cached !== undefined) return cached;

  const id = byKeyHash(db).get({ keyHash })?.id;
  if (id !== undefined) {
    if (known.size >= MAX_KNOWN_KEYS) known.clear();
    known.set(keyHash, id);
  }
  return id;
}

// The fleet table lists every machine with its environment on each load: one statement, read as
// arrays and mapped straight into the API's shape. Drizzle's per-row mapping and the objects in
// between cost more than SQLite did.
const machineFields = {
  id: machines.id,
  hostname: machines.hostname,
  owner: machines.owner,
  enrolledAt: machines.enrolledAt,
  lastSeenAt: machines.lastSeenAt,
  latestCollectedAt: machines.latestCollectedAt,
};
// What the API shows of an environment: all but its row id and machine.
const shownKeys = (Object.keys(environmentColumns) as (keyof EnvironmentRow)[]).filter(
  (k) => k !== 'id' && k !== 'machineId',
);
const summaryFields = {
  ...machineFields,
  environmentId: environments.id,
  ...Object.fromEntries(shownKeys.map((k) => [`env.${k}`, environmentColumns[k]])),
};
const machineCount = Object.keys(machineFields).length;

const summaries = perDatabase((db) => {
  const query = (where: SQL) =>
    compileRead<{ id?: string }, never>(
      db,
      db
        .select(summaryFields)
        .from(machines)
        .leftJoin(environments, eq(environments.id, machines.environmentId))
        .where(where)
        .orderBy(asc(machines.hostname), asc(machines.id)),
    );
  return {
    active: query(isNull(machines.revokedAt)),
    one: query(eq(machines.id, sql.placeholder('id'))),
  };
});

export function listMachines(db: Db): MachineSummary[] {
  return summaries(db).active.cells({}).map(toSummary);
}

export function getMachine(db: Db, id: string): MachineSummary | undefined {
  const [cells] = summaries(db).one.cells({ id });
  return cells ? toSummary(cells) : undefined;
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
    // Two environments can begin at the same instant (reports with one clock reading): the run's
    // own first report is then the last one there is before the next.
    return toEnvironment(env, Math.max(until ?? 0, env.collectedAt));
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

function toSummary(cells: unknown[]): MachineSummary {
  const [id, hostname, owner, enrolledAt, lastSeenAt, latestCollectedAt] = cells as [
    string,
    string,
    string,
    number,
    number | null,
    number | null,
  ];
  let environment: Environment | null = null;
  if (cells[machineCount] !== null) {
    const env: Record<string, unknown> = {};
    for (let i = 0; i < shownKeys.length; i++)
      env[shownKeys[i] as string] = cells[machineCount + 1 + i];
    environment = withTimes(env, latestCollectedAt);
  }
  return {
    id,
    hostname,
    owner,
    enrolledAt: new Date(enrolledAt).toISOString(),
    lastSeenAt: lastSeenAt === null ? null : new Date(lastSeenAt).toISOString(),
    environment,
  };
}

function toEnvironment(row: EnvironmentRow, lastCollectedAt: number): Environment {
  const env: Record<string, unknown> = {};
  for (const key of shownKeys) env[key] = row[key];
  return withTimes(env, lastCollectedAt);
}

/** An environment's columns as the API shows them: times in ISO, the run's last report added. */
function withTimes(env: Record<string, unknown>, lastCollectedAt: number | null): Environment {
  const collectedAt = env.collectedAt as number;
  env.collectedAt = new Date(collectedAt).toISOString();
  env.receivedAt = new Date(env.receivedAt as number).toISOString();
  env.lastCollectedAt = new Date(lastCollectedAt ?? collectedAt).toISOString();
  return env as unknown as Environment;
}

/** When the machine was revoked, or null while its key works (or no such machine). */
export function machineRevokedAt(db: Db, id: string): number | null {
  const row = db.select({ at: machines.revokedAt }).from(machines).where(eq(machines.id, id)).get();
  return row?.at ?? null;
}

/** Revokes a machine's key: its agent gets 401 and must enroll again. */
export function revokeMachine(db: Db, id: string, now: number): boolean {
  knownKeys(db).clear();
  const result = db
    .update(machines)
    .set({ revokedAt: now })
    .where(and(eq(machines.id, id), isNull(machines.revokedAt)))
    .run();
  return result.changes > 0;
}
