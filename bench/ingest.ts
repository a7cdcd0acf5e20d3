/**
 * Ingest throughput and p99 latency of `POST /api/v1/reports` (validated, stored, health and
 * detection run), against a bare Fastify route echoing the same body, measured in the same run:
 * the machine is shared, so only the ratio means something. Then the same into the large fleet.
 * The load comes from this process (autocannon) over loopback; the servers run in their own.
 */
import autocannon from 'autocannon';

import { ENROLL_SECRET } from '../tests/helpers/processes.js';
import type { FleetInfo } from './generate-fleet.js';
import { check, type BenchOptions, type Figure } from './lib/figures.js';
import { startBenchServer, startEchoServer } from './lib/processes.js';
import { benchReport, fleetMachine, seeded } from './lib/reports.js';

const MINUTE = 60_000;
const STEP = 500;

interface Load {
  rps: number;
  p99: number;
  p50: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** A connection posting as one machine. */
interface Sender {
  key: string;
  machine: number;
}

export async function runIngest(options: BenchOptions, fleet: FleetInfo | null): Promise<Figure[]> {
  const connections = options.quick ? 10 : 100;
  const seconds = options.quick ? 2 : 10;
  const template = bodyTemplate();
  const bytes = Buffer.byteLength(fill(template, 'bench-0000-000000', Date.now()));
  options.log(`ingest: ${connections} connections, ${seconds} s a run, reports of ${bytes} B`);

  const echo = await startEchoServer();
  const baseline = await load(`${echo.url}/echo`, connections, seconds, template, () => ({
    key: 'none',
    machine: 0,
  }));
  await echo.stop();
  options.log(`  echo: ${describe(baseline)}`);

  const empty = await ingestInto(null, connections, seconds, template);
  options.log(`  ingest, empty database: ${describe(empty)}`);

  const figures: Figure[] = [
    {
      area: 'ingest',
      name: `bare echo of the report (${bytes} B), ${connections} connections`,
      measured: describe(baseline),
      target: null,
      met: null,
    },
    {
      area: 'ingest',
      name: 'POST /api/v1/reports throughput vs echo',
      measured: `${empty.rps.toFixed(0)} req/s = ${pct(empty.rps / baseline.rps)} of echo`,
      target: '≥ 50% of echo',
      met: check(options.quick, empty.rps >= 0.5 * baseline.rps && empty.non2xx === 0),
      note: failures(empty),
    },
    {
      area: 'ingest',
      name: 'POST /api/v1/reports p99 vs echo p99',
      measured: `${empty.p99} ms vs ${baseline.p99} ms = ${(empty.p99 / baseline.p99).toFixed(1)}×`,
      target: '≤ 2× echo p99',
      met: check(options.quick, empty.p99 <= 2 * baseline.p99),
    },
  ];
  if (!fleet) return figures;

  const large = await ingestInto(fleet, connections, seconds, template);
  options.log(`  ingest, large fleet: ${describe(large)}`);
  figures.push({
    area: 'ingest',
    name: `POST /api/v1/reports into the large fleet (${fleet.machines} machines, ${fleet.samples} samples)`,
    measured: `${large.rps.toFixed(0)} req/s, p99 ${large.p99} ms: ${pct(large.rps / empty.rps)} of the empty database's throughput`,
    target: '≤ 20% slower than the empty database',
    met: check(options.quick, large.rps >= 0.8 * empty.rps && large.non2xx === 0),
    note: failures(large),
  });
  return figures;
}

async function ingestInto(
  fleet: FleetInfo | null,
  connections: number,
  seconds: number,
  template: string,
): Promise<Load> {
  const server = await startBenchServer(fleet?.file);
  try {
    // The large fleet's machines have history and known keys; an empty server enrolls its own.
    // The year-long machines are left to the query figures; the load posts as the others.
    const posting = Math.max(1, fleet ? fleet.machines - fleet.yearMachines : connections);
    const keys = fleet
      ? Array.from({ length: connections }, (_, i) => {
          const machine = fleet.yearMachines + (i % posting);
          return { key: fleetMachine(machine).key, machine };
        })
      : await enroll(server.url, connections);
    let next = 0;
    const pick = () => {
      const sender = keys[next++ % keys.length];
      if (!sender) throw new Error('no machine key');
      return sender;
    };
    return await load(
      `${server.url}/api/v1/reports`,
      connections,
      seconds,
      template,
      pick,
      fleet?.endsAt,
    );
  } finally {
    await server.stop();
  }
}

async function enroll(url: string, count: number): Promise<{ key: string; machine: number }[]> {
  const keys: { key: string; machine: number }[] = [];
  for (let i = 0; i < count; i++) {
    const machine = fleetMachine(i);
    const res = await fetch(`${url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        secret: ENROLL_SECRET,
        hostname: machine.hostname,
        user: machine.owner,
      }),
    });
    if (!res.ok) throw new Error(`enroll: ${res.status} ${await res.text()}`);
    const { machineKey } = (await res.json()) as { machineKey: string };
    keys.push({ key: machineKey, machine: i });
  }
  return keys;
}

async function load(
  url: string,
  connections: number,
  seconds: number,
  template: string,
  sender: () => Sender,
  notBefore = 0,
): Promise<Load> {
  // Reports are collected in the last minutes, after every generated one, half a second apart
  // per machine: in the past, as real reports are, so that the server takes their times as they
  // are (it moves times from a clock running ahead back to when they arrived).
  const start = Math.max(Date.now() - 15 * MINUTE, notBefore);
  const senders = new WeakMap<object, Sender>();
  // Numbered per machine, not per connection: where connections outnumber machines, two share
  // one and its reports still carry distinct ids and rising times.
  const sequence = new Map<number, number>();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          let s = senders.get(context);
          if (!s) {
            s = sender();
            senders.set(context, s);
          }
          const seq = (sequence.get(s.machine) ?? 0) + 1;
          sequence.set(s.machine, seq);
          const id = `bench-${s.machine}-${seq}-${start.toString(36)}`;
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${s.key}`,
            },
            body: fill(template, id, start + seq * STEP),
          };
        },
      },
    ],
  });

  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

function bodyTemplate(): string {
  const report = benchReport(fleetMachine(0), '__REPORT_ID__', 0, seeded(1));
  return JSON.stringify(report)
    .replace('"1970-01-01T00:00:00.000Z"', '"__COLLECTED_AT__"')
    .replaceAll('"1969-12-31T23:55:00.000Z"', '"__STARTED_AT__"')
    .replaceAll('"1969-12-31T23:54:00.000Z"', '"__MOUNT_AT__"');
}

function fill(template: string, reportId: string, at: number): string {
  const iso = (ms: number) => `"${new Date(ms).toISOString()}"`;
  return template
    .replace('__REPORT_ID__', reportId)
    .replace('"__COLLECTED_AT__"', iso(at))
    .replaceAll('"__STARTED_AT__"', iso(at - 5 * MINUTE))
    .replaceAll('"__MOUNT_AT__"', iso(at - 6 * MINUTE));
}

function describe(l: Load): string {
  return `${l.rps.toFixed(0)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms (${l.total} requests)`;
}

function failures(l: Load): string | undefined {
  return l.non2xx + l.errors > 0 ? `${l.non2xx} non-2xx, ${l.errors} errors` : undefined;
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}
