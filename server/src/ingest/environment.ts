import type { Report } from '@devfleet/wire';

import type { environments } from '../db/schema.js';
import { cleanStrings } from './clean-text.js';

export type EnvironmentRow = typeof environments.$inferInsert;

/** The normalized columns of an environment, as one report shows it. */
export type DerivedEnvironment = Omit<
  EnvironmentRow,
  'id' | 'fingerprint' | 'raw' | 'facts' | 'knownState' | 'projectPaths'
>;

/**
 * Derives the normalized facts of one report: the columns that pages and detection read.
 * `projectPathKind` is where the project lives, from this report or, when it carries no
 * benchmark or build to tell, as last known.
 */
export function deriveEnvironment(
  report: Report,
  machineId: string,
  { collectedAt, receivedAt }: { collectedAt: number; receivedAt: number },
  projectPathKind: string | null,
): DerivedEnvironment {
  const { host, docker, wsl } = report;

  // The raw report keeps what was sent; the facts pages, exports and alerts read are cleaned.
  return cleanStrings({
    reportId: report.reportId,
    machineId,
    collectedAt,
    receivedAt,
    hostname: host.hostname,
    user: host.user,
    platform: host.platform,
    osName: host.osName,
    osRelease: host.release,
    arch: host.arch,
    cpus: host.cpus,
    memoryBytes: host.memoryBytes,
    daemonState: docker.daemon.state,
    daemonError: docker.daemon.error || null,
    desktopVersion: docker.desktop?.version ?? null,
    desktopBuild: docker.desktop?.build ?? null,
    engineVersion: docker.server?.version ?? docker.engine?.serverVersion ?? null,
    clientVersion: docker.client?.version ?? null,
    dockerContext: docker.client?.context ?? null,
    engineOsType: docker.engine?.osType ?? docker.server?.os ?? null,
    engineKernel: docker.engine?.kernelVersion ?? docker.server?.kernelVersion ?? null,
    backend: docker.engine?.backend ?? null,
    engineCpus: docker.engine?.cpus ?? null,
    engineMemoryBytes: docker.engine?.memoryBytes ?? null,
    storageDriver: docker.engine?.storageDriver ?? null,
    wslVersion: wsl?.version ?? null,
    wslKernel: wsl?.kernelVersion ?? null,
    windowsVersion: wsl?.windowsVersion ?? null,
    wslDistro: host.wsl?.distro ?? wsl?.defaultDistro ?? null,
    wslMemoryBytes: wslConfigBytes(report, 'memory'),
    wslProcessors: wslConfigNumber(report, 'processors'),
    desktopMemoryMiB: report.desktopSettings?.memoryMiB ?? null,
    desktopCpus: report.desktopSettings?.cpus ?? null,
    fileSharing: report.desktopSettings?.fileSharing ?? null,
    projectPathKind,
  });
}

function wslConfigEntry(report: Report, key: string) {
  // WSL reads these only from [wsl2]; the same key under another section is ignored by WSL.
  return report.wsl?.config.find(
    (e) => e.section.toLowerCase() === 'wsl2' && e.key.toLowerCase() === key,
  );
}

function wslConfigBytes(report: Report, key: string): number | null {
  return wslConfigEntry(report, key)?.bytes ?? null;
}

function wslConfigNumber(report: Report, key: string): number | null {
  const value = Number(wslConfigEntry(report, key)?.value);
  return Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * Where the developer's code lives, as the bind-mount benchmark found it (it measures next to
 * where the code is); null when the report has no mount benchmark. Timed builds say where each
 * project lives instead (ingest/project-paths.ts): a developer with one project on /mnt/c and
 * one in WSL is not a machine whose code moves back and forth with every build.
 */
export function reportPathKind(report: Pick<Report, 'benchmarks'>): string | null {
  const mount = report.benchmarks?.find((b) => b.kind === 'mount' && b.status === 'ok');
  return mount && mount.pathKind !== 'unknown' ? mount.pathKind : null;
}
