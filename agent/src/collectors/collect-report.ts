import { randomUUID } from 'node:crypto';

import type { Report } from '@devfleet/wire';

import { AgentError } from '../config/agent-error.js';
import { reportSchema, SCHEMA_VERSION } from '../validation/validators.js';
import type { CollectContext } from './context.js';
import { collectInstalledDesktop } from './desktop-install.js';
import { collectDocker } from './docker.js';
import { collectHost } from './host.js';
import { collectWindows } from './windows.js';

const MAX_PROBLEMS = 128;

/**
 * Gathers everything a report carries. Collectors never throw for what they find on a machine;
 * they leave problems in the report instead. What does throw here is a report that breaks the
 * wire schema, which is a bug in the agent and must not reach the server.
 */
export async function collectReport(
  context: CollectContext & { agentVersion: string },
): Promise<Report> {
  const collectedAt = new Date().toISOString();
  const started = performance.now();

  // Only the Windows side waits for the host facts (it needs to know about WSL interop); docker
  // runs alongside both, so hanging commands cost overlapping timeouts rather than a sum.
  const hostFacts = collectHost(context);
  const [host, docker, windows] = await Promise.all([
    hostFacts,
    collectDocker(context),
    hostFacts.then((facts) => collectWindows(context, facts.host)),
  ]);

  // With the daemon down `docker version` names no Desktop: ask the installation instead.
  // A running engine that names no Desktop is a plain engine: nothing to look up then.
  const installed =
    docker.docker.desktop || docker.docker.daemon.state === 'running'
      ? { desktop: null, problems: [] }
      : await collectInstalledDesktop(context, process.platform, {
          windowsInterop: host.host.wsl?.interop === true,
        });
  if (installed.desktop) docker.docker.desktop = installed.desktop;

  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    reportId: randomUUID(),
    collectedAt,
    agentVersion: context.agentVersion,
    host: host.host,
    docker: docker.docker,
    wsl: windows.wsl,
    desktopSettings: windows.desktopSettings,
    problems: [
      ...host.problems,
      ...docker.problems,
      ...windows.problems,
      ...installed.problems,
    ].slice(0, MAX_PROBLEMS),
  };

  context.debug(`collected in ${Math.round(performance.now() - started)} ms`);
  assertValidReport(report);
  return report;
}

export function assertValidReport(report: unknown): asserts report is Report {
  if (reportSchema.check(report)) return;

  const errors = reportSchema
    .errors(report)
    .slice(0, 5)
    .map((error) => `${error.instancePath || '/'} ${error.message}`);
  throw new AgentError(
    'AGENT_REPORT_INVALID',
    `the collected report does not match the wire schema (a bug in the agent): ${errors.join('; ')}`,
  );
}
