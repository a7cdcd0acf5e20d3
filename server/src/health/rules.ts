import type { Environment, Finding, HealthStatus, RuleInfo } from '@devfleet/wire';

import type { HealthRules, RuleName } from './rules-config.js';

const GIB = 1024 ** 3;
const HOUR_MS = 3600 * 1000;

/** The environment facts the rules read: the fleet page reads these and no more. */
export type HealthEnvironment = Pick<
  Environment,
  | 'platform'
  | 'backend'
  | 'daemonState'
  | 'daemonError'
  | 'desktopVersion'
  | 'desktopMemoryMiB'
  | 'memoryBytes'
  | 'projectPathKind'
  | 'windowsVersion'
  | 'wslDistro'
  | 'wslMemoryBytes'
  | 'wslVersion'
>;

/** What the rules look at for one machine; gathered by machine-health.ts, cheap to read. */
export interface HealthFacts {
  enrolledAt: number;
  environment: HealthEnvironment | null;
  /** The last known value of every tracked fact (its environment's `known_state`). */
  known: Readonly<Record<string, string>>;
  latestCollectedAt: number | null;
  /** Open or acknowledged regression alerts that still count this machine. */
  openAlerts: readonly { title: string; status: string }[];
  /** Bind-mount file work over the same work in a volume, from the latest mount benchmark. */
  mountSlowdown: number | null;
}

type Outcome = { result: Finding['result']; reason: string };
type Check = (facts: HealthFacts, rules: HealthRules, now: number) => Outcome;

const titles: Record<RuleName, string> = {
  daemon: 'Docker daemon',
  stale: 'Reporting',
  desktopMinimum: 'Docker Desktop version',
  wslBackend: 'WSL 2 engine',
  wslIntegration: 'WSL integration',
  memory: 'Memory for containers',
  projectLocation: 'Project location',
  openRegression: 'Benchmark regressions',
};

const checks: Record<RuleName, Check> = {
  daemon: checkDaemon,
  stale: checkStale,
  desktopMinimum: checkDesktopMinimum,
  wslBackend: checkWslBackend,
  wslIntegration: checkWslIntegration,
  memory: checkMemory,
  projectLocation: checkProjectLocation,
  openRegression: checkOpenRegression,
};

const order = Object.keys(titles) as RuleName[];

/** Every enabled rule's finding for one machine, failures first (red before amber). */
export function evaluateHealth(facts: HealthFacts, rules: HealthRules, now: number): Finding[] {
  const findings: Finding[] = [];
  for (const rule of order) {
    const config = rules[rule];
    if (!config.enabled) continue;

    const { result, reason } = checks[rule](facts, rules, now);
    findings.push({ rule, title: titles[rule], result, severity: config.severity, reason });
  }
  return findings.sort((a, b) => rank(a) - rank(b));
}

/** Red when a red rule fails, amber when only amber ones do, green otherwise. */
export function healthStatus(findings: readonly Finding[]): HealthStatus {
  const failed = findings.filter((f) => f.result === 'fail');
  if (failed.some((f) => f.severity === 'red')) return 'red';
  return failed.length > 0 ? 'amber' : 'green';
}

export function describeRules(rules: HealthRules): RuleInfo[] {
  const thresholds: Record<RuleName, string> = {
    daemon: 'reachable at the last report',
    stale: `a report in the last ${rules.stale.hours} h`,
    desktopMinimum: `${rules.desktopMinimum.version} or newer`,
    wslBackend: 'WSL 2 based engine on Windows',
    wslIntegration: "on for the developer's distribution",
    memory: `WSL ≥ ${rules.memory.minWslGiB} GiB, Desktop ≥ ${rules.memory.minDesktopGiB} GiB`,
    projectLocation: 'not on a Windows drive under /mnt',
    openRegression: 'no open regression alert',
  };
  return order.map((rule) => ({
    rule,
    title: titles[rule],
    severity: rules[rule].severity,
    enabled: rules[rule].enabled,
    threshold: thresholds[rule],
  }));
}

/** Compares dotted versions part by part as numbers: 4.9.0 < 4.34.0. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  const right = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff =
      (Number.isNaN(left[i]) ? 0 : (left[i] ?? 0)) - (Number.isNaN(right[i]) ? 0 : (right[i] ?? 0));
    if (diff !== 0) return diff;
  }
  return 0;
}

function rank(f: Finding): number {
  if (f.result !== 'fail') return f.result === 'pass' ? 2 : 3;
  return f.severity === 'red' ? 0 : 1;
}

const pass = (reason: string): Outcome => ({ result: 'pass', reason });
const fail = (reason: string): Outcome => ({ result: 'fail', reason });
const skip = (reason: string): Outcome => ({ result: 'skip', reason });

function checkDaemon({ environment: env }: HealthFacts): Outcome {
  if (!env) return skip('No report yet.');
  if (env.daemonState === 'running') return pass('The Docker daemon answered at the last report.');
  if (env.daemonState === 'not-installed') {
    return fail('Docker is not installed (no docker CLI found): install Docker Desktop.');
  }
  const detail = env.daemonError ? ` (${clip(env.daemonError, 160)})` : '';
  return fail(
    `The Docker daemon was unreachable at the last report${detail}: start Docker Desktop and wait until it says "Engine running".`,
  );
}

function checkStale(facts: HealthFacts, rules: HealthRules, now: number): Outcome {
  const { latestCollectedAt } = facts;
  if (latestCollectedAt === null) {
    return fail(
      `Enrolled ${formatAge(now - facts.enrolledAt)} ago but never reported: run devfleet-agent report on it.`,
    );
  }
  const age = now - latestCollectedAt;
  if (age > rules.stale.hours * HOUR_MS) {
    return fail(
      `No report for ${formatAge(age)} (last ${formatDay(latestCollectedAt)}): check that the agent still runs on schedule.`,
    );
  }
  return pass(`Last report ${formatAge(age)} ago.`);
}

function checkDesktopMinimum(facts: HealthFacts, rules: HealthRules): Outcome {
  const minimum = rules.desktopMinimum.version;
  const version = facts.environment?.desktopVersion ?? facts.known.desktopVersion ?? null;
  if (version === null) {
    return facts.environment?.backend === 'native'
      ? skip('Docker Engine runs natively: no Docker Desktop.')
      : skip('No Docker Desktop version reported.');
  }
  if (compareVersions(version, minimum) < 0) {
    return fail(
      `Docker Desktop ${version} is older than the team minimum ${minimum}: update it (Settings → Software updates).`,
    );
  }
  return pass(`Docker Desktop ${version} (minimum ${minimum}).`);
}

function onWindowsDesktop(facts: HealthFacts): boolean {
  const env = facts.environment;
  if (!env) return false;
  const windows = env.platform === 'win32' || env.windowsVersion !== null;
  return windows && (env.desktopVersion ?? facts.known.desktopVersion) !== undefined;
}

function checkWslBackend(facts: HealthFacts): Outcome {
  if (!onWindowsDesktop(facts)) return skip('Not Docker Desktop on Windows.');

  const enabled = facts.known['desktop.wslEngineEnabled'];
  const backend = facts.environment?.backend ?? null;
  if (enabled === 'false' || backend === 'linuxkit') {
    return fail(
      'Docker Desktop runs on Hyper-V, not WSL 2: turn on Settings → General → "Use the WSL 2 based engine".',
    );
  }
  return pass('Docker Desktop runs on the WSL 2 based engine.');
}

function checkWslIntegration(facts: HealthFacts): Outcome {
  if (!onWindowsDesktop(facts)) return skip('Not Docker Desktop on Windows.');

  const distro = facts.environment?.wslDistro ?? null;
  const listed = facts.known['desktop.integratedWslDistros'];
  if (distro === null || listed === undefined)
    return skip('No WSL distribution or Desktop settings reported.');
  if (distro.startsWith('docker-desktop'))
    return skip(`${distro} is Docker Desktop's own distribution.`);

  const integrated = listed.split(', ').includes(distro);
  // TODO(#6): the default-distro switch covers only the default distribution; the facts do not
  // say whether the developer's distribution is the default one, so it is taken to be.
  const viaDefault = facts.known['desktop.integrationWithDefaultDistro'] === 'true';
  if (!integrated && !viaDefault) {
    return fail(
      `WSL integration is off for ${distro}, the distribution this developer works in: docker fails inside it. Turn it on in Settings → Resources → WSL integration.`,
    );
  }
  return pass(`WSL integration is on for ${distro}.`);
}

function checkMemory(facts: HealthFacts, rules: HealthRules): Outcome {
  const env = facts.environment;
  if (!env) return skip('No report yet.');
  const { minWslGiB, minDesktopGiB } = rules.memory;

  if (env.backend === 'wsl2' || (env.wslVersion !== null && env.backend !== 'linuxkit')) {
    if (env.wslMemoryBytes === null) {
      return pass(
        `No WSL memory limit in .wslconfig: WSL may use half of the ${formatGiB(env.memoryBytes)} RAM.`,
      );
    }
    if (env.wslMemoryBytes < minWslGiB * GIB) {
      return fail(
        `WSL may use only ${formatGiB(env.wslMemoryBytes)} (.wslconfig [wsl2] memory): builds run out of memory. Set memory=${Math.max(8, minWslGiB)}GB in %UserProfile%\\.wslconfig, then run wsl --shutdown.`,
      );
    }
    return pass(`WSL may use ${formatGiB(env.wslMemoryBytes)} (.wslconfig).`);
  }

  if (env.desktopMemoryMiB !== null) {
    const bytes = env.desktopMemoryMiB * 1024 ** 2;
    if (bytes < minDesktopGiB * GIB) {
      return fail(
        `Docker Desktop may use only ${formatGiB(bytes)}: raise Settings → Resources → Memory to at least ${minDesktopGiB} GiB.`,
      );
    }
    return pass(`Docker Desktop may use ${formatGiB(bytes)}.`);
  }
  return skip('No memory limit applies (native engine or no Desktop settings).');
}

const pathKindLabels: Record<string, string> = {
  'wsl-ext4': 'in the WSL file system',
  'macos-host': 'on the Mac, shared into Docker Desktop',
  linux: 'on the Linux host',
  windows: 'on Windows',
  volume: 'in a Docker volume',
  container: 'inside a container',
};

function checkProjectLocation(facts: HealthFacts): Outcome {
  const kind = facts.environment?.projectPathKind ?? null;
  // Projects timed with `devfleet-agent time` each say where they live (project.<name>.location).
  const onDrive: string[] = [];
  for (const key in facts.known) {
    if (facts.known[key] === 'windows-drive-via-wsl' && key.startsWith('project.')) {
      onDrive.push(key.slice('project.'.length, -'.location'.length));
    }
  }
  const measured =
    facts.mountSlowdown !== null && facts.mountSlowdown > 1
      ? `: file work through the bind mount is ${facts.mountSlowdown.toFixed(1)}× slower than in a volume`
      : '';
  const move = 'Move it into the WSL file system (e.g. ~/src in the distribution).';

  if (kind === 'windows-drive-via-wsl') {
    return fail(
      `Project sources are on a Windows drive mounted into WSL (/mnt/c)${measured}. ${move}`,
    );
  }
  if (onDrive.length > 0) {
    const names = onDrive.slice(0, 3).join(', ') + (onDrive.length > 3 ? ', …' : '');
    return fail(`Builds of ${names} run from a Windows drive mounted into WSL (/mnt/c). ${move}`);
  }
  if (kind === null || kind === 'unknown') return skip('No project location reported yet.');
  return pass(`Project sources are ${pathKindLabels[kind] ?? kind}.`);
}

function checkOpenRegression({ openAlerts }: HealthFacts): Outcome {
  if (openAlerts.length === 0) return pass('No open regression alert.');
  const first = openAlerts[0];
  const more = openAlerts.length > 1 ? ` (and ${openAlerts.length - 1} more)` : '';
  return fail(
    `${first?.status === 'acknowledged' ? 'Acknowledged' : 'Open'} regression: ${first?.title}${more}.`,
  );
}

function formatGiB(bytes: number): string {
  const gib = bytes / GIB;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

function formatAge(ms: number): string {
  const hours = Math.max(0, Math.round(ms / HOUR_MS));
  if (hours < 1) return 'less than an hour';
  if (hours < 48) return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  return `${Math.round(hours / 24)} days`;
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
