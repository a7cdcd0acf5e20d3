import type { BenchmarkRun, PathKind, Report } from '@devfleet/wire';

import {
  MIN_DESKTOP_MEMORY_GIB,
  MIN_WSL_MEMORY_GIB,
  SUGGESTED_WSL_MEMORY_GIB,
} from './thresholds.js';

const GIB = 1024 ** 3;

export type CheckResult = 'pass' | 'fail' | 'skip';

export interface DoctorCheck {
  /** The server's rule name where there is one, so both speak of the same thing. */
  rule: string;
  title: string;
  result: CheckResult;
  reason: string;
  /** What to do about a failure, in steps a developer can take; null when nothing is to do. */
  fix: string | null;
}

/** The folder doctor runs in: the project a developer builds. */
export interface ProjectFacts {
  path: string;
  pathKind: PathKind;
  /** A Dockerfile or compose file is there: docker builds from this folder. */
  buildsWithDocker: boolean;
  hasDockerignore: boolean;
}

export interface DoctorFacts {
  report: Report;
  project: ProjectFacts;
  /** The mount benchmark run in the project folder (`doctor --measure`), if any. */
  mount: BenchmarkRun | null;
  minDesktopVersion: string;
}

type Check = (facts: DoctorFacts) => Omit<DoctorCheck, 'rule' | 'title'>;

const checks: { rule: string; title: string; check: Check }[] = [
  { rule: 'daemon', title: 'Docker daemon', check: checkDaemon },
  { rule: 'desktopMinimum', title: 'Docker Desktop version', check: checkDesktopVersion },
  { rule: 'wslBackend', title: 'WSL 2 engine', check: checkWslBackend },
  { rule: 'wslIntegration', title: 'WSL integration', check: checkWslIntegration },
  { rule: 'memory', title: 'Memory for containers', check: checkMemory },
  { rule: 'projectLocation', title: 'Project location', check: checkProjectLocation },
  { rule: 'dockerignore', title: '.dockerignore', check: checkDockerignore },
];

/** Every check, in a fixed order; failures are for the caller to count. */
export function runDoctorChecks(facts: DoctorFacts): DoctorCheck[] {
  return checks.map(({ rule, title, check }) => ({ rule, title, ...check(facts) }));
}

const pass = (reason: string) => ({ result: 'pass' as const, reason, fix: null });
const skip = (reason: string) => ({ result: 'skip' as const, reason, fix: null });
const fail = (reason: string, fix: string) => ({ result: 'fail' as const, reason, fix });

function checkDaemon({ report }: DoctorFacts) {
  const { daemon, engine } = report.docker;
  switch (daemon.state) {
    case 'running':
      return pass(`The Docker daemon answers${engine ? ` (engine ${engine.serverVersion})` : ''}.`);
    case 'not-installed':
      return fail(
        'The docker command is not on PATH.',
        insideWsl(report)
          ? 'Turn on WSL integration for this distribution in Docker Desktop (Settings → Resources → WSL integration), or install Docker Engine in it.'
          : 'Install Docker Desktop (Windows, macOS) or Docker Engine (Linux), then open a new terminal.',
      );
    case 'unreachable':
      return fail(
        `docker is installed but the daemon does not answer${daemon.error ? `: ${firstLine(daemon.error)}` : ''}.`,
        report.host.platform === 'linux' && !insideWsl(report)
          ? 'Start it: sudo systemctl start docker; and add yourself to the docker group (sudo usermod -aG docker $USER, then log in again).'
          : 'Start Docker Desktop and wait until it says "Engine running".',
      );
  }
}

function checkDesktopVersion({ report, minDesktopVersion }: DoctorFacts) {
  const version = report.docker.desktop?.version ?? null;
  if (version === null) {
    return report.docker.engine?.backend === 'native'
      ? skip('Docker Engine runs natively: no Docker Desktop.')
      : skip('No Docker Desktop version found.');
  }
  if (compareVersions(version, minDesktopVersion) < 0) {
    return fail(
      `Docker Desktop ${version} is older than the team minimum ${minDesktopVersion}.`,
      'Update Docker Desktop: Settings → Software updates → Check for updates.',
    );
  }
  return pass(`Docker Desktop ${version} (minimum ${minDesktopVersion}).`);
}

function checkWslBackend({ report }: DoctorFacts) {
  if (!onWindowsDesktop(report)) return skip('Not Docker Desktop on Windows.');

  const enabled = report.desktopSettings?.wslEngineEnabled ?? null;
  if (enabled === false || report.docker.engine?.backend === 'linuxkit') {
    return fail(
      'Docker Desktop runs on Hyper-V, not WSL 2: builds and bind mounts are slower.',
      'Docker Desktop → Settings → General → turn on "Use the WSL 2 based engine", then Apply & restart.',
    );
  }
  return pass('Docker Desktop runs on the WSL 2 based engine.');
}

function checkWslIntegration({ report }: DoctorFacts) {
  const distro = report.host.wsl?.distro ?? null;
  if (distro === null) return skip('Not running inside a WSL distribution.');
  if (distro.startsWith('docker-desktop')) return skip(`${distro} is Docker Desktop's own.`);
  const settings = report.desktopSettings;
  if (settings === null) return skip("Docker Desktop's settings could not be read from here.");

  const integrated = settings.integratedWslDistros.includes(distro);
  // Unlike the server, the agent knows the default distribution, so this switch counts only
  // when it is the one in use.
  const viaDefault =
    settings.integrationWithDefaultDistro === true && report.wsl?.defaultDistro === distro;
  if (!integrated && !viaDefault) {
    return fail(
      `WSL integration is off for ${distro}, the distribution you are in: docker does not work here.`,
      `Docker Desktop → Settings → Resources → WSL integration → turn on ${distro}, then Apply & restart.`,
    );
  }
  return pass(`WSL integration is on for ${distro}.`);
}

function checkMemory({ report }: DoctorFacts) {
  const wslInPlay =
    report.docker.engine?.backend === 'wsl2' ||
    ((report.wsl !== null || report.host.wsl !== null) &&
      report.docker.engine?.backend !== 'linuxkit');

  if (wslInPlay) {
    const entry = report.wsl?.config.find(
      (e) => e.section.toLowerCase() === 'wsl2' && e.key.toLowerCase() === 'memory',
    );
    const bytes = entry?.bytes ?? null;
    if (bytes === null) {
      return pass('No WSL memory limit in .wslconfig: WSL may use half of the RAM.');
    }
    if (bytes < MIN_WSL_MEMORY_GIB * GIB) {
      return fail(
        `WSL may use only ${formatGiB(bytes)} (.wslconfig [wsl2] memory=${entry?.value}); the team minimum is ${MIN_WSL_MEMORY_GIB} GiB and builds run out of memory below it.`,
        `Set memory=${SUGGESTED_WSL_MEMORY_GIB}GB under [wsl2] in %UserProfile%\\.wslconfig, then run wsl --shutdown from PowerShell.`,
      );
    }
    return pass(`WSL may use ${formatGiB(bytes)} (.wslconfig).`);
  }

  const mib = report.desktopSettings?.memoryMiB ?? null;
  if (mib === null) return skip('No memory limit applies (native engine or no Desktop settings).');
  const bytes = mib * 1024 ** 2;
  if (bytes < MIN_DESKTOP_MEMORY_GIB * GIB) {
    return fail(
      `Docker Desktop may use only ${formatGiB(bytes)}; the team minimum is ${MIN_DESKTOP_MEMORY_GIB} GiB.`,
      `Docker Desktop → Settings → Resources → Memory: at least ${MIN_DESKTOP_MEMORY_GIB} GiB, then Apply & restart.`,
    );
  }
  return pass(`Docker Desktop may use ${formatGiB(bytes)}.`);
}

function checkProjectLocation({ project, mount }: DoctorFacts) {
  if (project.pathKind !== 'windows-drive-via-wsl') {
    return pass(`${project.path} is ${pathKindLabels[project.pathKind]}.`);
  }

  const slowdown = mount ? mountSlowdown(mount) : null;
  const cost =
    slowdown !== null
      ? ` Measured here: file work through a bind mount is ${slowdown.toFixed(1)}× slower than in a Docker volume.`
      : ' Run devfleet-agent doctor --measure to time what it costs here.';
  return fail(
    `${project.path} is on a Windows drive mounted into WSL: every file access crosses to Windows (9P).${cost}`,
    'Move the project into the WSL file system (e.g. git clone into ~/src inside the distribution) and open it from there.',
  );
}

function checkDockerignore({ project }: DoctorFacts) {
  if (!project.buildsWithDocker) return skip('No Dockerfile or compose file in this folder.');
  if (project.hasDockerignore) return pass('.dockerignore is present.');
  return fail(
    'No .dockerignore: every docker build sends the whole folder (.git, node_modules, build output) to the daemon first.',
    'Add a .dockerignore beside the Dockerfile listing at least .git, node_modules and build output folders.',
  );
}

/**
 * How much slower the benchmark's file work was through the bind mount than in a volume: the
 * sum of the phases both measured, as the server computes it (server/src/db/fleet-repository.ts).
 */
export function mountSlowdown(run: BenchmarkRun): number | null {
  if (run.kind !== 'mount' || run.status !== 'ok') return null;
  const medians = (location: string) =>
    new Map(run.results.filter((r) => r.location === location).map((r) => [r.phase, r.medianMs]));
  const bind = medians('bind');
  const volume = medians('volume');

  let bindMs = 0;
  let volumeMs = 0;
  for (const [phase, ms] of bind) {
    const v = volume.get(phase);
    if (v === undefined) continue;
    bindMs += ms;
    volumeMs += v;
  }
  return volumeMs > 0 ? bindMs / volumeMs : null;
}

/** Compares dotted versions part by part as numbers: 4.9.0 < 4.34.0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  const right = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? 0;
    const r = right[i] ?? 0;
    const diff = (Number.isNaN(l) ? 0 : l) - (Number.isNaN(r) ? 0 : r);
    if (diff !== 0) return diff;
  }
  return 0;
}

const pathKindLabels: Record<PathKind, string> = {
  'windows-drive-via-wsl': 'on a Windows drive mounted into WSL',
  'wsl-ext4': 'in the WSL file system',
  'macos-host': 'on the Mac, shared into Docker Desktop',
  linux: 'on the Linux host',
  windows: 'on Windows',
  volume: 'in a Docker volume',
  container: 'inside a container',
  unknown: 'somewhere the agent cannot classify',
};

function insideWsl(report: Report): boolean {
  return report.host.wsl !== null;
}

function onWindowsDesktop(report: Report): boolean {
  const windows = report.host.platform === 'win32' || report.host.wsl !== null;
  return windows && report.docker.desktop !== null;
}

function formatGiB(bytes: number): string {
  const gib = bytes / GIB;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
