import type { Report } from '@devfleet/wire';

import type { environments } from '../db/schema.js';
import { cleanStrings } from './clean-text.js';

export type EnvironmentRow = typeof environments.$inferInsert;

/** Derives the normalized facts of one report: the columns that pages and detection read. */
export function deriveEnvironment(
  report: Report,
  machineId: string,
  receivedAt: number,
): EnvironmentRow {
  const { host, docker, wsl } = report;

  // The raw report keeps what was sent; the facts pages, exports and alerts read are cleaned.
  return cleanStrings({
    reportId: report.reportId,
    machineId,
    collectedAt: Date.parse(report.collectedAt),
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
    projectPathKind: projectPathKind(report),
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

/** Where the developer's code lives, from the bind-mount benchmark or the latest timed build. */
function projectPathKind(report: Report): string | null {
  const mount = report.benchmarks?.find((b) => b.kind === 'mount' && b.status === 'ok');
  if (mount && mount.pathKind !== 'unknown') return mount.pathKind;
  const build = report.builds?.findLast((b) => b.source === 'time' && b.pathKind !== 'unknown');
  return build?.pathKind ?? null;
}
