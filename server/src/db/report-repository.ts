import type { Report } from '@devfleet/wire';
import { asc, eq } from 'drizzle-orm';

import { DevfleetError } from '../errors.js';
import { diffFacts, type KnownState } from '../ingest/changes.js';
import { factScopes, reportFacts, type Facts } from '../ingest/facts.js';
import { deriveEnvironment } from '../ingest/environment.js';
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
    const facts = { facts: reportFacts(report, env), scopes: factScopes(report) };
    tx.insert(reports)
      .values({
        id: report.reportId,
        machineId,
        collectedAt: env.collectedAt,
        receivedAt,
        schemaVersion: report.schemaVersion,
        raw: JSON.stringify(report),
        facts,
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
      const known = appendChanges(tx, machine.knownState ?? {}, facts, env);
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

type StoredFacts = { facts: Facts; scopes: string[] };
type ChangeAt = { machineId: string; reportId: string; collectedAt: number };

function appendChanges(tx: Tx, known: KnownState, stored: StoredFacts, at: ChangeAt): KnownState {
  const diff = diffFacts(known, stored.facts, stored.scopes);
  if (diff.changes.length > 0) {
    tx.insert(changes)
      .values(
        diff.changes.map((c) => ({
          machineId: at.machineId,
          reportId: at.reportId,
          field: c.field,
          fromValue: c.from,
          toValue: c.to,
          at: at.collectedAt,
        })),
      )
      .run();
  }
  return diff.known;
}

function rebuildChanges(tx: Tx, machineId: string): void {
  tx.delete(changes).where(eq(changes.machineId, machineId)).run();

  // From the facts stored with each report: raw reports past retention are gone, facts are not.
  const history = tx
    .select({ reportId: reports.id, collectedAt: reports.collectedAt, facts: reports.facts })
    .from(reports)
    .where(eq(reports.machineId, machineId))
    .orderBy(asc(reports.collectedAt), asc(reports.receivedAt))
    .all();

  let known: KnownState = {};
  for (const row of history) known = appendChanges(tx, known, row.facts, { ...row, machineId });

  tx.update(machines).set({ knownState: known }).where(eq(machines.id, machineId)).run();
}
