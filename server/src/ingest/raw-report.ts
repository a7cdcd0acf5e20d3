import { createHash } from 'node:crypto';

import type { Report } from '@devfleet/wire';

/**
 * A report as stored: the environment part (host, docker, wsl, desktopSettings), which a run of
 * reports of one machine shares and its environment row keeps once, and the rest, which each
 * report keeps. Hourly reports are mostly environment, so this is most of what keeps a year of
 * them small.
 */
export interface SplitReport {
  environment: string;
  rest: string;
}

export function splitReport(report: Report): SplitReport {
  const { host, docker, wsl, desktopSettings, ...rest } = report;
  return {
    environment: JSON.stringify({ host, docker, wsl, desktopSettings }),
    rest: JSON.stringify(rest),
  };
}

/**
 * The report as the server accepted it, from a report's stored `raw` and its environment's.
 * Rows stored before environments were shared hold the whole report and no environment part.
 */
export function joinReport(rest: string, environment: string | null): Report {
  const body = JSON.parse(rest) as Report;
  if (environment === null) return body;
  return { ...body, ...(JSON.parse(environment) as Partial<Report>) } as Report;
}

/**
 * Identifies an environment: its part of the report as sent and where the code lives (which
 * comes from benchmarks and builds: the projects' locations as JSON). Equal fingerprints mean
 * equal derived facts.
 */
export function environmentFingerprint(
  environment: string,
  projectPathKind: string | null,
  projectPaths: string,
): string {
  return createHash('sha256')
    .update(environment)
    .update('\n')
    .update(projectPathKind ?? '')
    .update('\n')
    .update(projectPaths)
    .digest('base64url');
}
