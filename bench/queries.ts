/**
 * Dashboard API latency on the large fleet, through the real server over loopback with a
 * session, as the dashboard asks: the fleet list, one machine's year of a series bucketed for a
 * chart, the alerts list. Sequential requests after a warm-up; p95 of the wall time.
 */
import fs from 'node:fs';

import { dashboardSession } from '../tests/helpers/processes.js';
import { machineId, type FleetInfo } from './generate-fleet.js';
import {
  check,
  mib,
  ms,
  percentile,
  timeRuns,
  type BenchOptions,
  type Figure,
} from './lib/figures.js';
import { startBenchServer } from './lib/processes.js';
import { fleetMachine } from './lib/reports.js';

const DAY = 24 * 3_600_000;

export async function runQueries(
  options: BenchOptions,
  fleet: FleetInfo | null,
): Promise<Figure[]> {
  if (!fleet) throw new Error('queries need the generated fleet');
  const runs = options.quick ? 5 : 100;
  const server = await startBenchServer(fleet.file);

  try {
    const headers = await dashboardSession(server.url);
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return res.arrayBuffer();
    };
    const p95 = async (path: string) => {
      const bytes = (await get(path)).byteLength;
      return { p95: percentile(await timeRuns(runs, 3, () => get(path)), 95), bytes };
    };

    const id = machineId(fleetMachine(0));
    const to = new Date(fleet.endsAt).toISOString();
    const from = new Date(fleet.endsAt - 365 * DAY).toISOString();
    const year = `/api/v1/machines/${id}/trends?from=${from}&to=${to}&points=600`;
    const yearLong = fleet.yearMachines > 0 || fleet.days >= 365;
    const samples = yearLong ? '8,760 hourly samples' : `${fleet.days} days`;

    const fleetList = await p95('/api/v1/fleet');
    options.log(`  GET /api/v1/fleet: p95 ${ms(fleetList.p95)}`);
    const machines = await p95('/api/v1/machines');
    const series = await p95(year);
    options.log(`  year trends: p95 ${ms(series.p95)}`);
    const alerts = await p95('/api/v1/alerts');

    const bytes = ['', '-wal'].reduce((sum, s) => sum + fileSize(`${fleet.file}${s}`), 0);
    const size = `${fleet.machines} machines, ${fleet.samples} samples`;
    return [
      {
        area: 'queries',
        name: `fleet list GET /api/v1/fleet (health of ${fleet.machines} machines)`,
        measured: `p95 ${ms(fleetList.p95)}, ${mib(fleetList.bytes)}`,
        target: 'p95 ≤ 50 ms',
        met: check(options.quick, fleetList.p95 <= 50),
      },
      {
        area: 'queries',
        name: 'machine list GET /api/v1/machines',
        measured: `p95 ${ms(machines.p95)}, ${mib(machines.bytes)}`,
        target: null,
        met: null,
      },
      {
        area: 'queries',
        name: `one machine's year bucketed into 600 points (${samples})`,
        measured: `p95 ${ms(series.p95)}`,
        target: 'p95 ≤ 30 ms',
        met: check(options.quick, series.p95 <= 30),
      },
      {
        area: 'queries',
        name: `alerts list GET /api/v1/alerts (${fleet.alerts} alerts)`,
        measured: `p95 ${ms(alerts.p95)}`,
        target: '≤ 20 ms',
        met: check(options.quick, alerts.p95 <= 20),
      },
      {
        area: 'queries',
        name: `database size (${size})`,
        measured: mib(bytes),
        target: 'reported',
        met: null,
      },
    ];
  } finally {
    await server.stop();
  }
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}
