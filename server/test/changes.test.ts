import type { BuildRecord, FleetChangeList, MachineDetail, Report } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { enroll, sampleReport, startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

async function send(key: string, report: Report): Promise<void> {
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${key}` },
    payload: report,
  });
  expect(res.statusCode).toBe(201);
}

function at(day: number): string {
  return new Date(Date.UTC(2026, 10, day, 8)).toISOString();
}

async function changesOf(): Promise<MachineDetail['changes']> {
  const list = (await server.inject({ url: '/api/v1/machines' })).json();
  const res = await server.inject({ url: `/api/v1/machines/${list.machines[0].id}` });
  return res.json<MachineDetail>().changes;
}

describe('change events beyond versions', () => {
  it('records a .wslconfig value that changed and one that was removed', async () => {
    const key = await enroll(server.app);
    const before = sampleReport({ collectedAt: at(1) });
    before.wsl!.config = [
      { section: 'wsl2', key: 'memory', value: '8GB', bytes: 8 * 1024 ** 3 },
      { section: 'wsl2', key: 'processors', value: '4', bytes: null },
    ];
    const after = sampleReport({ collectedAt: at(2) });
    after.wsl!.config = [{ section: 'wsl2', key: 'memory', value: '4GB', bytes: 4 * 1024 ** 3 }];

    await send(key, before);
    await send(key, after);

    const changes = await changesOf();
    expect(changes.map((c) => [c.field, c.from, c.to]).sort()).toEqual([
      ['wslconfig.wsl2.memory', '8GB', '4GB'],
      ['wslconfig.wsl2.processors', '4', null],
    ]);
  });

  it('records a switch of Docker Desktop file sharing', async () => {
    const key = await enroll(server.app);
    const settings = (fileSharing: string) => ({
      source: 'settings-store.json',
      memoryMiB: 8192,
      cpus: 8,
      swapMiB: 1024,
      wslEngineEnabled: false,
      integratedWslDistros: [],
      integrationWithDefaultDistro: null,
      fileSharing,
      filesharingDirectories: ['/Users'],
    });

    await send(key, {
      ...sampleReport({ collectedAt: at(1) }),
      desktopSettings: settings('grpcfuse'),
    });
    await send(key, {
      ...sampleReport({ collectedAt: at(2) }),
      desktopSettings: settings('virtiofs'),
    });

    expect((await changesOf()).map((c) => [c.field, c.from, c.to])).toEqual([
      ['desktop.fileSharing', 'grpcfuse', 'virtiofs'],
    ]);
  });

  it('does not read a report without WSL output as every .wslconfig key removed', async () => {
    const key = await enroll(server.app);

    await send(key, sampleReport({ collectedAt: at(1) }));
    await send(key, { ...sampleReport({ collectedAt: at(2) }), wsl: null });

    expect(await changesOf()).toEqual([]);
  });
});

describe('the agent itself', () => {
  it('records an agent update, which may change how it measures', async () => {
    const key = await enroll(server.app);
    const before = sampleReport({ collectedAt: at(1) });
    const after = sampleReport({ collectedAt: at(2) });
    after.agentVersion = '0.2.0';

    await send(key, before);
    await send(key, after);

    expect((await changesOf()).map((c) => [c.field, c.from, c.to])).toEqual([
      ['agentVersion', '0.1.0', '0.2.0'],
    ]);
  });

  it('keeps the cost of timing a phase out of the series', async () => {
    const key = await enroll(server.app);
    const report = sampleReport({ collectedAt: at(1) });
    report.benchmarks = [
      {
        kind: 'mount',
        status: 'ok',
        reason: null,
        startedAt: at(1),
        durationMs: 1000,
        quick: true,
        repetitions: 2,
        image: 'debian:bookworm-slim',
        imageDigest: null,
        engineVersion: '27.3.1',
        desktopVersion: '4.36.0',
        mountType: null,
        pathKind: 'linux',
        hostPath: null,
        results: [
          { location: 'bind', phase: 'create', samplesMs: [10, 12], medianMs: 11, spreadMs: 1 },
          { location: 'calibration', phase: 'timer', samplesMs: [1, 1], medianMs: 1, spreadMs: 0 },
        ],
      },
    ];

    await send(key, report);

    const list = (await server.inject({ url: '/api/v1/machines' })).json();
    const series = await server.inject({ url: `/api/v1/machines/${list.machines[0].id}/series` });
    expect(series.json().series.map((s: { name: string }) => s.name)).toEqual([
      'bench.mount.bind.create',
    ]);
  });
});

describe('where projects live', () => {
  function build(name: string, pathKind: BuildRecord['pathKind'], day: number): BuildRecord {
    return {
      id: `time-${name}-${day}-${pathKind}`,
      source: 'time',
      name,
      command: 'go build ./...',
      startedAt: at(day),
      durationMs: 5000,
      exitCode: 0,
      succeeded: true,
      fingerprint: null,
      pathKind,
      cacheRatio: null,
    };
  }

  it('keeps each timed project where it was seen, and records a project that moved', async () => {
    const key = await enroll(server.app);
    const days: [number, BuildRecord[]][] = [
      [1, [build('api', 'wsl-ext4', 1)]],
      [2, [build('web', 'windows-drive-via-wsl', 2)]],
      [3, [build('api', 'wsl-ext4', 3)]],
      [4, []],
      [5, [build('web', 'windows-drive-via-wsl', 5)]],
      [6, [build('api', 'windows-drive-via-wsl', 6)]],
    ];
    for (const [day, builds] of days) {
      const report = sampleReport({ collectedAt: at(day) });
      report.builds = builds;
      await send(key, report);
    }

    expect((await changesOf()).map((c) => [c.field, c.from, c.to, c.at])).toEqual([
      ['project.api.location', 'wsl-ext4', 'windows-drive-via-wsl', at(6)],
    ]);
    const list = (await server.inject({ url: '/api/v1/machines' })).json();
    const health = await server.inject({ url: `/api/v1/machines/${list.machines[0].id}/health` });
    const location = health
      .json<{ findings: { rule: string; result: string; reason: string }[] }>()
      .findings.find((f) => f.rule === 'projectLocation');
    expect(location).toMatchObject({ result: 'fail' });
    expect(location?.reason).toContain('api, web');
  });
});

describe('GET /api/v1/changes', () => {
  it('lists changes across machines, newest first, filtered by field', async () => {
    const keyA = await enroll(server.app, 'devhost-a');
    const keyB = await enroll(server.app, 'devhost-b');
    for (const key of [keyA, keyB]) await send(key, sampleReport({ collectedAt: at(1) }));
    await send(keyA, sampleReport({ collectedAt: at(2), desktopVersion: '4.37.1' }));
    await send(keyB, sampleReport({ collectedAt: at(3), desktopVersion: '4.37.1' }));

    const res = await server.inject({
      url: `/api/v1/changes?field=desktopVersion&from=${at(0)}&to=${at(30)}`,
    });

    expect(res.statusCode).toBe(200);
    expect(res.json<FleetChangeList>().changes.map((c) => [c.at, c.from, c.to])).toEqual([
      [at(3), '4.36.0', '4.37.1'],
      [at(2), '4.36.0', '4.37.1'],
    ]);
  });
});
