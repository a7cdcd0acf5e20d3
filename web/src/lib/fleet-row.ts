import type { FleetMachine, VersionField } from '@devfleet/wire';

/** A version as the fleet table shows it, and whether it comes from an earlier report. */
export interface ShownVersion {
  version: string | null;
  /** The latest report could not tell (daemon down): this is the version known before. */
  lastKnown: boolean;
}

const versionFields: readonly VersionField[] = ['desktopVersion', 'engineVersion', 'wslVersion'];

/**
 * The version the fleet table and its filter use: the latest report's, else the last known one.
 * The inventory counts machines by their last known versions, so the two agree.
 */
export function shownVersion(machine: FleetMachine, field: VersionField): ShownVersion {
  const latest = machine.environment?.[field] ?? null;
  if (latest !== null) return { version: latest, lastKnown: false };

  const known = knownVersions(machine)[field] ?? null;
  return { version: known, lastKnown: known !== null };
}

/** When the machine last reported: the end of its latest environment's run of reports. */
export function lastReportAt(machine: FleetMachine): string | null {
  const env = machine.environment;
  if (!env) return null;
  const last: unknown = (env as { lastCollectedAt?: unknown }).lastCollectedAt;

  // `collectedAt` is when the latest environment was first seen, which can be weeks back.
  return typeof last === 'string' ? last : env.collectedAt;
}

// `known` (last known versions) and `lastCollectedAt` are fields the fleet row's schema does not
// declare yet (wire FleetMachine): read them defensively so the table uses them once sent.
function knownVersions(machine: FleetMachine): Partial<Record<VersionField, string>> {
  const known: unknown = (machine as { known?: unknown }).known;
  if (typeof known !== 'object' || known === null) return {};

  const versions: Partial<Record<VersionField, string>> = {};
  for (const field of versionFields) {
    const value: unknown = (known as Record<string, unknown>)[field];
    if (typeof value === 'string') versions[field] = value;
  }
  return versions;
}
