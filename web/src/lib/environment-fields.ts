import type { DaemonState, Environment } from '@devfleet/wire';

import { formatBytes, formatDateTime } from './format.js';

// Change fields are named by the server: environment columns, Docker Desktop settings
// (`desktop.*`) and .wslconfig keys (`wslconfig.<section>.<key>`). A field without a label here
// is shown as sent, so a fact the server starts tracking never breaks this page.
const fieldLabels: Record<string, string | undefined> = {
  reportId: 'Report',
  collectedAt: 'Same since',
  lastCollectedAt: 'Last report',
  receivedAt: 'Received at',
  hostname: 'Host name',
  user: 'User',
  platform: 'Platform',
  osName: 'Operating system',
  osRelease: 'OS release',
  arch: 'Architecture',
  cpus: 'CPUs',
  memoryBytes: 'Memory',
  daemonState: 'Docker daemon',
  daemonError: 'Daemon error',
  desktopVersion: 'Docker Desktop',
  desktopBuild: 'Docker Desktop build',
  engineVersion: 'Docker Engine',
  clientVersion: 'Docker CLI',
  dockerContext: 'Docker context',
  engineOsType: 'Engine OS type',
  engineKernel: 'Engine kernel',
  backend: 'Backend',
  engineCpus: 'Engine CPUs',
  engineMemoryBytes: 'Engine memory',
  storageDriver: 'Storage driver',
  wslVersion: 'WSL',
  wslKernel: 'WSL kernel',
  windowsVersion: 'Windows version',
  wslDistro: 'WSL distribution',
  projectPathKind: 'Project location',
  'desktop.memoryMiB': 'Desktop memory limit',
  'desktop.swapMiB': 'Desktop swap',
  'desktop.cpus': 'Desktop CPU limit',
  'desktop.fileSharing': 'Desktop file sharing',
  'desktop.wslEngineEnabled': 'WSL 2 based engine',
  'desktop.integratedWslDistros': 'Integrated WSL distributions',
  'desktop.filesharingDirectories': 'Shared directories',
};

export const daemonStateLabels: Record<DaemonState, string> = {
  running: 'running',
  unreachable: 'unreachable',
  'not-installed': 'not installed',
};

// How many bytes one unit of the field's value is.
const byteFields = new Map<string, number>([
  ['memoryBytes', 1],
  ['engineMemoryBytes', 1],
  ['desktop.memoryMiB', 1024 ** 2],
  ['desktop.swapMiB', 1024 ** 2],
]);

const wslConfigPrefix = 'wslconfig.';

export interface DetailItem {
  field: keyof Environment;
  label: string;
  value: string | null;
  /** The latest report could not tell: what an earlier one showed, and until when. */
  lastKnown?: { value: string; until: string };
}

// The versions the fleet's inventory counts by their last known value.
const knownFields = new Set<keyof Environment>(['desktopVersion', 'engineVersion', 'wslVersion']);

export interface DetailGroup {
  title: 'Host' | 'Docker' | 'WSL';
  items: DetailItem[];
}

/** "Docker Desktop" for `desktopVersion`, ".wslconfig [wsl2] memory" for a config key. */
export function labelField(field: string): string {
  const label = Object.hasOwn(fieldLabels, field) ? fieldLabels[field] : undefined;
  if (label !== undefined) return label;

  if (field.startsWith(wslConfigPrefix)) {
    const [section, ...key] = field.slice(wslConfigPrefix.length).split('.');
    if (section && key.length > 0) return `.wslconfig [${section}] ${key.join('.')}`;
  }

  return field;
}

/** A changed value as text: memory sizes arrive as plain numbers of bytes or MiB. */
export function formatFieldValue(field: string, value: string | null): string | null {
  if (value === null) return null;
  if (field === 'daemonState' && Object.hasOwn(daemonStateLabels, value)) {
    return daemonStateLabels[value as DaemonState];
  }

  const unit = byteFields.get(field);
  const amount = Number(value);
  if (unit === undefined || value.trim() === '' || !Number.isFinite(amount)) return value;

  return formatBytes(amount * unit);
}

/** `history`: the machine's environments, newest first, for what the latest could not tell. */
export function groupEnvironment(env: Environment, history: Environment[] = []): DetailGroup[] {
  const item = (field: keyof Environment, value: string | null = text(env[field])): DetailItem => ({
    field,
    label: labelField(field),
    value,
    lastKnown: value === null && knownFields.has(field) ? lastKnown(history, field) : undefined,
  });

  return [
    {
      title: 'Host',
      items: [
        item('hostname'),
        item('user'),
        item('osName', `${env.osName} ${env.osRelease}`.trim()),
        item('windowsVersion'),
        item('platform'),
        item('arch'),
        item('cpus'),
        item('memoryBytes', formatBytes(env.memoryBytes)),
        item('lastCollectedAt', formatDateTime(env.lastCollectedAt)),
        item('collectedAt', formatDateTime(env.collectedAt)),
      ],
    },
    {
      title: 'Docker',
      items: [
        item('daemonState'),
        item('desktopVersion', joinBuild(env.desktopVersion, env.desktopBuild)),
        item('engineVersion'),
        item('clientVersion'),
        item('backend'),
        item('dockerContext'),
        item('engineOsType'),
        item('engineKernel'),
        item('engineCpus'),
        item('engineMemoryBytes', nullable(env.engineMemoryBytes, formatBytes)),
        item('storageDriver'),
      ],
    },
    {
      title: 'WSL',
      items: [item('wslVersion'), item('wslKernel'), item('wslDistro')],
    },
  ];
}

/** "4.38.0 (build 181591)", or the version alone when the build is unknown. */
export function joinBuild(version: string | null, build: string | null): string | null {
  if (version === null) return null;

  return build === null ? version : `${version} (build ${build})`;
}

function lastKnown(history: Environment[], field: keyof Environment): DetailItem['lastKnown'] {
  const earlier = history.find((e) => e[field] !== null);
  const value = earlier ? text(earlier[field]) : null;

  return earlier && value !== null ? { value, until: earlier.lastCollectedAt } : undefined;
}

function text(value: string | number | null): string | null {
  return value === null ? null : String(value);
}

function nullable<T>(value: T | null, format: (value: T) => string): string | null {
  return value === null ? null : format(value);
}
