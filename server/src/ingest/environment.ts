import type { Report } from '@devfleet/wire';

import type { environments } from '../db/schema.js';

export type EnvironmentRow = typeof environments.$inferInsert;

/** Derives the normalized facts of one report: the columns that pages and detection read. */
export function deriveEnvironment(
  report: Report,
  machineId: string,
  receivedAt: number,
): EnvironmentRow {
  const { host, docker, wsl } = report;

  return {
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
    daemonError: docker.daemon.error,
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
  };
}
