import type { FleetMachine, HealthStatus } from '@devfleet/wire';

import { shownVersion } from './fleet-row.js';

/** The fleet page's filters; '' means any. They live in the address (`#/?status=red`). */
export interface FleetFilter {
  status: HealthStatus | '';
  os: string;
  version: string;
  user: string;
}

export const filterKeys = ['status', 'os', 'version', 'user'] as const;

const statuses: readonly string[] = ['green', 'amber', 'red'];

export function readFilter(search: string): FleetFilter {
  const query = new URLSearchParams(search);
  const status = query.get('status') ?? '';
  return {
    status: statuses.includes(status) ? (status as HealthStatus) : '',
    os: query.get('os') ?? '',
    version: query.get('version') ?? '',
    user: query.get('user') ?? '',
  };
}

export function filterSearch(filter: FleetFilter): string {
  const query = new URLSearchParams();
  for (const key of filterKeys) if (filter[key]) query.set(key, filter[key]);
  return query.toString();
}

/** "Windows", "macOS", "Linux": what a team lead filters by, not the exact release. */
export function osFamily(machine: FleetMachine): string {
  const platform = machine.environment?.platform;
  if (platform === 'win32') return 'Windows';
  if (platform === 'darwin') return 'macOS';
  if (platform === 'linux') return machine.environment?.wslDistro ? 'Linux (WSL)' : 'Linux';
  return platform ?? 'No report';
}

export const NO_DESKTOP = 'none';

/** The Docker Desktop version the filter matches: the last known one if the latest can't tell. */
export function desktopVersion(machine: FleetMachine): string {
  return shownVersion(machine, 'desktopVersion').version ?? NO_DESKTOP;
}

export function filterMachines(machines: FleetMachine[], filter: FleetFilter): FleetMachine[] {
  return machines.filter(
    (m) =>
      (!filter.status || m.status === filter.status) &&
      (!filter.os || osFamily(m) === filter.os) &&
      (!filter.version || desktopVersion(m) === filter.version) &&
      (!filter.user || m.owner === filter.user),
  );
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function filterOptions(machines: FleetMachine[]) {
  const unique = (values: string[]) => [...new Set(values)].sort(collator.compare);
  return {
    os: unique(machines.map(osFamily)),
    version: unique(machines.map(desktopVersion)).reverse(),
    user: unique(machines.map((m) => m.owner)),
  };
}

const statusRank: Record<HealthStatus, number> = { red: 0, amber: 1, green: 2 };

/** Unhealthy first, then by host name: the machines that need a look at the top. */
export function byStatus(a: FleetMachine, b: FleetMachine): number {
  return statusRank[a.status] - statusRank[b.status] || collator.compare(a.hostname, b.hostname);
}
