/**
 * Makes the large fleet the query, ingest and dashboard figures run on: `--machines` machines,
 * each reporting every hour for `--days` days (one benchmark sample a report, as in the issue's
 * 1,000 × 1 year ≈ 8.8 M samples), written through the server's own repository functions
 * (createMachine, recordReports, upsertAlert) into a SQLite file with the real migrations.
 *
 *   npx tsx bench/generate-fleet.ts --machines 1000 --days 30
 *
 * The file is cached in bench/.cache and made once per size; a `.json` beside it, written last,
 * marks it complete.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { hashMachineKey } from '../server/src/auth/keys.js';
import { upsertAlert } from '../server/src/db/alert-repository.js';
import { startCheckpointer } from '../server/src/db/checkpointer.js';
import { closeDatabase, openDatabase, type Db } from '../server/src/db/client.js';
import { createMachine } from '../server/src/db/machine-repository.js';
import { recordReports, type ReportToRecord } from '../server/src/db/report-repository.js';
import { cacheDir } from './lib/figures.js';
import { benchReport, fleetMachine, seeded, type FleetMachine } from './lib/reports.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const FLEET_SERIES = 'bench.build.mount.warm';

export interface FleetInfo {
  file: string;
  machines: number;
  days: number;
  yearMachines: number;
  reports: number;
  samples: number;
  alerts: number;
  /** The hour after the last report: ingest into this fleet continues from here. */
  endsAt: number;
  generatedSeconds: number;
  bytes: number;
}

export interface FleetSize {
  machines: number;
  days: number;
  /** The first this many machines report for a whole year: the year-long series figures. */
  yearMachines: number;
}

export function fleetFile(size: FleetSize): string {
  return path.join(cacheDir, `fleet-${size.machines}x${size.days}-y${size.yearMachines}.db`);
}

/** The cached fleet of this size, generated first when missing or incomplete. */
export async function ensureFleet(size: FleetSize, log = console.log): Promise<FleetInfo> {
  const file = fleetFile(size);
  const metaFile = `${file}.json`;
  if (fs.existsSync(metaFile) && fs.existsSync(file)) {
    return JSON.parse(fs.readFileSync(metaFile, 'utf8')) as FleetInfo;
  }

  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  const info = await generateFleet(file, size, log);
  fs.writeFileSync(metaFile, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

async function generateFleet(
  file: string,
  size: FleetSize,
  log: (l: string) => void,
): Promise<FleetInfo> {
  const { machines: count, days, yearMachines } = size;
  const started = performance.now();
  const db = openDatabase(file);
  // As the server does: checkpoints on another thread, never inside a commit.
  const checkpointer = await startCheckpointer(db, file, (message) =>
    log(`checkpoint: ${message}`),
  );
  const rand = seeded(8);
  // Whole hours, ending at the last full hour: the fleet looks current when the bench runs.
  const endsAt = Math.floor(Date.now() / HOUR) * HOUR;
  const startsAt = endsAt - days * DAY;
  const firstAt = yearMachines > 0 ? endsAt - 365 * DAY : startsAt;
  const startOf = (m: FleetMachine) => (m.index < yearMachines ? firstAt : startsAt);

  const fleet = Array.from({ length: count }, (_, i) => fleetMachine(i));
  for (const machine of fleet) {
    createMachine(db, {
      id: machineId(machine),
      keyHash: hashMachineKey(machine.key),
      hostname: machine.hostname,
      owner: machine.owner,
      enrolledAt: startOf(machine) - DAY,
    });
  }

  // Each machine moves to a newer Docker Desktop part way through: one change event each.
  const upgradeAt = (m: FleetMachine) => endsAt - Math.floor(days * 0.4 - (m.index % 5)) * DAY;
  let reports = 0;
  let samples = 0;
  // An hour of the whole fleet is one batch, as the server's group commit stores a burst.
  const hour = (at: number) => {
    const batch: ReportToRecord[] = [];
    for (const machine of fleet) {
      if (at < startOf(machine)) continue;
      const collectedAt = at + (machine.index % 60) * 60_000;
      const desktopVersion = collectedAt >= upgradeAt(machine) ? '4.37.1' : '4.36.0';
      const id = `gen-${machine.index}-${(at - firstAt) / HOUR}`;
      const report = benchReport(machine, id, collectedAt, rand, {
        benchmarks: 'build',
        desktopVersion,
      });
      batch.push({ machineId: machineId(machine), report, receivedAt: collectedAt + 1000 });
    }
    for (const outcome of recordReports(db, batch)) {
      if (!outcome.ok) throw outcome.error;
      samples += outcome.result.series.length;
      reports += 1;
    }
  };

  for (let at = firstAt; at < endsAt; at += HOUR) {
    hour(at);
    const done = (at - firstAt) / HOUR + 1;
    if (done % (24 * 7) === 0) {
      const seconds = (performance.now() - started) / 1000;
      log(`  day ${done / 24}: ${reports} reports, ${seconds.toFixed(0)} s`);
    }
  }

  const alerts = raiseAlerts(db, fleet, endsAt);
  await checkpointer.stop();
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  closeDatabase(db);

  return {
    file,
    machines: count,
    days,
    yearMachines,
    reports,
    samples,
    alerts,
    endsAt,
    generatedSeconds: Math.round((performance.now() - started) / 1000),
    bytes: fs.statSync(file).size,
  };
}

/** A machine alert on every 20th machine and one fleet alert over 50: the alerts page's data. */
function raiseAlerts(db: Db, fleet: FleetMachine[], now: number): number {
  const transition = { field: 'desktopVersion', from: '4.36.0', to: '4.37.1' };
  const member = (m: FleetMachine) => ({
    machineId: machineId(m),
    effect: 0.45,
    pValue: 0.001,
    beforeCount: 30,
    afterCount: 30,
    beforeMedianMs: 6500,
    afterMedianMs: 9400,
    changeAt: now - 10 * DAY,
  });
  const flagged = fleet.filter((m) => m.index % 20 === 0);
  for (const m of flagged) {
    upsertAlert(
      db,
      {
        dedupeKey: `machine|${machineId(m)}|${FLEET_SERIES}|bench`,
        scope: 'machine',
        kind: 'regression',
        series: FLEET_SERIES,
        transition,
        title: `${FLEET_SERIES} +45% after Docker Desktop 4.36.0 → 4.37.1`,
        effect: 0.45,
        evidence: { numbers: member(m) },
        machines: [member(m)],
      },
      now - (m.index % 50) * HOUR,
    );
  }
  upsertAlert(
    db,
    {
      dedupeKey: `fleet|${FLEET_SERIES}|bench`,
      scope: 'fleet',
      kind: 'regression',
      series: FLEET_SERIES,
      transition,
      title: `Docker Desktop 4.36.0 → 4.37.1: ${FLEET_SERIES} +45%`,
      effect: 0.45,
      evidence: {},
      machines: fleet.slice(0, 50).map(member),
    },
    now,
  );
  return flagged.length + 1;
}

export function machineId(machine: FleetMachine): string {
  return `bench-machine-${String(machine.index).padStart(4, '0')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      machines: { type: 'string', default: '1000' },
      days: { type: 'string', default: '365' },
      'year-machines': { type: 'string', default: '0' },
    },
  });
  const info = await ensureFleet({
    machines: Number(values.machines),
    days: Number(values.days),
    yearMachines: Number(values['year-machines']),
  });
  console.log(JSON.stringify(info, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename))
  await main();
