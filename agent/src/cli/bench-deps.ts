import path from 'node:path';

import type { BuildRecord, Report } from '@devfleet/wire';
import type { Command } from 'commander';

import { collectReport } from '../collectors/collect-report.js';
import { defaultConfigPath, loadConfig } from '../config/agent-config.js';
import { sendReport } from '../sending/send-report.js';
import type { BenchCommandDeps } from './bench-command.js';
import { collectContext } from './global-options.js';

/** The facts a build's fingerprint is made of: what can make the same build slower. */
export function fingerprintFacts(report: Report): Record<string, string> {
  const facts: Record<string, string | null | undefined> = {
    desktopVersion: report.docker.desktop?.version,
    desktopBuild: report.docker.desktop?.build,
    engineVersion: report.docker.server?.version ?? report.docker.engine?.serverVersion,
    engineKernel: report.docker.engine?.kernelVersion,
    backend: report.docker.engine?.backend,
    wslVersion: report.wsl?.version,
    wslKernel: report.wsl?.kernelVersion,
    windowsVersion: report.wsl?.windowsVersion,
    osRelease: report.host.release,
  };
  return Object.fromEntries(
    Object.entries(facts).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}

/**
 * Wires the benchmark and build commands to collection and sending. The environment is collected
 * once, while the build runs, and the same snapshot goes into the fingerprint and the report
 * that carries the build: both describe the machine the build ran on.
 */
export function createBenchDeps(
  program: Command,
  setExitCode: (code: number) => void,
): BenchCommandDeps {
  let snapshot: Promise<Report> | undefined;
  const environment = () => (snapshot ??= collectReport(collectContext(program)));

  return {
    // Read when a command runs, after --home has set DEVFLEET_AGENT_HOME.
    get home() {
      return path.dirname(defaultConfigPath());
    },
    setExitCode,
    environmentFacts: async () => fingerprintFacts(await environment()),
    send: async (record: BuildRecord) => {
      const config = await loadConfig(defaultConfigPath());
      const report = { ...(await environment()), reportId: crypto.randomUUID(), builds: [record] };
      await sendReport(config, report);
      return true;
    },
  };
}
