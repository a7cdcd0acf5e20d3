import type { Report } from '@devfleet/wire';
import { asc, eq } from 'drizzle-orm';

import { DevfleetError } from '../errors.js';
import { diffFacts, type KnownState } from '../ingest/changes.js';
import { factScopes, reportFacts } from '../ingest/facts.js';
import { deriveEnvironment, type EnvironmentRow } from '../ingest/environment.js';
import { deriveSamples } from '../ingest/samples.js';
import type { Db } from './client.js';
import { changes, environments, machines, reports, samples } from './schema.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface RecordResult {
  duplicate: boolean;
  /** Names of the series that got samples: what detection looks at next. */
  series: string[];
}

/**
 * Stores a report and everything derived from it in one transaction, so that an acknowledged
 * report is never half-stored. The agent's report id makes a retry idempotent.
 */
export function recordReport(
  db: Db,
  machineId: string,
  report: Report,
  receivedAt: number,
): RecordResult {
  return db.transaction((tx) => {
    const existing = tx
      .select({ machineId: reports.machineId })
      .from(reports)
      .where(eq(reports.id, report.reportId))
      .get();
    if (existing) {
      if (existing.machineId !== machineId) throw new DevfleetError('DEVFLEET_REPORT_ID_CONFLICT');
      return { duplicate: true, series: [] };
    }

    const env = deriveEnvironment(report, machineId, receivedAt);
    tx.insert(reports)
      .values({
        id: report.reportId,
        machineId,
        collectedAt: env.collectedAt,
        receivedAt,
        schemaVersion: report.schemaVersion,
        raw: JSON.stringify(report),
      })
      .run();
    tx.insert(environments).values(env).run();

    // A build queued on the agent may arrive again inside a later report: keep the first.
    const rows = deriveSamples(report, machineId);
    if (rows.length > 0) tx.insert(samples).values(rows).onConflictDoNothing().run();

    const machine = tx.select().from(machines).where(eq(machines.id, machineId)).get();
    if (!machine) throw new DevfleetError('DEVFLEET_MACHINE_KEY_INVALID');

    const isNewest =
      machine.latestCollectedAt === null || env.collectedAt >= machine.latestCollectedAt;
    if (isNewest) {
      const known = appendChanges(tx, machine.knownState ?? {}, report, env);
      tx.update(machines)
        .set({
          lastSeenAt: receivedAt,
          latestReportId: env.reportId,
          latestCollectedAt: env.collectedAt,
          knownState: known,
          hostname: env.hostname,
        })
        .where(eq(machines.id, machineId))
        .run();
    } else {
      // A report from the agent's backlog landed before newer ones: the events around it move.
      rebuildChanges(tx, machineId);
      tx.update(machines).set({ lastSeenAt: receivedAt }).where(eq(machines.id, machineId)).run();
    }

    return { duplicate: false, series: [...new Set(rows.map((r) => r.series))] };
  });
}

function appendChanges(tx: Tx, known: KnownState, report: Report, env: EnvironmentRow): KnownState {
  const diff = diffFacts(known, reportFacts(report, env), factScopes(report));
  if (diff.changes.length > 0) {
    tx.insert(changes)
      .values(
        diff.changes.map((c) => ({
          machineId: env.machineId,
          reportId: env.reportId,
          field: c.field,
          fromValue: c.from,
          toValue: c.to,
          at: env.collectedAt,
        })),
      )
      .run();
  }
  return diff.known;
}

function rebuildChanges(tx: Tx, machineId: string): void {
  tx.delete(changes).where(eq(changes.machineId, machineId)).run();

  // Re-derived from the raw reports: the facts of config keys are not all columns.
  const history = tx
    .select({ raw: reports.raw, receivedAt: reports.receivedAt })
    .from(reports)
    .where(eq(reports.machineId, machineId))
    .orderBy(asc(reports.collectedAt), asc(reports.receivedAt))
    .all();

  let known: KnownState = {};
  for (const row of history) {
    const report = JSON.parse(row.raw) as Report;
    known = appendChanges(tx, known, report, deriveEnvironment(report, machineId, row.receivedAt));
  }

  tx.update(machines).set({ knownState: known }).where(eq(machines.id, machineId)).run();
}
