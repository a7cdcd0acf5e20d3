import type { Report } from '@devfleet/wire';
import { asc, eq, getTableColumns, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

import { DevfleetError } from '../errors.js';
import { diffFacts, type KnownState } from '../ingest/changes.js';
import { deriveEnvironment, type EnvironmentRow } from '../ingest/environment.js';
import { factScopes, reportFacts, type Facts } from '../ingest/facts.js';
import { deriveSamples, type SampleRow } from '../ingest/samples.js';
import type { Db } from './client.js';
import { compileWrite, perDatabase } from './compiled.js';
import { changes, environments, machines, reports, samples } from './schema.js';

export interface RecordResult {
  duplicate: boolean;
  /** Names of the series that got samples: what detection looks at next. */
  series: string[];
}

export interface ReportToRecord {
  machineId: string;
  report: Report;
  receivedAt: number;
}

/** Each report of a batch stands or falls alone: one bad report costs the others nothing. */
export type RecordOutcome = { ok: true; result: RecordResult } | { ok: false; error: unknown };

type StoredFacts = { facts: Facts; scopes: string[] };
type ChangeRow = typeof changes.$inferInsert;
interface LatestReport {
  id: string;
  lastSeenAt: number;
  latestReportId: string;
  latestCollectedAt: number;
  /** JSON text: bound as it is, the set clause has no column encoder. */
  knownState: string;
  hostname: string;
}

/** Every column of a table as a placeholder of the same name, but those the database fills. */
function placeholders<T extends SQLiteTable, Skip extends keyof T['$inferInsert'] = never>(
  table: T,
  skip: Skip[] = [],
): { [K in Exclude<keyof T['$inferInsert'], Skip>]: Placeholder } {
  const names = Object.keys(getTableColumns(table)).filter((name) => !skip.includes(name as Skip));
  return Object.fromEntries(names.map((name) => [name, sql.placeholder(name)])) as {
    [K in Exclude<keyof T['$inferInsert'], Skip>]: Placeholder;
  };
}

/** A placeholder where drizzle's types want SQL (`update … set`): bound without an encoder. */
function param(name: string): SQL {
  return sql`${sql.placeholder(name)}`;
}

const byId = sql.placeholder('id');

const statements = perDatabase((db) => ({
  owner: db
    .select({ machineId: reports.machineId })
    .from(reports)
    .where(eq(reports.id, byId))
    .prepare(),
  machine: db
    .select({ latestCollectedAt: machines.latestCollectedAt, knownState: machines.knownState })
    .from(machines)
    .where(eq(machines.id, byId))
    .prepare(),
  insertReport: compileWrite<typeof reports.$inferInsert>(
    db,
    db.insert(reports).values(placeholders(reports)),
  ),
  insertEnvironment: compileWrite<EnvironmentRow>(
    db,
    db.insert(environments).values(placeholders(environments)),
  ),
  // A build queued on the agent may arrive again inside a later report: keep the first.
  insertSample: compileWrite<SampleRow>(
    db,
    db
      .insert(samples)
      .values(placeholders(samples, ['id']))
      .onConflictDoNothing(),
  ),
  insertChange: compileWrite<ChangeRow>(
    db,
    db.insert(changes).values(placeholders(changes, ['id'])),
  ),
  markLatest: compileWrite<LatestReport>(
    db,
    db
      .update(machines)
      .set({
        lastSeenAt: param('lastSeenAt'),
        latestReportId: param('latestReportId'),
        latestCollectedAt: param('latestCollectedAt'),
        knownState: param('knownState'),
        hostname: param('hostname'),
      })
      .where(eq(machines.id, byId)),
  ),
  markSeen: compileWrite<{ id: string; lastSeenAt: number }>(
    db,
    db
      .update(machines)
      .set({ lastSeenAt: param('lastSeenAt') })
      .where(eq(machines.id, byId)),
  ),
  // better-sqlite3 turns a transaction function called inside another into a savepoint.
  batch: db.$client.transaction((items: readonly ReportToRecord[]) => {
    const { one } = statements(db);
    return items.map((item): RecordOutcome => {
      try {
        return { ok: true, result: one(item) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }),
  one: db.$client.transaction((item: ReportToRecord) => storeReport(db, item)),
}));

/**
 * Stores reports and everything derived from them in one transaction, each report in its own
 * savepoint: a report is acknowledged only once the whole batch committed, and never half-stored.
 * The agent's report id makes a retry idempotent. Batching is what lets ingestion keep up with a
 * fleet flushing its spools: one commit carries the shared index pages of many reports.
 */
export function recordReports(db: Db, items: readonly ReportToRecord[]): RecordOutcome[] {
  if (items.length === 0) return [];
  return statements(db).batch.immediate(items);
}

/** One report in its own transaction; throws what `recordReports` would report for it. */
export function recordReport(
  db: Db,
  machineId: string,
  report: Report,
  receivedAt: number,
): RecordResult {
  const [outcome] = recordReports(db, [{ machineId, report, receivedAt }]);
  if (!outcome) throw new Error('recordReports returned no outcome');
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

function storeReport(db: Db, { machineId, report, receivedAt }: ReportToRecord): RecordResult {
  const s = statements(db);

  const existing = s.owner.get({ id: report.reportId });
  if (existing) {
    if (existing.machineId !== machineId) throw new DevfleetError('DEVFLEET_REPORT_ID_CONFLICT');
    return { duplicate: true, series: [] };
  }

  const env = deriveEnvironment(report, machineId, receivedAt);
  const facts: StoredFacts = { facts: reportFacts(report, env), scopes: factScopes(report) };
  s.insertReport.run({
    id: report.reportId,
    machineId,
    collectedAt: env.collectedAt,
    receivedAt,
    schemaVersion: report.schemaVersion,
    raw: JSON.stringify(report),
    facts,
    pruned: false,
  });
  s.insertEnvironment.run(env);

  const rows = deriveSamples(report, machineId);
  for (const row of rows) s.insertSample.run(row);

  const machine = s.machine.get({ id: machineId });
  if (!machine) throw new DevfleetError('DEVFLEET_MACHINE_KEY_INVALID');

  const isNewest =
    machine.latestCollectedAt === null || env.collectedAt >= machine.latestCollectedAt;
  if (isNewest) {
    const known = appendChanges(db, machine.knownState ?? {}, facts, {
      machineId,
      reportId: env.reportId,
      collectedAt: env.collectedAt,
    });
    s.markLatest.run({
      id: machineId,
      lastSeenAt: receivedAt,
      latestReportId: env.reportId,
      latestCollectedAt: env.collectedAt,
      knownState: JSON.stringify(known),
      hostname: env.hostname,
    });
  } else {
    // A report from the agent's backlog landed before newer ones: the events around it move.
    rebuildChanges(db, machineId);
    s.markSeen.run({ id: machineId, lastSeenAt: receivedAt });
  }

  return { duplicate: false, series: [...new Set(rows.map((r) => r.series))] };
}

type ChangeAt = { machineId: string; reportId: string; collectedAt: number };

function appendChanges(db: Db, known: KnownState, stored: StoredFacts, at: ChangeAt): KnownState {
  const diff = diffFacts(known, stored.facts, stored.scopes);
  const { insertChange } = statements(db);
  for (const c of diff.changes) {
    insertChange.run({
      machineId: at.machineId,
      reportId: at.reportId,
      field: c.field,
      fromValue: c.from,
      toValue: c.to,
      at: at.collectedAt,
    });
  }
  return diff.known;
}

function rebuildChanges(db: Db, machineId: string): void {
  db.delete(changes).where(eq(changes.machineId, machineId)).run();

  // From the facts stored with each report: raw reports past retention are gone, facts are not.
  const history = db
    .select({ reportId: reports.id, collectedAt: reports.collectedAt, facts: reports.facts })
    .from(reports)
    .where(eq(reports.machineId, machineId))
    .orderBy(asc(reports.collectedAt), asc(reports.receivedAt))
    .all();

  let known: KnownState = {};
  for (const row of history) known = appendChanges(db, known, row.facts, { ...row, machineId });

  db.update(machines).set({ knownState: known }).where(eq(machines.id, machineId)).run();
}
