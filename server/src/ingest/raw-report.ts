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

/** What a report carries besides its environment part: ids, times, benchmarks, builds. */
export type ReportRest = Omit<Report, 'host' | 'docker' | 'wsl' | 'desktopSettings'>;

export function splitReport(report: Report): SplitReport {
  const { host, docker, wsl, desktopSettings, ...rest } = report;
  return {
    environment: JSON.stringify({ host, docker, wsl, desktopSettings }),
    rest: JSON.stringify(rest),
  };
}

/**
 * A report as ingestion reads it: the rest as an object, both parts as stored, and the whole
 * report, which only a new environment needs (to derive its facts).
 */
export interface ReportParts {
  rest: ReportRest;
  split: SplitReport;
  whole(): Report;
}

export function partsOf(report: Report): ReportParts {
  return { rest: report, split: splitReport(report), whole: () => report };
}

/** From the parts as JSON text (the writer thread's input); the environment parsed on demand. */
export function partsFromSplit(split: SplitReport): ReportParts {
  const rest = JSON.parse(split.rest) as ReportRest;
  let whole: Report | null = null;
  return { rest, split, whole: () => (whole ??= joinReport(split.rest, split.environment)) };
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
