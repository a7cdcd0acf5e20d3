import type { TrendSeries } from '@devfleet/wire';

import type { ChartLine } from './chart-config.js';

export interface ChartGroup {
  key: string;
  title: string;
  lines: ChartLine[];
}

const kindLabels: Record<string, string> = { mount: 'File work', build: 'Reference build' };

/**
 * Charts for a machine's series: one per benchmark phase with a line per location (bind mount
 * against volume, mount against copy), one per project's real builds. Real builds first: they
 * are what developers wait for.
 */
export function groupSeries(series: TrendSeries[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const s of series) {
    const bench = /^bench\.([^.]+)\.([^.]+)\.(.+)$/.exec(s.name);
    const key = bench ? `bench.${bench[1]}.${bench[3]}` : s.name;
    const title = bench
      ? `${kindLabels[bench[1] ?? ''] ?? bench[1]}: ${bench[3]}`
      : s.name.startsWith('build:')
        ? `Build ${s.name.slice('build:'.length)}`
        : s.name;
    const group = groups.get(key) ?? { key, title, lines: [] };
    group.lines.push({ label: bench ? (bench[2] ?? s.name) : 'build time', points: s.points });
    groups.set(key, group);
  }
  const rank = (key: string) =>
    key.startsWith('build:') ? 0 : key.startsWith('bench.build') ? 1 : 2;
  return [...groups.values()].sort(
    (a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key),
  );
}

/** One chart per project, a line per machine: the same build on two laptops side by side. */
export function groupByProject(series: TrendSeries[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const s of series) {
    const project = s.name.replace(/^build:/, '');
    const group = groups.get(project) ?? { key: s.name, title: `Build ${project}`, lines: [] };
    group.lines.push({ label: s.hostname, points: s.points });
    groups.set(project, group);
  }
  return [...groups.values()];
}
