import type {
  Alert,
  Change,
  DeveloperDetail,
  DeveloperList,
  Environment,
  FleetChangeList,
  AssessedMachine,
  FleetMachine,
  FleetOverview,
  FleetVersions,
  MachineDetail,
  MachineHealth,
  MachineList,
  MachineSummary,
  Report,
  SeriesList,
  SeriesResponse,
  Trends,
} from '@devfleet/wire';
import type { Static, TSchema } from 'typebox';

import { fleetRow } from '../health/machine-health.js';

// Examples shown in the OpenAPI document (/api/docs). Typed with the wire types, so an example
// that drifts from its schema fails to compile. One Windows laptop with Docker Desktop on WSL2.

/** The schema with one example for the document; the example must have the schema's type. */
export function withExample<T extends TSchema>(schema: T, example: Static<T>): T {
  return { ...schema, examples: [example] };
}

export const exampleMachineId = '0f8b6c1e-3d4a-4b7e-9a51-2c6d8e0f1a23';
const REPORT_ID = 'r-20250115-093000-7f3a';

export const reportExample: Report = {
  schemaVersion: 1,
  reportId: REPORT_ID,
  collectedAt: '2025-01-15T09:30:00.000Z',
  agentVersion: '0.1.0',
  host: {
    hostname: 'DEVHOST-01',
    platform: 'win32',
    osName: 'Windows 11 Pro',
    release: '10.0.22631',
    arch: 'x64',
    cpus: 12,
    memoryBytes: 34359738368,
    user: 'devuser',
    wsl: null,
  },
  docker: {
    daemon: { state: 'running', error: null },
    client: {
      version: '27.3.1',
      apiVersion: '1.47',
      goVersion: 'go1.22.7',
      os: 'windows',
      arch: 'amd64',
      context: 'desktop-linux',
    },
    server: null,
    desktop: { version: '4.36.0', build: '175267' },
    engine: {
      serverVersion: '27.3.1',
      operatingSystem: 'Docker Desktop',
      osType: 'linux',
      kernelVersion: '5.15.153.1-microsoft-standard-WSL2',
      backend: 'wsl2',
      architecture: 'x86_64',
      cpus: 12,
      memoryBytes: 16624349184,
      storageDriver: 'overlay2',
      cgroupVersion: '2',
      name: 'docker-desktop',
    },
    plugins: [{ name: 'buildx', version: 'v0.17.1-desktop.1' }],
    warnings: [],
  },
  wsl: {
    version: '2.3.26.0',
    kernelVersion: '5.15.167.4-1',
    windowsVersion: '10.0.22631.4460',
    defaultDistro: 'Ubuntu',
    distros: [{ name: 'Ubuntu', state: 'Running', version: 2, isDefault: true }],
    config: [{ section: 'wsl2', key: 'memory', value: '16GB', bytes: 17179869184 }],
  },
  desktopSettings: null,
  problems: [],
};

export const environmentExample: Environment = {
  reportId: REPORT_ID,
  collectedAt: '2025-01-15T09:30:00.000Z',
  receivedAt: '2025-01-15T09:30:01.204Z',
  lastCollectedAt: '2025-01-15T13:30:00.000Z',
  hostname: 'DEVHOST-01',
  user: 'devuser',
  platform: 'win32',
  osName: 'Windows 11 Pro',
  osRelease: '10.0.22631',
  arch: 'x64',
  cpus: 12,
  memoryBytes: 34359738368,
  daemonState: 'running',
  daemonError: null,
  desktopVersion: '4.36.0',
  desktopBuild: '175267',
  engineVersion: '27.3.1',
  clientVersion: '27.3.1',
  dockerContext: 'desktop-linux',
  engineOsType: 'linux',
  engineKernel: '5.15.153.1-microsoft-standard-WSL2',
  backend: 'wsl2',
  engineCpus: 12,
  engineMemoryBytes: 16624349184,
  storageDriver: 'overlay2',
  wslVersion: '2.3.26.0',
  wslKernel: '5.15.167.4-1',
  windowsVersion: '10.0.22631.4460',
  wslDistro: 'Ubuntu',
  wslMemoryBytes: 17179869184,
  wslProcessors: null,
  desktopMemoryMiB: null,
  desktopCpus: null,
  fileSharing: null,
  projectPathKind: 'wsl-ext4',
};

export const machineSummaryExample: MachineSummary = {
  id: exampleMachineId,
  hostname: 'DEVHOST-01',
  owner: 'devuser',
  enrolledAt: '2024-11-02T08:12:44.000Z',
  lastSeenAt: '2025-01-15T09:30:01.204Z',
  environment: environmentExample,
};

export const machineListExample: MachineList = {
  machines: [machineSummaryExample],
  totals: { machines: 1, reporting: 1, daemonUnreachable: 0 },
};

const changeExample: Change = {
  field: 'desktopVersion',
  from: '4.35.1',
  to: '4.36.0',
  at: '2025-01-14T17:02:10.000Z',
  reportId: 'r-20250114-170210-1c9e',
};

export const machineDetailExample: MachineDetail = {
  machine: machineSummaryExample,
  revokedAt: null,
  history: [environmentExample],
  changes: [changeExample],
};

export const fleetChangeListExample: FleetChangeList = {
  changes: [{ machineId: exampleMachineId, hostname: 'DEVHOST-01', ...changeExample }],
};

export const seriesListExample: SeriesList = {
  series: [{ name: 'bench.mount.bind.create', count: 42, lastAt: '2025-01-15T09:30:00.000Z' }],
};

export const seriesResponseExample: SeriesResponse = {
  machineId: exampleMachineId,
  metric: 'bench.mount.bind.create',
  from: '2024-01-15T09:30:00.000Z',
  to: '2025-01-15T09:30:00.000Z',
  points: [
    { at: '2025-01-14T09:30:00.000Z', valueMs: 812.5, spreadMs: 40.1, ok: true, reportId: 'r-1' },
    {
      at: '2025-01-15T09:30:00.000Z',
      valueMs: 1630,
      spreadMs: 75.3,
      ok: true,
      reportId: REPORT_ID,
    },
  ],
};

export const assessedMachineExample: AssessedMachine = {
  ...machineSummaryExample,
  status: 'amber',
  findings: [
    {
      rule: 'openRegression',
      title: 'No open regression',
      result: 'fail',
      severity: 'amber',
      reason: 'bench.mount.bind.create is 2.0× slower since Docker Desktop 4.36.0',
    },
    {
      rule: 'desktopMinimum',
      title: 'Docker Desktop is recent enough',
      result: 'pass',
      severity: 'red',
      reason: '4.36.0 is 4.34.0 or newer',
    },
  ],
};

export const fleetMachineExample: FleetMachine = fleetRow(assessedMachineExample, {
  desktopVersion: '4.36.0',
  engineVersion: '27.3.1',
  wslVersion: '2.3.26.0',
});

export const machineHealthExample: MachineHealth = {
  machineId: exampleMachineId,
  status: assessedMachineExample.status,
  findings: assessedMachineExample.findings,
};

export const fleetOverviewExample: FleetOverview = {
  generatedAt: '2025-01-15T09:31:00.000Z',
  counts: { machines: 1, green: 0, amber: 1, red: 0, openAlerts: 1 },
  rules: [
    {
      rule: 'desktopMinimum',
      title: 'Docker Desktop is recent enough',
      severity: 'red',
      enabled: true,
      threshold: '4.34.0 or newer',
    },
  ],
  machines: [fleetMachineExample],
};

export const fleetVersionsExample: FleetVersions = {
  current: {
    desktopVersion: [{ version: '4.36.0', machines: 1 }],
    engineVersion: [{ version: '27.3.1', machines: 1 }],
    wslVersion: [{ version: '2.3.26.0', machines: 1 }],
  },
  rollout: {
    field: 'desktopVersion',
    days: ['2025-01-14', '2025-01-15'],
    versions: [
      { version: '4.35.1', machines: [1, 0] },
      { version: '4.36.0', machines: [0, 1] },
    ],
  },
};

export const trendsExample: Trends = {
  from: '2024-10-17T09:30:00.000Z',
  to: '2025-01-15T09:30:00.000Z',
  bucketMs: 12960000,
  series: [
    {
      name: 'bench.mount.bind.create',
      machineId: exampleMachineId,
      hostname: 'DEVHOST-01',
      points: [{ x: 1736933400000, y: 1630, min: 1580, max: 1702, n: 3 }],
    },
  ],
  markers: [
    {
      x: 1736874130000,
      machineId: exampleMachineId,
      hostname: 'DEVHOST-01',
      label: 'Docker Desktop 4.35.1 → 4.36.0',
      fields: ['desktopVersion'],
    },
  ],
};

export const developerListExample: DeveloperList = {
  developers: [
    { owner: 'devuser', machines: 1, status: 'amber', lastSeenAt: '2025-01-15T09:30:01.204Z' },
  ],
};

export const developerDetailExample: DeveloperDetail = {
  owner: 'devuser',
  machines: [fleetMachineExample],
  builds: { ...trendsExample, series: [] },
};

export const alertExample: Alert = {
  id: 'a-6d1f0b2c',
  scope: 'machine',
  kind: 'regression',
  series: 'bench.mount.bind.create',
  transition: { field: 'desktopVersion', from: '4.35.1', to: '4.36.0' },
  title: 'bench.mount.bind.create 2.0× slower after Docker Desktop 4.35.1 → 4.36.0',
  status: 'open',
  effect: 1.006,
  openedAt: '2025-01-15T09:30:02.000Z',
  updatedAt: '2025-01-15T09:30:02.000Z',
  acknowledgedAt: null,
  resolvedAt: null,
  resolution: null,
  machines: [
    {
      machineId: exampleMachineId,
      hostname: 'DEVHOST-01',
      effect: 1.006,
      pValue: 0.0004,
      beforeCount: 12,
      afterCount: 6,
      beforeMedianMs: 812.5,
      afterMedianMs: 1630,
      changeAt: '2025-01-14T17:02:10.000Z',
    },
  ],
  evidence: { method: 'mann-whitney', beforeMs: [805, 812.5, 820], afterMs: [1580, 1630, 1702] },
};

/** An error answer, as every route gives it (see src/errors.ts). */
export const errorExample = {
  error: { code: 'DEVFLEET_NOT_FOUND', message: 'No machine with this id' },
};
