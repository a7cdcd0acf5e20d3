import type { PhaseResult } from '@devfleet/wire';
import { interquartileRange, median } from 'simple-statistics';

/** Samples keep microseconds: enough for a 1 ms phase, and short in the report. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Every sample of one phase at one location, with its median and interquartile range. */
export function summarizePhase(location: string, phase: string, samplesMs: number[]): PhaseResult {
  const samples = samplesMs.map(round);
  if (samples.length === 0) return { location, phase, samplesMs: [], medianMs: 0, spreadMs: 0 };

  return {
    location,
    phase,
    samplesMs: samples,
    medianMs: round(median(samples)),
    spreadMs: round(interquartileRange(samples)),
  };
}

/** Collects samples as they arrive, in the order locations and phases were first seen. */
export class SampleTable {
  private readonly samples = new Map<string, { location: string; phase: string; ms: number[] }>();

  add(location: string, phase: string, ms: number): void {
    const key = `${location}\u0000${phase}`;
    const entry = this.samples.get(key) ?? { location, phase, ms: [] };
    entry.ms.push(ms);
    this.samples.set(key, entry);
  }

  results(): PhaseResult[] {
    return [...this.samples.values()].map((entry) =>
      summarizePhase(entry.location, entry.phase, entry.ms),
    );
  }
}
