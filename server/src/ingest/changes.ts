import type { EnvironmentRow } from './environment.js';

/** The environment facts whose movement is a change event, in the order a person reads them. */
export const trackedFields = [
  'desktopVersion',
  'desktopBuild',
  'engineVersion',
  'clientVersion',
  'dockerContext',
  'backend',
  'engineKernel',
  'engineCpus',
  'engineMemoryBytes',
  'storageDriver',
  'wslVersion',
  'wslKernel',
  'windowsVersion',
  'wslDistro',
  'osName',
  'osRelease',
  'cpus',
  'memoryBytes',
] as const satisfies readonly (keyof EnvironmentRow)[];

export type KnownState = Record<string, string>;

export interface FieldChange {
  field: string;
  from: string | null;
  to: string;
}

/**
 * Compares a report's facts with what was last known of the machine. A fact the report does not
 * know (null: daemon down, no WSL output) is not a change: an unknown value says nothing about
 * whether Docker Desktop was updated, and recording "4.37.1 → null" would raise false events.
 */
export function diffEnvironment(
  known: KnownState,
  env: EnvironmentRow,
): { changes: FieldChange[]; known: KnownState } {
  const next: KnownState = { ...known };
  const changes: FieldChange[] = [];

  for (const field of trackedFields) {
    const value = env[field];
    if (value === null || value === undefined || value === '') continue;

    const text = String(value);
    const previous = known[field];
    // The first sighting of a fact is the baseline, not an event.
    if (previous !== undefined && previous !== text) {
      changes.push({ field, from: previous, to: text });
    }
    next[field] = text;
  }

  return { changes, known: next };
}
