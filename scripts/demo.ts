/**
 * Loads a realistic team fleet into a devfleet server through its real API: 30 machines
 * (mostly Windows with WSL 2, some Macs, a few Linux), 90 days of reports with benchmarks and
 * builds, a staggered Docker Desktop rollout whose 4.37.1 makes bind-mount-heavy builds ~50%
 * slower, and the machines a team lead should notice: a project on /mnt/c, a stale agent, WSL
 * with too little memory, an old Docker Desktop, a daemon down, WSL integration off.
 *
 *   npm run demo     DEVFLEET_SERVER (default http://127.0.0.1:8080), DEVFLEET_ENROLL_SECRET
 *
 * Reports go out in the order they were collected, so detection raises its alerts as it would
 * have over those 90 days. Deterministic: the same fleet every run (seeded PRNG).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  SCHEMA_VERSION,
  type Alert,
  type BenchmarkRun,
  type BuildRecord,
  type MachineList,
  type Report,
} from '@devfleet/wire';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const HISTORY_DAYS = 90;
const CONCURRENCY = 12;
// How often the server re-assesses one fleet-wide transition (fleetIntervalMs in server/src/app.ts).
const FLEET_INTERVAL_MS = 30_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Platform = 'windows' | 'mac' | 'linux';

interface Release {
  version: string;
  build: string;
  engine: string;
}

const desktop: Record<string, Release> = {
  '4.28.0': { version: '4.28.0', build: '139021', engine: '25.0.3' },
  '4.35.1': { version: '4.35.1', build: '173168', engine: '27.3.1' },
  '4.36.0': { version: '4.36.0', build: '175267', engine: '27.3.1' },
  '4.37.1': { version: '4.37.1', build: '178610', engine: '27.4.0' },
};
const REGRESSING = '4.37.1';

const wslReleases = {
  '2.3.24.0': { kernel: '5.15.153.1-2' },
  '2.3.26.0': { kernel: '5.15.167.4-1' },
} as const;
type WslRelease = keyof typeof wslReleases;

const projects = { 'payments-api': 95_000, 'web-shop': 140_000, 'inventory-svc': 70_000 };
type Project = keyof typeof projects;

interface MachineSpec {
  hostname: string;
  owner: string;
  platform: Platform;
  project: Project;
  cpus: number;
  ramGiB: number;
  /** Docker Desktop version from a day of the history on (day 0 is 90 days ago). */
  desktop: [day: number, version: string][];
  wsl?: [day: number, version: WslRelease][];
  engine?: [day: number, version: string][];
  onWindowsDrive?: boolean;
  wslMemoryGiB?: number;
  integrationOff?: boolean;
  lastDay?: number;
  daemonDownAtEnd?: boolean;
  /** How fast this machine builds compared to a typical one (1 = typical). */
  speed: number;
}

const std = (update: number | null, wslUpdate: number): Pick<MachineSpec, 'desktop' | 'wsl'> => ({
  desktop:
    update === null
      ? [[0, '4.36.0']]
      : [
          [0, '4.36.0'],
          [update, REGRESSING],
        ],
  wsl: [
    [0, '2.3.24.0'],
    [wslUpdate, '2.3.26.0'],
  ],
});

const win = (
  hostname: string,
  owner: string,
  project: Project,
  speed: number,
  extra: Partial<MachineSpec>,
): MachineSpec => ({
  hostname,
  owner,
  platform: 'windows',
  project,
  cpus: 12,
  ramGiB: 32,
  speed,
  ...std(null, 20),
  ...extra,
});

const fleet: MachineSpec[] = [
  win('dev01-laptop', 'dev01', 'payments-api', 1, std(55, 14)),
  win('dev01-desktop', 'dev01', 'payments-api', 0.8, { ...std(62, 15), cpus: 16, ramGiB: 64 }),
  win('dev02-xps', 'dev02', 'web-shop', 1.05, std(55, 18)),
  win('dev03-thinkpad', 'dev03', 'payments-api', 1.1, std(55, 22)),
  win('dev04-laptop', 'dev04', 'inventory-svc', 0.95, std(55, 25)),
  win('dev05-laptop', 'dev05', 'web-shop', 1, std(55, 16)),
  win('dev06-laptop', 'dev06', 'payments-api', 1.15, std(55, 27)),
  win('dev07-laptop', 'dev07', 'inventory-svc', 0.9, std(58, 30)),
  win('dev08-laptop', 'dev08', 'web-shop', 1, std(62, 19)),
  win('dev09-laptop', 'dev09', 'payments-api', 1.2, std(62, 33)),
  win('dev10-laptop', 'dev10', 'inventory-svc', 1, std(66, 21)),
  win('dev11-laptop', 'dev11', 'web-shop', 0.85, std(66, 24)),
  win('dev12-laptop', 'dev12', 'payments-api', 1, std(70, 28)),
  win('dev13-laptop', 'dev13', 'inventory-svc', 1.1, {
    ...std(70, 17),
    ramGiB: 16,
    wslMemoryGiB: 3,
  }),
  win('dev14-laptop', 'dev14', 'web-shop', 1, std(null, 23)),
  win('dev15-laptop', 'dev15', 'payments-api', 0.95, std(null, 26)),
  win('dev16-laptop', 'dev16', 'inventory-svc', 1.05, std(null, 31)),
  win('dev17-laptop', 'dev17', 'payments-api', 1, { ...std(75, 18), onWindowsDrive: true }),
  win('dev18-laptop', 'dev18', 'web-shop', 1.1, { ...std(75, 29), daemonDownAtEnd: true }),
  win('dev19-laptop', 'dev19', 'inventory-svc', 1, { ...std(null, 20), lastDay: 83 }),
  win('dev20-buildbox', 'dev20', 'payments-api', 0.9, {
    desktop: [[0, '4.28.0']],
    wsl: [[0, '2.3.24.0']],
    ramGiB: 64,
  }),
  win('dev21-laptop', 'dev21', 'web-shop', 1, { ...std(76, 22), integrationOff: true }),
  mac('dev02-mbp', 'dev02', 'web-shop', 0.9, 24),
  mac('dev22-mbp', 'dev22', 'web-shop', 1, 27),
  mac('dev23-mbp', 'dev23', 'payments-api', 0.95, 30),
  mac('dev24-mbp', 'dev24', 'inventory-svc', 1.05, 33),
  mac('dev25-mbp', 'dev25', 'web-shop', 1, 36),
  linux('dev26-ubuntu', 'dev26', 'payments-api', 0.85, 40),
  linux('dev27-fedora', 'dev27', 'inventory-svc', 0.9, 44),
  linux('dev28-ws', 'dev28', 'web-shop', 0.8, 48),
];

function mac(
  hostname: string,
  owner: string,
  project: Project,
  speed: number,
  update: number,
): MachineSpec {
  return {
    hostname,
    owner,
    platform: 'mac',
    project,
    cpus: 10,
    ramGiB: 32,
    speed,
    desktop: [
      [0, '4.35.1'],
      [update, '4.36.0'],
    ],
  };
}

function linux(
  hostname: string,
  owner: string,
  project: Project,
  speed: number,
  update: number,
): MachineSpec {
  return {
    hostname,
    owner,
    platform: 'linux',
    project,
    cpus: 16,
    ramGiB: 64,
    speed,
    desktop: [],
    // Not the engine Docker Desktop 4.37.1 bundles: the rollout's engine change stays its own.
    engine: [
      [0, '27.3.1'],
      [update, '27.5.1'],
    ],
  };
}

// mulberry32: a small seeded generator, so that every run loads the same fleet.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(20_250_601);

/** ±10% noise, a little skewed towards slower as timings are. */
function noisy(value: number, spread = 0.1): number {
  const gauss = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.round(value * Math.exp((gauss * spread) / 1.6));
}

function at<T>(timeline: [number, T][] | undefined, day: number): T | null {
  let value: T | null = null;
  for (const [from, v] of timeline ?? []) if (day >= from) value = v;
  return value;
}

interface Moment {
  spec: MachineSpec;
  time: number;
  day: number;
  weekend: boolean;
  /** Whether this run includes the mount benchmark (the build benchmark runs every workday). */
  mount: boolean;
  last: boolean;
}

/**
 * When each machine reports: once a workday (the agent's morning run, the mount benchmark on
 * Mondays, Wednesdays and Fridays), now and then at weekends (the environment only, no
 * measurements), and once in the last hours.
 */
function schedule(now: number): Moment[] {
  const start = Math.floor(now / DAY) * DAY - (HISTORY_DAYS - 1) * DAY;
  const moments: Moment[] = [];
  for (const spec of fleet) {
    const lastDay = spec.lastDay ?? HISTORY_DAYS - 1;
    for (let day = 0; day <= lastDay; day++) {
      const weekday = new Date(start + day * DAY).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      if (weekend && rand() > 0.2) continue;
      const time =
        start + day * DAY + (weekend ? 11 : 8) * HOUR + Math.floor(rand() * 120) * 60_000;
      const mount = weekday === 1 || weekday === 3 || weekday === 5;
      if (time < now - 3 * HOUR) moments.push({ spec, time, day, weekend, mount, last: false });
    }
    // Every active machine has a report from the last hours, whatever the weekday.
    if (spec.lastDay === undefined) {
      const time = now - HOUR - Math.floor(rand() * 90) * 60_000;
      const day = HISTORY_DAYS - 1;
      moments.push({ spec, time, day, weekend: false, mount: true, last: true });
    }
  }
  return moments.sort((a, b) => a.time - b.time);
}

interface Context {
  desktop: Release | null;
  engine: string;
  wsl: WslRelease | null;
  daemonUp: boolean;
  regressed: boolean;
}

function contextOf(m: Moment): Context {
  const version = at(m.spec.desktop, m.day);
  const release = version ? (desktop[version] ?? null) : null;
  return {
    desktop: release,
    engine: release?.engine ?? at(m.spec.engine, m.day) ?? '27.3.1',
    wsl: m.spec.platform === 'windows' ? at(m.spec.wsl, m.day) : null,
    daemonUp: !(m.last && m.spec.daemonDownAtEnd),
    regressed: m.spec.platform === 'windows' && version === REGRESSING,
  };
}

function pathKind(spec: MachineSpec): BenchmarkRun['pathKind'] {
  if (spec.platform === 'mac') return 'macos-host';
  if (spec.platform === 'linux') return 'linux';
  return spec.onWindowsDrive ? 'windows-drive-via-wsl' : 'wsl-ext4';
}

function hostPath(spec: MachineSpec): string {
  if (spec.platform === 'mac') return `/Users/${spec.owner}/src/${spec.project}`;
  if (spec.platform === 'linux') return `/home/${spec.owner}/src/${spec.project}`;
  return spec.onWindowsDrive
    ? `/mnt/c/Users/${spec.owner}/src/${spec.project}`
    : `/home/${spec.owner}/src/${spec.project}`;
}

function phase(location: string, name: string, medianMs: number) {
  const samplesMs = [noisy(medianMs, 0.05), medianMs, noisy(medianMs, 0.05)].sort((a, b) => a - b);
  const spreadMs = Math.abs((samplesMs[2] ?? medianMs) - (samplesMs[0] ?? medianMs)) / 2;
  return { location, phase: name, samplesMs, medianMs, spreadMs };
}

// Typical file work (ms) in a volume; a bind mount costs a factor that depends on where the
// sources live: WSL ext4 a little, a Mac's VirtioFS more, a Windows drive through 9P a lot.
const fileWork = { create: 420, stat: 160, read: 260, walk: 120 };
const bindFactor = { 'wsl-ext4': 1.3, 'macos-host': 2.6, linux: 1, 'windows-drive-via-wsl': 7.5 };

function benchmarks(m: Moment, ctx: Context, startedAt: number): BenchmarkRun[] {
  const { spec } = m;
  const kind = pathKind(spec);
  const common = {
    reason: null,
    durationMs: 0,
    quick: true,
    repetitions: 3,
    imageDigest: null,
    engineVersion: ctx.engine,
    desktopVersion: ctx.desktop?.version ?? null,
    mountType: spec.platform === 'mac' ? 'virtiofs' : null,
    pathKind: kind,
    hostPath: hostPath(spec),
  };
  if (!ctx.daemonUp) {
    return (['mount', 'build'] as const).map((k) => ({
      ...common,
      kind: k,
      status: 'skipped' as const,
      reason: 'no Docker daemon: start Docker Desktop',
      startedAt: new Date(startedAt).toISOString(),
      image: null,
      results: [],
    }));
  }

  const factor = bindFactor[kind as keyof typeof bindFactor] ?? 1;
  const mountResults = Object.entries(fileWork).flatMap(([name, ms]) => [
    phase('bind', name, noisy(ms * factor * spec.speed)),
    phase('volume', name, noisy(ms * spec.speed)),
  ]);
  // The regressing release slows builds that read their sources through a bind mount.
  const slow = ctx.regressed ? 1.5 : 1;
  const mountBuild = spec.platform === 'mac' ? 1.25 : spec.onWindowsDrive ? 2.4 : 1.1;
  const buildResults = [
    phase('mount', 'cold', noisy(42_000 * spec.speed * mountBuild * slow)),
    phase('mount', 'warm', noisy(6_500 * spec.speed * mountBuild * (ctx.regressed ? 1.45 : 1))),
    phase('copy', 'cold', noisy(40_000 * spec.speed)),
    phase('copy', 'warm', noisy(6_000 * spec.speed)),
  ];

  const mountRun: BenchmarkRun = {
    ...common,
    kind: 'mount',
    status: 'ok',
    startedAt: iso(startedAt),
    durationMs: 14_000,
    image: 'alpine:3.20',
    results: mountResults,
  };
  const buildRun: BenchmarkRun = {
    ...common,
    kind: 'build',
    status: 'ok',
    startedAt: iso(startedAt + 20_000),
    durationMs: 150_000,
    image: 'golang:1.23-alpine',
    results: buildResults,
  };
  return m.mount ? [mountRun, buildRun] : [buildRun];
}

let buildCounter = 0;

function builds(m: Moment, ctx: Context, before: number): BuildRecord[] {
  const { spec } = m;
  // The agent sends the builds it timed since the last report: here one a day.
  const count = 1;
  const slow = (ctx.regressed ? 1.4 : 1) * (spec.onWindowsDrive ? 2.2 : 1);
  return Array.from({ length: count }, (_, i) => {
    buildCounter += 1;
    const succeeded = rand() > 0.03;
    return {
      id: `demo-${spec.hostname}-${buildCounter}`,
      source: 'time' as const,
      name: spec.project,
      command: 'docker compose run --rm dev make build',
      startedAt: iso(before - (count - i) * 25 * 60_000),
      durationMs: noisy(projects[spec.project] * spec.speed * slow),
      exitCode: succeeded ? 0 : 2,
      succeeded,
      fingerprint: null,
      pathKind: pathKind(spec),
      cacheRatio: null,
    };
  });
}

function report(m: Moment, index: number): Report {
  const { spec } = m;
  const ctx = contextOf(m);
  const collectedAt = m.time;
  const runs = m.weekend ? [] : benchmarks(m, ctx, collectedAt - 5 * 60_000);
  return {
    schemaVersion: SCHEMA_VERSION,
    reportId: `demo-${spec.hostname}-${index}`,
    collectedAt: iso(collectedAt),
    agentVersion: '0.1.0',
    host: host(spec),
    docker: docker(spec, ctx),
    wsl: wsl(spec, ctx),
    desktopSettings: desktopSettings(spec),
    problems: ctx.daemonUp
      ? []
      : [{ source: 'docker', code: 'DAEMON_UNREACHABLE', message: daemonError }],
    benchmarks: runs,
    builds: m.weekend ? [] : builds(m, ctx, collectedAt - 10 * 60_000),
  };
}

const daemonError =
  'error during connect: Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.47/version": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.';

function host(spec: MachineSpec): Report['host'] {
  const base = {
    hostname: spec.hostname,
    cpus: spec.cpus,
    memoryBytes: spec.ramGiB * GIB,
    user: spec.owner,
    wsl: null,
  };
  if (spec.platform === 'windows') {
    return {
      ...base,
      platform: 'win32',
      osName: 'Windows 11 Pro',
      release: '10.0.22631',
      arch: 'x64',
    };
  }
  if (spec.platform === 'mac') {
    return {
      ...base,
      platform: 'darwin',
      osName: 'macOS 14.6.1',
      release: '23.6.0',
      arch: 'arm64',
    };
  }
  return {
    ...base,
    platform: 'linux',
    osName: 'Ubuntu 24.04.1 LTS',
    release: '6.8.0-49-generic',
    arch: 'x64',
  };
}

function docker(spec: MachineSpec, ctx: Context): Report['docker'] {
  const arch = spec.platform === 'mac' ? 'arm64' : 'amd64';
  const client = {
    version: ctx.engine,
    apiVersion: '1.47',
    goVersion: 'go1.22.7',
    os: spec.platform === 'windows' ? 'windows' : spec.platform === 'mac' ? 'darwin' : 'linux',
    arch,
    context: spec.platform === 'linux' ? 'default' : 'desktop-linux',
  };
  const plugins = [
    { name: 'buildx', version: 'v0.19.2-desktop.1' },
    { name: 'compose', version: 'v2.31.0-desktop.2' },
  ];
  if (!ctx.daemonUp) {
    return {
      daemon: { state: 'unreachable', error: daemonError },
      client,
      server: null,
      desktop: null,
      engine: null,
      plugins,
      warnings: [],
    };
  }

  const kernel =
    spec.platform === 'windows'
      ? `${wslReleases[ctx.wsl ?? '2.3.24.0'].kernel}-microsoft-standard-WSL2`
      : spec.platform === 'mac'
        ? '6.10.14-linuxkit'
        : '6.8.0-49-generic';
  const platformName = ctx.desktop
    ? `Docker Desktop ${ctx.desktop.version} (${ctx.desktop.build})`
    : 'Docker Engine - Community';
  const engineMemory =
    spec.platform === 'windows'
      ? (spec.wslMemoryGiB ?? spec.ramGiB / 2) * GIB
      : spec.platform === 'mac'
        ? 8 * GIB
        : spec.ramGiB * GIB;
  return {
    daemon: { state: 'running', error: null },
    client,
    server: {
      version: ctx.engine,
      apiVersion: '1.47',
      minApiVersion: '1.24',
      os: 'linux',
      arch,
      kernelVersion: kernel,
      platformName,
      components: [{ name: 'Engine', version: ctx.engine }],
    },
    desktop: ctx.desktop ? { version: ctx.desktop.version, build: ctx.desktop.build } : null,
    engine: {
      serverVersion: ctx.engine,
      operatingSystem: ctx.desktop ? 'Docker Desktop' : 'Ubuntu 24.04.1 LTS',
      osType: 'linux',
      kernelVersion: kernel,
      backend:
        spec.platform === 'windows' ? 'wsl2' : spec.platform === 'mac' ? 'linuxkit' : 'native',
      architecture: spec.platform === 'mac' ? 'aarch64' : 'x86_64',
      cpus: spec.platform === 'mac' ? 6 : spec.cpus,
      memoryBytes: Math.round(engineMemory * 0.97),
      storageDriver: 'overlayfs',
      cgroupVersion: '2',
      name: ctx.desktop ? 'docker-desktop' : spec.hostname,
    },
    plugins,
    warnings: [],
  };
}

function wsl(spec: MachineSpec, ctx: Context): Report['wsl'] {
  if (spec.platform !== 'windows' || !ctx.wsl) return null;
  const distro = spec.integrationOff ? 'Ubuntu-22.04' : 'Ubuntu';
  return {
    version: ctx.wsl,
    kernelVersion: wslReleases[ctx.wsl].kernel,
    windowsVersion: '10.0.22631.4602',
    defaultDistro: distro,
    distros: [
      { name: distro, state: 'Running', version: 2, isDefault: true },
      { name: 'docker-desktop', state: 'Running', version: 2, isDefault: false },
    ],
    config: spec.wslMemoryGiB
      ? [
          {
            section: 'wsl2',
            key: 'memory',
            value: `${spec.wslMemoryGiB}GB`,
            bytes: spec.wslMemoryGiB * GIB,
          },
        ]
      : [],
  };
}

function desktopSettings(spec: MachineSpec): Report['desktopSettings'] {
  if (spec.platform === 'linux') return null;
  const windows = spec.platform === 'windows';
  return {
    source: 'settings-store.json',
    memoryMiB: windows ? null : 8192,
    cpus: windows ? null : 6,
    swapMiB: windows ? null : 1024,
    wslEngineEnabled: windows ? true : null,
    integratedWslDistros: windows && !spec.integrationOff ? ['Ubuntu'] : [],
    integrationWithDefaultDistro: windows ? !spec.integrationOff : null,
    fileSharing: windows ? null : 'virtiofs',
    filesharingDirectories: windows ? [] : ['/Users', '/Volumes', '/private', '/tmp'],
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// --- talking to the server ------------------------------------------------------------------

class Server {
  /** A dashboard session, when the demo could log in: it reads alerts to pace the last step. */
  private cookie: string | null = null;

  constructor(readonly url: string) {}

  get loggedIn(): boolean {
    return this.cookie !== null;
  }

  async login(username: string, password: string): Promise<boolean> {
    const res = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith('devfleet_session='));
    this.cookie = res.ok && session ? (session.split(';')[0] ?? null) : null;
    return this.loggedIn;
  }

  /** A request whose status is the answer: no throw on 4xx. */
  async answer(method: string, route: string, body: unknown, key?: string) {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return { status: res.status };
  }

  async request<T>(method: string, route: string, body?: unknown, key?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers.authorization = `Bearer ${key}`;
    else if (this.cookie) headers.cookie = this.cookie;
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }
}

interface Credentials {
  enrollSecret: string;
  adminUsername?: string;
  adminPassword?: string | null;
}

/** The local server's credentials, as `npm start` reads them, for what the environment omits. */
function localCredentials(): Credentials {
  const bin = path.join(root, 'server', 'bin', 'devfleet-server.js');
  const result = spawnSync(process.execPath, [bin, 'credentials', '--json'], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`set DEVFLEET_ENROLL_SECRET (could not read the local one):\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Credentials;
}

type KeysByServer = Record<string, Record<string, string>>;

function readKeys(file: string | null | undefined, server: string): Record<string, string> | null {
  if (!file || !fs.existsSync(file)) return null;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as KeysByServer)[server] ?? null;
  } catch {
    return null;
  }
}

/** Machine keys are credentials: the file is readable by its owner only, like the agent's. */
function writeKeys(
  file: string | null | undefined,
  server: string,
  keys: Map<MachineSpec, string>,
): void {
  if (!file) return;
  let all: KeysByServer = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as KeysByServer;
  } catch {
    // none yet, or unreadable: start over
  }
  all[server] = Object.fromEntries([...keys].map(([spec, key]) => [spec.hostname, key]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(run));
  }
}

/**
 * Consecutive reports of different machines, at most `size` at a time: a machine's reports
 * never overtake each other, and the fleet as a whole moves forward in time.
 */
function waves(moments: readonly Moment[], size: number): Moment[][] {
  const result: Moment[][] = [];
  let current: Moment[] = [];
  for (const m of moments) {
    if (current.length === size || current.some((c) => c.spec === m.spec)) {
      result.push(current);
      current = [];
    }
    current.push(m);
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function fleetAlerts(server: Server): Promise<Alert[]> {
  const { alerts } = await server.request<{ alerts: Alert[] }>('GET', '/api/v1/alerts');
  return alerts.filter((a) => a.scope === 'fleet');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the server's fleet assessment interval has passed since it last updated an alert. */
async function awaitFleetAssessment(server: Server, log: (line: string) => void, what: string) {
  const updated = server.loggedIn
    ? (await fleetAlerts(server)).map((a) => Date.parse(a.updatedAt))
    : [];
  const wait = Math.max(Date.now() - 1, ...updated) + FLEET_INTERVAL_MS + 1000 - Date.now();
  log(`waiting ${Math.ceil(wait / 1000)} s so that the server assesses ${what} across the fleet`);
  await sleep(wait);
}

export interface DemoOptions {
  server: string;
  enrollSecret: string;
  /**
   * Where the demo machines' keys are kept, by server: a second run recognizes its own fleet
   * by them (the server answers its first report as a repeat) and stops instead of enrolling
   * * thirty more machines. Without one, nothing is kept (tests).
   */
  keysFile?: string | null;
  /** A dashboard login; without one the demo cannot check the fleet or pace by the alerts. */
  login?: { username: string; password: string } | null;
  log?: (line: string) => void;
}

export async function loadDemo(options: DemoOptions): Promise<void> {
  const { enrollSecret: secret, log = console.log } = options;
  const server = new Server(options.server.replace(/\/+$/, ''));
  const started = Date.now();
  await expectDevfleet(server.url);

  if (options.login && !(await server.login(options.login.username, options.login.password))) {
    log('could not log in: loading without reading the dashboard API');
  }
  const now = Date.now();
  const moments = schedule(now);
  const first = moments[0];
  const known = readKeys(options.keysFile, server.url);
  if (first && known) {
    // Loaded before by this demo: its reports are stored once, so resending the first says so.
    const answer = await server.answer(
      'POST',
      '/api/v1/reports',
      report(first, 1),
      known[first.spec.hostname],
    );
    if (answer.status === 200) {
      log(`the demo fleet is already loaded on ${server.url}: nothing to do`);
      return;
    }
  }
  const existing = server.loggedIn
    ? await server.request<MachineList>('GET', '/api/v1/machines')
    : { machines: [] };
  const taken = existing.machines.filter((m) => fleet.some((s) => s.hostname === m.hostname));
  if (taken.length > 0) {
    throw new Error(
      `the demo fleet is already loaded (${taken.length} of its machines are there): use a fresh database (DEVFLEET_DB)`,
    );
  }

  const keys = new Map<MachineSpec, string>();
  await inBatches(fleet, CONCURRENCY, async (spec) => {
    const res = await server.request<{ machineKey: string }>('POST', '/api/v1/enroll', {
      secret,
      hostname: spec.hostname,
      user: spec.owner,
    });
    keys.set(spec, res.machineKey);
  });
  writeKeys(options.keysFile, server.url, keys);
  log(`enrolled ${fleet.length} machines`);

  const history = moments.filter((m) => !m.last);
  const latest = moments.filter((m) => m.last);
  const counters = new Map<MachineSpec, number>();
  const send = async (m: Moment) => {
    const index = (counters.get(m.spec) ?? 0) + 1;
    counters.set(m.spec, index);
    await server.request('POST', '/api/v1/reports', report(m, index), keys.get(m.spec));
  };

  let sent = 0;
  const onRelease = new Map<MachineSpec, number>();
  let paced = false;
  for (const wave of waves(history, CONCURRENCY)) {
    // The server assesses a fleet-wide transition at most every 30 s (alerts/detection.ts), and
    // 90 days replay in less. Once the rollout's first machines have three reports on the new
    // release, pause so that the next assessment sees them together, as a day of real reports
    // would: the fleet alert, not one alert per machine.
    const measured = (m: Moment) => contextOf(m).regressed && !m.weekend;
    const fourth = wave.some((m) => measured(m) && (onRelease.get(m.spec) ?? 0) >= 3);
    if (fourth && !paced) {
      paced = true;
      await awaitFleetAssessment(server, log, 'the first machines on the new release');
    }
    await Promise.all(wave.map(send));
    for (const m of wave) {
      if (measured(m)) onRelease.set(m.spec, (onRelease.get(m.spec) ?? 0) + 1);
    }
    sent += wave.length;
    if (sent % 500 < wave.length) log(`sent ${sent} of ${moments.length} reports`);
  }

  // Today's reports after one more interval, so the alert counts the rollout's latest machines.
  await awaitFleetAssessment(server, log, 'the rollout so far');
  await inBatches(latest, CONCURRENCY, send);
  sent += latest.length;

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  log(`sent ${sent} reports from ${fleet.length} machines in ${seconds} s`);
  if (!server.loggedIn) return;
  const { alerts } = await server.request<{ alerts: Alert[] }>('GET', '/api/v1/alerts');
  log(`${alerts.length} alerts:`);
  for (const alert of alerts) log(`  [${alert.scope}] ${alert.title}`);
}

/** Fails in one line a person can act on when no devfleet server answers at `url`. */
async function expectDevfleet(url: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new Error(
      `no server answers at ${url}: start one with \`npm start\` in another terminal, ` +
        'or point DEVFLEET_SERVER at yours',
    );
  }
  const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
  if (!res.ok || body?.status !== 'ok') {
    throw new Error(
      `${url} is not a devfleet server (GET /healthz answered ${res.status}): ` +
        'check DEVFLEET_SERVER',
    );
  }
}

async function main(): Promise<void> {
  const url = process.env.DEVFLEET_SERVER || 'http://127.0.0.1:8080';
  const env = process.env;
  const local =
    env.DEVFLEET_ENROLL_SECRET && env.DEVFLEET_ADMIN_PASSWORD ? null : localCredentials();
  const password = env.DEVFLEET_ADMIN_PASSWORD || local?.adminPassword;

  await loadDemo({
    server: url,
    keysFile: path.join(root, 'data', 'demo-machines.json'),
    enrollSecret: env.DEVFLEET_ENROLL_SECRET || (local?.enrollSecret ?? ''),
    login: password
      ? { username: env.DEVFLEET_ADMIN_USER || local?.adminUsername || 'admin', password }
      : null,
  });
  console.log(`open ${url}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
