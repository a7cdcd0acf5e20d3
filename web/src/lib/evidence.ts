import type { Alert } from '@devfleet/wire';

import type { ChartLine } from './chart-config.js';
import { labelField } from './environment-fields.js';
import { formatDate, formatDateTime } from './format.js';
import type { ChartMarker } from './markers.js';

interface Sample {
  at: number;
  valueMs: number;
}

export interface EvidenceChart {
  lines: ChartLine[];
  markers: ChartMarker[];
  /** How to read the chart, when the dots alone could mislead; '' otherwise. */
  note: string;
  from: number;
  to: number;
}

// The evidence is stored as the detector wrote it (server/src/alerts/detection.ts); read it
// defensively, an older alert may lack a part.
function samples(value: unknown): Sample[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (s): s is Sample =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as Sample).at === 'number' &&
      typeof (s as Sample).valueMs === 'number',
  );
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function points(list: Sample[]): { x: number; y: number }[] {
  return list.map((s) => ({ x: s.at, y: s.valueMs })).sort((a, b) => a.x - b.x);
}

/** Before and after the change (and the machines that stayed, for a fleet alert) as dots. */
export function evidenceChart(alert: Alert): EvidenceChart | null {
  const evidence = alert.evidence;
  let before: Sample[] = [];
  let after: Sample[] = [];
  const control: Sample[] = [];

  if (alert.scope === 'fleet') {
    for (const entry of Object.values(record(evidence.samples))) {
      before.push(...samples(record(entry).before));
      after.push(...samples(record(entry).after));
    }
    for (const entry of Object.values(record(evidence.control))) control.push(...samples(entry));
  } else if (alert.kind === 'unattributed') {
    const since = Date.parse(String(evidence.since));
    const all = samples(evidence.samples);
    before = all.filter((s) => s.at < since);
    after = all.filter((s) => s.at >= since);
  } else {
    before = samples(evidence.before);
    after = samples(evidence.after);
  }

  const all = [...before, ...after, ...control];
  if (all.length === 0) return null;

  const changes = alert.machines
    .map((m) => (m.changeAt ? Date.parse(m.changeAt) : NaN))
    .filter((t) => !Number.isNaN(t));
  const first = changes.length > 0 ? Math.min(...changes) : null;
  const last = changes.length > 0 ? Math.max(...changes) : null;
  const words = legendWords(alert);

  const lines: ChartLine[] = [
    { label: words.before, points: points(before), dots: true, color: '#5f7391' },
    { label: words.after, points: points(after), dots: true, color: '#d0452f' },
  ];
  if (control.length > 0) {
    // Hollow and beneath: the yardstick, not the finding.
    lines.push({
      label: 'machines that did not update (control)',
      points: points(control),
      dots: true,
      muted: true,
      color: '#3f9a78',
    });
  }

  const times = all.map((s) => s.at);
  const pad = (Math.max(...times) - Math.min(...times)) * 0.02 || 3_600_000;
  return {
    lines,
    markers: first === null ? [] : [changeMarker(alert, first, changes.length)],
    note: rolloutNote(alert, first, last, changes.length),
    from: Math.min(...times) - pad,
    to: Math.max(...times) + pad,
  };
}

/** What the legend calls the samples before and after: a fleet alert splits each machine. */
function legendWords(alert: Alert): { before: string; after: string } {
  if (alert.scope === 'fleet') {
    return { before: 'before their update', after: 'after their update' };
  }
  if (alert.kind === 'unattributed') return { before: 'before the shift', after: 'after it' };
  return { before: 'before the change', after: 'after the change' };
}

function changeMarker(alert: Alert, at: number, machines: number): ChartMarker {
  const transition = alert.transition;
  const change = transition
    ? `${labelField(transition.field)} ${transition.from ?? 'unset'} → ${transition.to ?? 'unset'}`
    : 'level shift';
  const first = machines > 1 ? 'first machine: ' : '';
  return {
    x: at,
    n: 1,
    date: formatDateTime(new Date(at).toISOString()),
    full: `${first}${change}`,
    short: `${first}${transition?.to ?? 'shift'}`,
    long: `${first}${change}`,
  };
}

/** Why "before" dots appear after the line: each machine updated on its own day. */
function rolloutNote(alert: Alert, first: number | null, last: number | null, n: number): string {
  if (alert.scope !== 'fleet' || first === null || last === null || n < 2) return '';
  const day = (t: number) => formatDate(new Date(t).toISOString());
  return (
    `Filled dots: the ${n} machines that updated, each split at its own update (between ` +
    `${day(first)} and ${day(last)}; the dashed line marks the first).`
  );
}
