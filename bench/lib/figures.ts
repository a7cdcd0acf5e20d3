import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');
/** Generated fleets and the last results: made once, never committed (.gitignore). */
export const cacheDir = path.join(benchDir, '.cache');

/** One measured figure and, where the issue sets one, its target. */
export interface Figure {
  area: 'ingest' | 'queries' | 'dashboard' | 'agent' | 'detection';
  name: string;
  measured: string;
  target: string | null;
  /** null: no target, or a quick run (which checks only that the bench still runs). */
  met: boolean | null;
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
  machines: number;
  days: number;
  log: (line: string) => void;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function ms(value: number, digits = 1): string {
  return `${value.toFixed(digits)} ms`;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A target only counts in a full run: a quick run is too short to say anything about it. */
export function check(quick: boolean, ok: boolean): boolean | null {
  return quick ? null : ok;
}

/** Times `fn` `runs` times after `warmup` untimed runs; milliseconds per run. */
export async function timeRuns(runs: number, warmup: number, fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = Math.round(os.totalmem() / 1024 ** 3);
  return `${os.cpus().length} × ${cpu}, ${memory} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}
