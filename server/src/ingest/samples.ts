import type { Report } from '@devfleet/wire';

import { cleanText } from './clean-text.js';

// Series names are made of reported text and shown on every page: cleaned like host names.

/** Series name of a benchmark phase: `bench.<kind>.<location>.<phase>`. */
export function benchmarkSeries(kind: string, location: string, phase: string): string {
  return cleanText(`bench.${kind}.${location}.${phase}`);
}

/** Series name of a developer's real build: `build:<project>`. */
export function buildSeries(name: string): string {
  return cleanText(`build:${name}`);
}

/** One sample a report carries, with the name of its series. */
export interface DerivedSample {
  series: string;
  at: number;
  valueMs: number;
  spreadMs: number | null;
  ok: boolean;
  /** Null for benchmark phases: they arrive with their report only, which is stored once. */
  sampleKey: string | null;
}

/**
 * The samples a report carries: one per benchmark phase and location (its median; the spread
 * alongside), one per real build. Failed benchmark runs carry no timings and give no samples.
 * `skewMs` is how far the machine's clock ran ahead of the server's: taken off every time.
 */
export function deriveSamples(
  report: Pick<Report, 'benchmarks' | 'builds'>,
  skewMs = 0,
): DerivedSample[] {
  const rows: DerivedSample[] = [];

  for (const run of report.benchmarks ?? []) {
    if (run.status !== 'ok') continue;
    const at = Date.parse(run.startedAt) - skewMs;
    for (const result of run.results) {
      // What timing a phase costs in the container, already taken off the others: no series.
      if (result.location === 'calibration') continue;
      rows.push({
        series: benchmarkSeries(run.kind, result.location, result.phase),
        at,
        valueMs: result.medianMs,
        spreadMs: result.spreadMs,
        ok: true,
        sampleKey: null,
      });
    }
  }

  for (const build of report.builds ?? []) {
    rows.push({
      series: buildSeries(build.name),
      at: Date.parse(build.startedAt) - skewMs,
      valueMs: build.durationMs,
      spreadMs: null,
      ok: build.succeeded,
      sampleKey: `${build.source}:${build.id}`,
    });
  }

  return rows;
}

/**
 * How much slower the report's mount benchmark did its file work through the bind mount than in
 * a named volume: the sum of the phases both locations measured. Null without such a run.
 */
export function mountSlowdownOf(report: Pick<Report, 'benchmarks'>): number | null {
  const run = report.benchmarks?.findLast((b) => b.kind === 'mount' && b.status === 'ok');
  if (!run) return null;

  const volume = new Map<string, number>();
  for (const r of run.results) if (r.location === 'volume') volume.set(r.phase, r.medianMs);
  let bindMs = 0;
  let volumeMs = 0;
  for (const r of run.results) {
    const other = volume.get(r.phase);
    if (r.location !== 'bind' || other === undefined) continue;
    bindMs += r.medianMs;
    volumeMs += other;
  }
  return volumeMs > 0 ? bindMs / volumeMs : null;
}
