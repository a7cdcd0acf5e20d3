import { SCHEMA_VERSION, type BenchmarkRun, type Report } from '@devfleet/wire';

const GIB = 1024 ** 3;
const HOUR = 3_600_000;

export interface FleetMachine {
  index: number;
  hostname: string;
  owner: string;
  /** Known to the bench so it can post as this machine: only its hash is in the database. */
  key: string;
}

export function fleetMachine(index: number): FleetMachine {
  const owner = `dev${String(index).padStart(4, '0')}`;
  return { index, hostname: `${owner}-laptop`, owner, key: `dfk_bench_machine_${index}_key` };
}

// mulberry32: every run generates the same fleet, so figures compare across runs.
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ReportShape {
  /** `build`: one phase, one sample a report (the large fleet); `full`: build and mount runs. */
  benchmarks: 'build' | 'full';
  /** Docker Desktop version: changing it between reports makes a change event. */
  desktopVersion?: string;
}

/**
 * A Windows laptop with WSL 2 as the agent reports it (the shape of scripts/demo.ts), with the
 * benchmark runs the agent adds. About 2.5 KB as JSON with `full` benchmarks.
 */
export function benchReport(
  machine: FleetMachine,
  reportId: string,
  collectedAt: number,
  rand: () => number,
  shape: ReportShape = { benchmarks: 'full' },
): Report {
  const desktop = shape.desktopVersion ?? '4.36.0';
  const engine = '27.3.1';
  const kernel = '5.15.167.4-microsoft-standard-WSL2';

  return {
    schemaVersion: SCHEMA_VERSION,
    reportId,
    collectedAt: new Date(collectedAt).toISOString(),
    agentVersion: '0.1.0',
    host: {
      hostname: machine.hostname,
      platform: 'win32',
      osName: 'Windows 11 Pro',
      release: '10.0.22631',
      arch: 'x64',
      cpus: 12,
      memoryBytes: 32 * GIB,
      user: machine.owner,
      wsl: null,
    },
    docker: {
      daemon: { state: 'running', error: null },
      client: {
        version: engine,
        apiVersion: '1.47',
        goVersion: 'go1.22.7',
        os: 'windows',
        arch: 'amd64',
        context: 'desktop-linux',
      },
      server: {
        version: engine,
        apiVersion: '1.47',
        minApiVersion: '1.24',
        os: 'linux',
        arch: 'amd64',
        kernelVersion: kernel,
        platformName: `Docker Desktop ${desktop} (175267)`,
        components: [{ name: 'Engine', version: engine }],
      },
      desktop: { version: desktop, build: '175267' },
      engine: {
        serverVersion: engine,
        operatingSystem: 'Docker Desktop',
        osType: 'linux',
        kernelVersion: kernel,
        backend: 'wsl2',
        architecture: 'x86_64',
        cpus: 12,
        memoryBytes: Math.round(16 * GIB * 0.97),
        storageDriver: 'overlayfs',
        cgroupVersion: '2',
        name: 'docker-desktop',
      },
      plugins: [
        { name: 'buildx', version: 'v0.19.2-desktop.1' },
        { name: 'compose', version: 'v2.31.0-desktop.2' },
      ],
      warnings: [],
    },
    wsl: {
      version: '2.3.26.0',
      kernelVersion: '5.15.167.4-1',
      windowsVersion: '10.0.22631.4602',
      defaultDistro: 'Ubuntu',
      distros: [
        { name: 'Ubuntu', state: 'Running', version: 2, isDefault: true },
        { name: 'docker-desktop', state: 'Running', version: 2, isDefault: false },
      ],
      config: [],
    },
    desktopSettings: {
      source: 'settings-store.json',
      memoryMiB: null,
      cpus: null,
      swapMiB: null,
      wslEngineEnabled: true,
      integratedWslDistros: ['Ubuntu'],
      integrationWithDefaultDistro: true,
      fileSharing: null,
      filesharingDirectories: [],
    },
    problems: [],
    benchmarks: benchmarkRuns(collectedAt - 5 * 60_000, engine, desktop, rand, shape.benchmarks),
  };
}

function benchmarkRuns(
  startedAt: number,
  engine: string,
  desktop: string,
  rand: () => number,
  shape: ReportShape['benchmarks'],
): BenchmarkRun[] {
  const phase = (location: string, name: string, typicalMs: number) => {
    const medianMs = Math.round(typicalMs * (0.9 + rand() * 0.2));
    const samplesMs = [medianMs - 3, medianMs, medianMs + 4];
    return { location, phase: name, samplesMs, medianMs, spreadMs: 3.5 };
  };
  const common = {
    status: 'ok' as const,
    reason: null,
    quick: true,
    repetitions: 3,
    imageDigest: null,
    engineVersion: engine,
    desktopVersion: desktop,
    mountType: null,
    pathKind: 'wsl-ext4' as const,
    hostPath: '/home/dev/src/payments-api',
  };
  const build: BenchmarkRun = {
    ...common,
    kind: 'build',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 150_000,
    image: 'golang:1.23-alpine',
    results:
      shape === 'build'
        ? [phase('mount', 'warm', 6_500)]
        : [
            phase('mount', 'cold', 42_000),
            phase('mount', 'warm', 6_500),
            phase('copy', 'cold', 40_000),
            phase('copy', 'warm', 6_000),
          ],
  };
  if (shape === 'build') return [build];

  const fileWork = { create: 420, stat: 160, read: 260, walk: 120 };
  const mount: BenchmarkRun = {
    ...common,
    kind: 'mount',
    startedAt: new Date(startedAt - HOUR / 60).toISOString(),
    durationMs: 14_000,
    image: 'alpine:3.20',
    results: Object.entries(fileWork).flatMap(([name, ms]) => [
      phase('bind', name, ms * 1.3),
      phase('volume', name, ms),
    ]),
  };
  return [mount, build];
}
