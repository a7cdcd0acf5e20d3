import type { Report } from '@devfleet/wire';
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  lte,
  sql,
  type Placeholder,
  type SQL,
} from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

import { DevfleetError } from '../errors.js';
import { diffFacts, type FieldChange, type KnownState } from '../ingest/changes.js';
import { deriveEnvironment, reportPathKind } from '../ingest/environment.js';
import { factScopes, reportFacts } from '../ingest/facts.js';
import { projectFacts, updateProjectPaths, type ProjectPaths } from '../ingest/project-paths.js';
import {
  environmentFingerprint,
  joinReport,
  partsFromSplit,
  partsOf,
  type ReportParts,
  type SplitReport,
} from '../ingest/raw-report.js';
import { deriveSamples, mountSlowdownOf, type DerivedSample } from '../ingest/samples.js';
import type { Db } from './client.js';
import { compileRead, compileWrite, perDatabase } from './compiled.js';
import { changes, environments, machines, reports, samples, type StoredFacts } from './schema.js';
import { ensureSeries, forgetSeriesIds } from './series-repository.js';

export interface RecordResult {
  duplicate: boolean;
  /** Names of the series that got samples: what detection looks at next. */
  series: string[];
}

/** A validated report for a machine: whole, or already split in its stored parts. */
export type ReportToRecord = { machineId: string; receivedAt: number } & (
  { report: Report } | { split: SplitReport }
);

/** Each report of a batch stands or falls alone: one bad report costs the others nothing. */
export type RecordOutcome = { ok: true; result: RecordResult } | { ok: false; error: unknown };

type EnvironmentInsert = typeof environments.$inferInsert;
type SampleInsert = typeof samples.$inferInsert;
type ChangeInsert = typeof changes.$inferInsert;

/** The machine as ingestion needs it, with the fingerprint of its current environment. */
interface MachineForIngest {
  latestCollectedAt: number | null;
  environmentId: number | null;
  fingerprint: string | null;
  projectPathKind: string | null;
  /** JSON text of where each timed project lives. */
  projectPaths: string | null;
  /** What was known with it, as JSON text: parsed only when the environment changed. */
  knownState: string | null;
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

// Clocks drift and time zones get mixed up; more than this ahead of the server is a wrong clock.
const MAX_CLOCK_AHEAD_MS = 10 * 60_000;
// No agent ran before this: a report dated earlier (1970 after a dead clock battery, year 0)
// comes from a wrong clock too. Later dates in the past are spooled reports and keep their time.
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2020, 0, 1);

const statements = perDatabase((db) => ({
  owner: compileRead<{ id: string }, { machineId: string }>(
    db,
    db.select({ machineId: reports.machineId }).from(reports).where(eq(reports.id, byId)),
  ),
  machine: compileRead<{ id: string }, MachineForIngest>(
    db,
    db
      .select({
        latestCollectedAt: machines.latestCollectedAt,
        environmentId: machines.environmentId,
        fingerprint: environments.fingerprint,
        projectPathKind: environments.projectPathKind,
        projectPaths: environments.projectPaths,
        knownState: environments.knownState,
      })
      .from(machines)
      .leftJoin(environments, eq(environments.id, machines.environmentId))
      .where(eq(machines.id, byId)),
  ),
  // The environment a report from the agent's backlog falls into: the run that began last
  // before it was collected.
  environmentAt: compileRead<
    { machineId: string; at: number },
    {
      id: number;
      fingerprint: string | null;
      projectPathKind: string | null;
      projectPaths: string | null;
    }
  >(
    db,
    db
      .select({
        id: environments.id,
        fingerprint: environments.fingerprint,
        projectPathKind: environments.projectPathKind,
        projectPaths: environments.projectPaths,
      })
      .from(environments)
      .where(
        and(
          eq(environments.machineId, sql.placeholder('machineId')),
          lte(environments.collectedAt, sql.placeholder('at')),
        ),
      )
      .orderBy(desc(environments.collectedAt), desc(environments.id))
      .limit(1),
  ),
  // The environment of the first report collected after a time: whether a run goes on past it.
  environmentAfter: compileRead<
    { machineId: string; at: number },
    { environmentId: number | null }
  >(
    db,
    db
      .select({ environmentId: reports.environmentId })
      .from(reports)
      .where(
        and(
          eq(reports.machineId, sql.placeholder('machineId')),
          gt(reports.collectedAt, sql.placeholder('at')),
        ),
      )
      .orderBy(asc(reports.collectedAt))
      .limit(1),
  ),
  insertReport: compileWrite<typeof reports.$inferInsert>(
    db,
    db.insert(reports).values(placeholders(reports)),
  ),
  insertEnvironment: compileWrite<Omit<EnvironmentInsert, 'id'>>(
    db,
    db.insert(environments).values(placeholders(environments, ['id'])),
  ),
  // A build queued on the agent may arrive again inside a later report: keep the first.
  insertSample: compileWrite<Omit<SampleInsert, 'id'>>(
    db,
    db
      .insert(samples)
      .values(placeholders(samples, ['id']))
      .onConflictDoNothing(),
  ),
  insertChange: compileWrite<Omit<ChangeInsert, 'id'>>(
    db,
    db.insert(changes).values(placeholders(changes, ['id'])),
  ),
  markLatest: compileWrite<{
    id: string;
    lastSeenAt: number;
    latestReportId: string;
    latestCollectedAt: number;
    spoolPending: number | null;
    spoolDropped: number | null;
    mountSlowdown: number | null;
  }>(
    db,
    db
      .update(machines)
      .set({
        lastSeenAt: param('lastSeenAt'),
        latestReportId: param('latestReportId'),
        latestCollectedAt: param('latestCollectedAt'),
        spoolPending: param('spoolPending'),
        spoolDropped: param('spoolDropped'),
        // A report without a mount benchmark leaves the last one's figure standing.
        mountSlowdown: sql`coalesce(${sql.placeholder('mountSlowdown')}, ${machines.mountSlowdown})`,
      })
      .where(eq(machines.id, byId)),
  ),
  moveEnvironment: compileWrite<{ id: string; environmentId: number; hostname: string }>(
    db,
    db
      .update(machines)
      .set({
        environmentId: param('environmentId'),
        // A report without a host name keeps the one the machine had.
        hostname: sql`coalesce(nullif(${sql.placeholder('hostname')}, ''), ${machines.hostname})`,
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
  // Savepoints cost as much as the rows of a small report, so a batch runs without them and is
  // stored again report by report only when one of its reports failed.
  batch: db.$client.transaction((items: readonly ReportToRecord[]) =>
    items.map((item) => storeReport(db, item)),
  ),
  one: db.$client.transaction((item: ReportToRecord) => storeReport(db, item)),
}));

/**
 * Stores reports and everything derived from them in one transaction: a report is acknowledged
 * only once the whole batch committed, and never half-stored. The agent's report id makes a
 * retry idempotent. Batching is what lets ingestion keep up with a fleet flushing its spools:
 * one commit carries the shared pages of many reports.
 */
export function recordReports(db: Db, items: readonly ReportToRecord[]): RecordOutcome[] {
  if (items.length === 0) return [];
  const s = statements(db);

  try {
    return s.batch.immediate(items).map((result) => ({ ok: true, result }));
  } catch {
    // Rolled back: ids cached during the batch may name rows that no longer exist.
    forgetSeriesIds(db);
  }

  return items.map((item): RecordOutcome => {
    try {
      return { ok: true, result: s.one.immediate(item) };
    } catch (error) {
      forgetSeriesIds(db);
      return { ok: false, error };
    }
  });
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

/** The report as the server accepted it, put together again from what was stored. */
export function storedReport(
  db: Db,
  id: string,
): { report: Report | null; pruned: boolean } | undefined {
  const row = db
    .select({ raw: reports.raw, pruned: reports.pruned, environment: environments.raw })
    .from(reports)
    .leftJoin(environments, eq(environments.id, reports.environmentId))
    .where(eq(reports.id, id))
    .get();
  if (!row) return undefined;
  return { report: row.pruned ? null : joinReport(row.raw, row.environment), pruned: row.pruned };
}

interface Ingest {
  db: Db;
  machineId: string;
  report: ReportParts['rest'];
  parts: ReportParts;
  receivedAt: number;
  collectedAt: number;
  split: SplitReport;
}

function storeReport(db: Db, item: ReportToRecord): RecordResult {
  const s = statements(db);
  const { machineId, receivedAt } = item;
  const parts = 'report' in item ? partsOf(item.report) : partsFromSplit(item.split);
  const report = parts.rest;

  const existing = s.owner.get({ id: report.reportId });
  if (existing) {
    if (existing.machineId !== machineId) throw new DevfleetError('DEVFLEET_REPORT_ID_CONFLICT');
    return { duplicate: true, series: [] };
  }
  const machine = s.machine.get({ id: machineId });
  if (!machine) throw new DevfleetError('DEVFLEET_MACHINE_KEY_INVALID');

  // A machine whose clock runs ahead would otherwise stay "latest" until its clock comes
  // round, and every correct report after it would count as late: its times are moved back by
  // the skew, so they keep their order among themselves. A clock in 1970 is moved forward the
  // same way. The raw report keeps what it said.
  const reported = Date.parse(report.collectedAt);
  const wrongClock = reported - receivedAt > MAX_CLOCK_AHEAD_MS || reported < EARLIEST_PLAUSIBLE_MS;
  const skew = wrongClock ? reported - receivedAt : 0;
  const ingest: Ingest = {
    db,
    machineId,
    report,
    parts,
    receivedAt,
    collectedAt: reported - skew,
    split: parts.split,
  };
  const isNewest =
    machine.latestCollectedAt === null || ingest.collectedAt >= machine.latestCollectedAt;
  const environment = isNewest ? newestEnvironment(ingest, machine) : lateEnvironment(ingest);

  s.insertReport.run({
    id: report.reportId,
    machineId,
    collectedAt: ingest.collectedAt,
    receivedAt,
    schemaVersion: report.schemaVersion,
    raw: ingest.split.rest,
    pruned: false,
    environmentId: environment.id,
  });
  // Change events name the report that showed them first, so they follow it.
  environment.afterReport?.();

  const derived = deriveSamples(report, skew);
  for (const sample of derived) storeSample(db, machineId, report.reportId, sample);

  if (isNewest) {
    s.markLatest.run({
      id: machineId,
      lastSeenAt: receivedAt,
      latestReportId: report.reportId,
      latestCollectedAt: ingest.collectedAt,
      spoolPending: report.spool?.pending ?? null,
      spoolDropped: report.spool?.dropped ?? null,
      mountSlowdown: mountSlowdownOf(report),
    });
  } else {
    s.markSeen.run({ id: machineId, lastSeenAt: receivedAt });
  }

  return { duplicate: false, series: [...new Set(derived.map((d) => d.series))] };
}

function storeSample(db: Db, machineId: string, reportId: string, sample: DerivedSample): void {
  const { series, ...values } = sample;
  statements(db).insertSample.run({
    ...values,
    machineId,
    seriesId: ensureSeries(db, machineId, series),
    reportId,
  });
}

/** The environment a report is stored with, and what must follow once the report is. */
interface Placed {
  id: number;
  afterReport?: () => void;
}

/**
 * Where the report says the code lives, or, where it cannot tell, where the environment it
 * follows had it: the mount benchmark's location, and each timed project's, with the JSON text
 * the fingerprint and the environment row take.
 */
function locate(
  report: Pick<Report, 'benchmarks' | 'builds'>,
  before: { projectPathKind: string | null; projectPaths: string | null } | undefined,
): Location {
  const pathKind = reportPathKind(report) ?? before?.projectPathKind ?? null;
  const text = before?.projectPaths ?? '{}';
  if (!report.builds?.length) return { pathKind, projectPaths: text };

  const known = JSON.parse(text) as ProjectPaths;
  const updated = updateProjectPaths(known, report);
  return { pathKind, projectPaths: updated === known ? text : JSON.stringify(updated) };
}

interface Location {
  pathKind: string | null;
  projectPaths: string;
}

/**
 * The latest report of its machine: it extends the current environment when it shows the same
 * one (the common case, which reads and derives nothing more), or starts a new one, whose facts
 * are compared with what was known to find the change events.
 */
function newestEnvironment(ingest: Ingest, machine: MachineForIngest): Placed {
  const s = statements(ingest.db);
  const location = locate(ingest.report, machine);
  const fingerprint = fingerprintOf(ingest, location);
  if (machine.environmentId !== null && machine.fingerprint === fingerprint) {
    return { id: machine.environmentId };
  }

  const stored = deriveStored(ingest, location);
  const diff = diffFacts(parseKnown(machine.knownState), stored.facts.facts, stored.facts.scopes);
  const id = insertEnvironment(ingest, stored, fingerprint, diff.known);
  const afterReport = () => {
    insertChanges(ingest.db, diff.changes, {
      machineId: ingest.machineId,
      reportId: ingest.report.reportId,
      at: ingest.collectedAt,
    });
    s.moveEnvironment.run({
      id: ingest.machineId,
      environmentId: id,
      hostname: stored.environment.hostname,
    });
  };
  return { id, afterReport };
}

/**
 * A report from the agent's backlog that arrived after newer ones. It joins the environment it
 * was collected in when it shows the same one; otherwise it is an environment of its own in the
 * middle of another, which is split around it, and the change events are derived again.
 */
function lateEnvironment(ingest: Ingest): Placed {
  const s = statements(ingest.db);
  const { machineId, collectedAt } = ingest;
  const around = s.environmentAt.get({ machineId, at: collectedAt });
  const location = locate(ingest.report, around);
  const fingerprint = fingerprintOf(ingest, location);
  if (around && around.fingerprint === fingerprint) return { id: around.id };

  // Its known state comes with the change events, derived again below.
  const id = insertEnvironment(ingest, deriveStored(ingest, location), fingerprint, {});
  const next = s.environmentAfter.get({ machineId, at: collectedAt });
  if (around && next?.environmentId === around.id) {
    splitEnvironment(ingest.db, machineId, around.id, collectedAt);
  }
  return { id, afterReport: () => rebuildChanges(ingest.db, machineId) };
}

function fingerprintOf(ingest: Ingest, location: Location): string {
  return environmentFingerprint(
    `${ingest.split.environment}\n${ingest.report.agentVersion}`,
    location.pathKind,
    location.projectPaths,
  );
}

function deriveStored(ingest: Ingest, location: Location) {
  const { machineId, receivedAt, collectedAt } = ingest;
  const report = ingest.parts.whole();
  const times = { collectedAt, receivedAt };
  const environment = deriveEnvironment(report, machineId, times, location.pathKind);
  const projectPaths = JSON.parse(location.projectPaths) as ProjectPaths;
  const facts: StoredFacts = {
    facts: { ...reportFacts(report, environment), ...projectFacts(projectPaths) },
    scopes: factScopes(report),
  };
  return { environment, projectPaths, facts };
}

function insertEnvironment(
  ingest: Ingest,
  { environment, projectPaths, facts }: ReturnType<typeof deriveStored>,
  fingerprint: string,
  knownState: KnownState,
): number {
  const result = statements(ingest.db).insertEnvironment.run({
    ...environment,
    projectPaths,
    fingerprint,
    raw: ingest.split.environment,
    facts,
    knownState,
  });
  return Number(result.lastInsertRowid);
}

/**
 * Cuts an environment in two at `at`: the reports collected after it move to a copy that begins
 * with the first of them, so that each environment stays one unbroken run of reports.
 */
function splitEnvironment(db: Db, machineId: string, id: number, at: number): void {
  const after = and(
    eq(reports.machineId, machineId),
    eq(reports.environmentId, id),
    gt(reports.collectedAt, at),
  );
  const first = db
    .select({ id: reports.id, collectedAt: reports.collectedAt })
    .from(reports)
    .where(after)
    .orderBy(asc(reports.collectedAt))
    .limit(1)
    .get();
  const original = db.select().from(environments).where(eq(environments.id, id)).get();
  if (!first || !original) return;

  const { id: _id, ...copy } = original;
  const second = db
    .insert(environments)
    .values({ ...copy, reportId: first.id, collectedAt: first.collectedAt })
    .returning({ id: environments.id })
    .get();
  db.update(reports).set({ environmentId: second.id }).where(after).run();
  db.update(machines)
    .set({ environmentId: second.id })
    .where(and(eq(machines.id, machineId), eq(machines.environmentId, id)))
    .run();
}

type ChangeAt = { machineId: string; reportId: string; at: number };

function insertChanges(db: Db, found: readonly FieldChange[], at: ChangeAt): void {
  const { insertChange } = statements(db);
  for (const c of found) {
    insertChange.run({
      machineId: at.machineId,
      reportId: at.reportId,
      field: c.field,
      fromValue: c.from,
      toValue: c.to,
      at: at.at,
    });
  }
}

/**
 * Change events and known states again from the machine's environments in collected order:
 * what a late report in the middle of the history needs. Environments are runs of equal facts,
 * so this reads one row per change of environment, not one per report.
 */
function rebuildChanges(db: Db, machineId: string): void {
  db.delete(changes).where(eq(changes.machineId, machineId)).run();

  const history = db
    .select({
      id: environments.id,
      reportId: environments.reportId,
      at: environments.collectedAt,
      facts: environments.facts,
    })
    .from(environments)
    .where(eq(environments.machineId, machineId))
    .orderBy(asc(environments.collectedAt), asc(environments.id))
    .all();

  let known: KnownState = {};
  for (const row of history) {
    const diff = diffFacts(known, row.facts.facts, row.facts.scopes);
    insertChanges(db, diff.changes, { ...row, machineId });
    known = diff.known;
    db.update(environments).set({ knownState: known }).where(eq(environments.id, row.id)).run();
  }
}

function parseKnown(text: string | null): KnownState {
  return text === null ? {} : (JSON.parse(text) as KnownState);
}
