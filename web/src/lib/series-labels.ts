import type { TrendSeries } from '@devfleet/wire';

import type { ChartLine } from './chart-config.js';

export interface ChartGroup {
  key: string;
  title: string;
  lines: ChartLine[];
}

const kindLabels: Record<string, string> = { mount: 'File work', build: 'Reference build' };

// `bench.<kind>.<location>.<phase>` (server/src/ingest/samples.ts) and `build:<project>`.
const benchKey = /^bench\.([^.]+)\.([^.]+)\.(.+)$/;
const buildPrefix = 'build:';

interface SeriesParts {
  /** The chart it is drawn in: one per benchmark phase, one per project. */
  group: string;
  title: string;
  /** Its line in that chart. */
  line: string;
}

function seriesParts(key: string): SeriesParts {
  const bench = benchKey.exec(key);
  if (bench) {
    const [, kind = '', location = '', phase = ''] = bench;
    return {
      group: `bench.${kind}.${phase}`,
      title: `${kindLabels[kind] ?? kind}: ${phase}`,
      line: location,
    };
  }
  if (key.startsWith(buildPrefix)) {
    return { group: key, title: `Build ${key.slice(buildPrefix.length)}`, line: 'build time' };
  }
  return { group: key, title: key, line: key };
}

/**
 * What a series is called wherever the dashboard names it, alone or in a sentence: "Reference
 * build: cold / mount" for `bench.build.mount.cold`, "Build web-shop" for `build:web-shop`.
 * Chart titles and legends are the two halves of the same name.
 */
export function labelSeries(key: string): string {
  const parts = seriesParts(key);
  return benchKey.test(key) ? `${parts.title} / ${parts.line}` : parts.title;
}

export type TextPart = { text: string } | { key: string; label: string };

// A series key inside a server's sentence; a trailing colon or full stop ends the sentence.
const keyInText = /\bbench\.[\w-]+\.[\w-]+\.[\w-]+|\bbuild:[^\s;,()]*[^\s;,().:]/g;

/** Splits `text` around the series keys in it, so each can be shown by its label. */
export function splitSeriesKeys(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(keyInText)) {
    if (match.index > at) parts.push({ text: text.slice(at, match.index) });
    parts.push({ key: match[0], label: labelSeries(match[0]) });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/**
 * Charts for a machine's series: one per benchmark phase with a line per location (bind mount
 * against volume, mount against copy), one per project's real builds. Real builds first: they
 * are what developers wait for.
 */
export function groupSeries(series: TrendSeries[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const s of series) {
    const { group: key, title, line } = seriesParts(s.name);
    const group = groups.get(key) ?? { key, title, lines: [] };
    group.lines.push({ label: line, points: s.points });
    groups.set(key, group);
  }
  const rank = (key: string) =>
    key.startsWith(buildPrefix) ? 0 : key.startsWith('bench.build') ? 1 : 2;
  return [...groups.values()].sort(
    (a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key),
  );
}

/** One chart per project, a line per machine: the same build on two laptops side by side. */
export function groupByProject(series: TrendSeries[]): ChartGroup[] {
  const groups = new Map<string, ChartGroup>();
  for (const s of series) {
    const project = s.name.replace(/^build:/, '');
    const group = groups.get(project) ?? { key: s.name, title: labelSeries(s.name), lines: [] };
    group.lines.push({ label: s.hostname, points: s.points, machineId: s.machineId });
    groups.set(project, group);
  }
  return [...groups.values()];
}
