import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

import type { MachineList, SeriesList, SeriesResponse } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dockerAvailable } from '../helpers/docker.js';
import {
  ENROLL_SECRET,
  getJson,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

const MOUNT_IMAGE = 'devfleet-test/debian:bookworm';
const BUILD_IMAGE = 'devfleet-test/golang:bookworm';

function benchLeftovers(): string {
  const containers = execFileSync('docker', ['ps', '-aq', '--filter', 'label=devfleet.bench=1'], {
    encoding: 'utf8',
  });
  const volumes = execFileSync(
    'docker',
    ['volume', 'ls', '-q', '--filter', 'label=devfleet.bench=1'],
    {
      encoding: 'utf8',
    },
  );
  return `${containers}${volumes}`.trim();
}

// Benchmarks measured for real on the Docker engine here, sent in a real report, and read
// back as series: the path a team's numbers take from a laptop to a chart.
describe.skipIf(!dockerAvailable())('benchmarks and timed builds reach the server', () => {
  let server: ServerProcess;
  let home: string;
  let env: Record<string, string>;
  let machineId: string;

  beforeAll(async () => {
    server = await startServerProcess();
    home = tempDir('agent');
    env = { DEVFLEET_AGENT_HOME: home };
    const enrolled = await runAgent(
      ['enroll', '--server', server.url, '--secret', ENROLL_SECRET],
      env,
    );
    expect(enrolled.code).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  async function series(metric: string): Promise<SeriesResponse> {
    const url = `${server.url}/api/v1/machines/${machineId}/series?metric=${encodeURIComponent(metric)}`;
    return getJson<SeriesResponse>(server.url, url.slice(server.url.length));
  }

  it('report --bench sends every phase of both benchmarks, and leaves nothing behind', async () => {
    const run = await runAgent(
      [
        'report',
        '--bench',
        '--quick',
        '--mount-image',
        MOUNT_IMAGE,
        '--build-image',
        BUILD_IMAGE,
        '--path',
        home,
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    machineId = list.machines[0]!.id;
    const names = (
      await getJson<SeriesList>(server.url, `/api/v1/machines/${machineId}/series`)
    ).series.map((s) => s.name);
    for (const location of ['bind', 'volume', 'container', 'native']) {
      for (const phase of ['create', 'stat', 'read', 'delete', 'walk']) {
        expect(names).toContain(`bench.mount.${location}.${phase}`);
      }
    }
    for (const location of ['mount', 'copy']) {
      for (const phase of ['cold', 'warm'])
        expect(names).toContain(`bench.build.${location}.${phase}`);
    }

    for (const name of names) {
      const points = (await series(name)).points;
      expect(points).toHaveLength(1);
      expect(points[0]!.valueMs).toBeGreaterThan(0);
    }
    // A cold Go build compiles what a warm one takes from the cache.
    const cold = (await series('bench.build.mount.cold')).points[0]!.valueMs;
    const warm = (await series('bench.build.mount.warm')).points[0]!.valueMs;
    expect(cold).toBeGreaterThan(warm);

    expect(benchLeftovers()).toBe('');
    expect(fs.readdirSync(home).filter((f) => f.startsWith('devfleet-bench'))).toEqual([]);
  }, 300_000);

  it('time returns the build’s exit code and records the failed build as failed', async () => {
    const ok = await runAgent(
      ['time', '--name', 'payments-api', '--', 'sh', '-c', 'sleep 0.2'],
      env,
    );
    const failed = await runAgent(
      ['time', '--name', 'payments-api', '--', 'sh', '-c', 'exit 3'],
      env,
    );

    expect(ok.code).toBe(0);
    expect(failed.code).toBe(3);
    const points = (await series('build:payments-api')).points;
    expect(points.map((p) => p.ok)).toEqual([true, false]);
    expect(points[0]!.valueMs).toBeGreaterThanOrEqual(200);
  });

  it('queues a timed build while the server is away and sends it with the next report', async () => {
    const away = { ...env };
    const config = JSON.parse(fs.readFileSync(`${home}/agent.json`, 'utf8')) as {
      serverUrl: string;
    };
    const awayHome = tempDir('agent-away');
    fs.writeFileSync(
      `${awayHome}/agent.json`,
      JSON.stringify({ ...config, serverUrl: 'http://127.0.0.1:9' }),
      { mode: 0o600 },
    );
    away.DEVFLEET_AGENT_HOME = awayHome;

    const timed = await runAgent(
      ['time', '--name', 'offline-build', '--', 'sh', '-c', 'true'],
      away,
    );
    expect(timed.code).toBe(0);
    expect((await series('build:offline-build')).points).toEqual([]);

    fs.writeFileSync(`${awayHome}/agent.json`, JSON.stringify(config), { mode: 0o600 });
    const reported = await runAgent(['report'], away);
    expect(reported.code).toBe(0);
    expect((await series('build:offline-build')).points).toHaveLength(1);
    fs.rmSync(awayHome, { recursive: true, force: true });
  });
});
