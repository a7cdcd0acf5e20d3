import type { BenchmarkRun, PhaseResult } from '@devfleet/wire';

import { CALIBRATION } from '../bench/mount.js';

/** A phase × location table of medians, with the spread, under a few lines of context. */
export function formatRun(run: BenchmarkRun): string {
  const seconds = (run.durationMs / 1000).toFixed(1);
  const head = `bench ${run.kind}: ${run.status} in ${seconds} s`;
  if (run.status !== 'ok') return `${head}: ${run.reason ?? 'no reason given'}`;

  const measured = run.results.filter((result) => result.location !== CALIBRATION);
  const context = [
    `${run.repetitions} repetitions${run.quick ? ' (quick)' : ''}`,
    `image ${run.image ?? '-'}`,
    `engine ${run.engineVersion ?? '-'}${run.desktopVersion ? `, Docker Desktop ${run.desktopVersion}` : ''}`,
    `host folder ${run.hostPath ?? '-'} (${run.pathKind}${run.mountType ? `, mounted as ${run.mountType}` : ''})`,
    ...calibrationLine(run.results.filter((result) => result.location === CALIBRATION)),
    // An ok run's reason says what it left out, e.g. the native build without Go on the host.
    ...(run.reason ? [`note: ${run.reason}`] : []),
  ];

  return [
    head,
    ...context.map((line) => `  ${line}`),
    '',
    ...table(measured).map((line) => `  ${line}`),
  ].join('\n');
}

function calibrationLine(calibration: PhaseResult[]): string[] {
  if (calibration.length === 0) return [];
  const parts = calibration.map((result) => `${formatMs(result.medianMs)} ms (${result.phase})`);
  return [`in-container times are less the cost of timing them: ${parts.join(', ')}`];
}

function table(results: PhaseResult[]): string[] {
  const locations = [...new Set(results.map((result) => result.location))];
  const phases = [...new Set(results.map((result) => result.phase))];
  const cell = (location: string, phase: string) => {
    const result = results.find((r) => r.location === location && r.phase === phase);
    return result ? `${formatMs(result.medianMs)} ±${formatMs(result.spreadMs)}` : '-';
  };
  const rows = [
    ['median ms', ...locations],
    ...phases.map((phase) => [phase, ...locations.map((location) => cell(location, phase))]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((text, column) =>
        column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!),
      )
      .join('  '),
  );
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
