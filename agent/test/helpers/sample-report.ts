import { randomUUID } from 'node:crypto';

import { SCHEMA_VERSION, type Report } from '@devfleet/wire';

/** A small valid report, as a machine without docker would send it. */
export function sampleReport(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    reportId: randomUUID(),
    collectedAt: new Date().toISOString(),
    agentVersion: '0.1.0',
    host: {
      hostname: 'dev-laptop',
      platform: 'linux',
      osName: 'Debian GNU/Linux 12',
      release: '6.1.0',
      arch: 'x64',
      cpus: 8,
      memoryBytes: 16 * 1024 ** 3,
      user: 'dev',
      wsl: null,
    },
    docker: {
      daemon: { state: 'not-installed', error: null },
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
    ...overrides,
  };
}
