import type { Report } from '@devfleet/wire';

import { cleanText } from './clean-text.js';
import type { DerivedEnvironment } from './environment.js';

/** The environment columns whose movement is a change event, in the order a person reads them. */
export const trackedColumns = [
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
  'projectPathKind',
] as const satisfies readonly (keyof DerivedEnvironment)[];

/**
 * A fact's value in one report: a string when known, null when the report shows it unset (a
 * key removed from .wslconfig), absent when the report cannot tell (no WSL output at all).
 */
export type Facts = Record<string, string | null>;

/** Every fact of a report that can change: the tracked columns plus config keys by name. */
export function reportFacts(report: Report, env: DerivedEnvironment): Facts {
  const facts: Facts = {};

  for (const column of trackedColumns) {
    const value = env[column];
    if (value !== null && value !== undefined && value !== '') facts[column] = String(value);
  }
  // A new agent may measure differently (it subtracts the cost of timing a phase since 0.2):
  // its update is a change a step in the benchmarks can be attributed to.
  facts.agentVersion = cleanText(report.agentVersion);

  // .wslconfig: when the agent read WSL at all, a key missing from the file is "unset", which
  // is itself a change worth seeing (someone deleted memory=8GB).
  if (report.wsl) {
    for (const entry of report.wsl.config) {
      const key = cleanText(`wslconfig.${entry.section}.${entry.key}`.toLowerCase());
      facts[key] = cleanText(entry.value);
    }
  }

  const settings = report.desktopSettings;
  if (settings) {
    facts['desktop.memoryMiB'] = nullableText(settings.memoryMiB);
    facts['desktop.cpus'] = nullableText(settings.cpus);
    facts['desktop.swapMiB'] = nullableText(settings.swapMiB);
    facts['desktop.fileSharing'] = nullableText(settings.fileSharing);
    facts['desktop.wslEngineEnabled'] = nullableText(settings.wslEngineEnabled);
    facts['desktop.integratedWslDistros'] = cleanText(
      [...settings.integratedWslDistros].sort().join(', '),
    );
    facts['desktop.integrationWithDefaultDistro'] = nullableText(
      settings.integrationWithDefaultDistro,
    );
    facts['desktop.filesharingDirectories'] = cleanText(
      [...settings.filesharingDirectories].sort().join(', '),
    );
  }

  return facts;
}

/** Which fact keys a report speaks for, so that a key it does not list counts as unset. */
export function factScopes(report: Report): string[] {
  const scopes: string[] = [];
  if (report.wsl) scopes.push('wslconfig.');
  return scopes;
}

function nullableText(value: string | number | boolean | null): string | null {
  return value === null ? null : cleanText(String(value));
}
