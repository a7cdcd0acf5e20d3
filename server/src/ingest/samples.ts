import type { Report } from '@devfleet/wire';

import type { samples } from '../db/schema.js';

export type SampleRow = typeof samples.$inferInsert;

/** Series name of a benchmark phase: `bench.<kind>.<location>.<phase>`. */
export function benchmarkSeries(kind: string, location: string, phase: string): string {
  return `bench.${kind}.${location}.${phase}`;
}

/** Series name of a developer's real build: `build:<project>`. */
export function buildSeries(name: string): string {
  return `build:${name}`;
}

/**
 * The samples a report carries: one per benchmark phase and location (its median; the spread
 * alongside), one per real build. Failed benchmark runs carry no timings and give no samples.
 */
export function deriveSamples(report: Report, machineId: string): SampleRow[] {
  const rows: SampleRow[] = [];

  for (const run of report.benchmarks ?? []) {
    if (run.status !== 'ok') continue;
    const at = Date.parse(run.startedAt);
    for (const result of run.results) {
      rows.push({
        machineId,
        series: benchmarkSeries(run.kind, result.location, result.phase),
        at,
        valueMs: result.medianMs,
        spreadMs: result.spreadMs,
        ok: true,
        reportId: report.reportId,
        sampleKey: report.reportId,
      });
    }
  }

  for (const build of report.builds ?? []) {
    rows.push({
      machineId,
      series: buildSeries(build.name),
      at: Date.parse(build.startedAt),
      valueMs: build.durationMs,
      spreadMs: null,
      ok: build.succeeded,
      reportId: report.reportId,
      sampleKey: `${build.source}:${build.id}`,
    });
  }

  return rows;
}
