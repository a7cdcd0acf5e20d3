import type { DaemonState, MachineSummary } from '@devfleet/wire';

import { parseTime } from './format.js';

export type SortKey =
  'host' | 'owner' | 'os' | 'desktop' | 'engine' | 'wsl' | 'memory' | 'daemon' | 'lastSeen';

export type SortDirection = 'ascending' | 'descending';

export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

// Ascending puts the machines that need a look first.
const daemonRank: Record<DaemonState, number> = {
  unreachable: 0,
  'not-installed': 1,
  running: 2,
};

// Numeric collation orders versions by their parts: 4.9.0 before 4.38.0.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The direction a first click on a column sorts by: the newest and the largest first. */
export function firstDirection(key: SortKey): SortDirection {
  return key === 'lastSeen' || key === 'memory' ? 'descending' : 'ascending';
}

/** A sorted copy; machines without a value for the column stay last in either direction. */
export function sortMachines(machines: MachineSummary[], order: SortOrder): MachineSummary[] {
  const sign = order.direction === 'ascending' ? 1 : -1;

  return [...machines].sort((a, b) => {
    const left = sortValue(a, order.key);
    const right = sortValue(b, order.key);
    if (left === null || right === null) {
      if (left !== right) return left === null ? 1 : -1;
    } else {
      const compared = compareValues(left, right);
      if (compared !== 0) return sign * compared;
    }

    return collator.compare(a.hostname, b.hostname) || collator.compare(a.id, b.id);
  });
}

function compareValues(left: string | number, right: string | number): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;

  return collator.compare(String(left), String(right));
}

function sortValue(machine: MachineSummary, key: SortKey): string | number | null {
  const env = machine.environment;
  switch (key) {
    case 'host':
      return machine.hostname;
    case 'owner':
      return machine.owner;
    case 'os':
      return env && `${env.osName} ${env.arch}`;
    case 'desktop':
      return env?.desktopVersion ?? null;
    case 'engine':
      return env?.engineVersion ?? null;
    case 'wsl':
      return env?.wslVersion ?? null;
    case 'memory':
      return env?.memoryBytes ?? null;
    case 'daemon':
      return env && daemonRank[env.daemonState];
    case 'lastSeen':
      return parseTime(machine.lastSeenAt);
  }
}
