import type { BuildRecord, Report } from '@devfleet/wire';

import { ENROLL_SECRET } from '../helpers/processes.js';

/** Enrolls a machine as its agent would and returns the key its reports are signed with. */
export async function enroll(url: string, hostname: string, user: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret: ENROLL_SECRET, hostname, user }),
  });
  if (!res.ok) throw new Error(`enroll refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { machineKey: string }).machineKey;
}

export async function sendReport(url: string, machineKey: string, report: Report): Promise<void> {
  const res = await fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${machineKey}` },
    body: JSON.stringify(report),
  });
  if (!res.ok) throw new Error(`report refused: ${res.status} ${await res.text()}`);
}

/** A Mac without Docker Desktop's daemon answering: the smallest report the server accepts. */
export function macReport(
  hostname: string,
  user: string,
  collectedAt: Date,
  builds: BuildRecord[] = [],
): Report {
  return {
    schemaVersion: 1,
    reportId: `report-${hostname}-${collectedAt.getTime()}`,
    collectedAt: collectedAt.toISOString(),
    agentVersion: '0.1.0',
    host: {
      hostname,
      platform: 'darwin',
      osName: 'macOS 15.1',
      release: '24.1.0',
      arch: 'arm64',
      cpus: 10,
      memoryBytes: 32 * 1024 ** 3,
      user,
      wsl: null,
    },
    docker: {
      daemon: { state: 'unreachable', error: 'Cannot connect to the Docker daemon' },
      client: null,
      server: null,
      desktop: null,
      engine: null,
      plugins: [],
      warnings: [],
    },
    wsl: null,
    desktopSettings: null,
    problems: [],
    builds,
  };
}

/** A build timed by `devfleet-agent time`, finished at `at`. */
export function timedBuild(name: string, at: Date, durationMs: number): BuildRecord {
  return {
    id: `build-${name}-${at.getTime()}`,
    source: 'time',
    name,
    command: 'make',
    startedAt: new Date(at.getTime() - durationMs).toISOString(),
    durationMs,
    exitCode: 0,
    succeeded: true,
    fingerprint: null,
    pathKind: 'macos-host',
    cacheRatio: null,
  };
}
