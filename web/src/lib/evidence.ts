import type { Alert } from '@devfleet/wire';

import type { ChartLine } from './chart-config.js';
import { formatDateTime } from './format.js';
import type { ChartMarker } from './markers.js';

interface Sample {
  at: number;
  valueMs: number;
}

export interface EvidenceChart {
  lines: ChartLine[];
  markers: ChartMarker[];
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
  const transition = alert.transition;
  const label = transition
    ? `${transition.from ?? 'unset'} → ${transition.to ?? 'unset'}`
    : 'level shift';

  const lines: ChartLine[] = [
    { label: 'before', points: points(before), dots: true, color: '#6d7d93' },
    { label: 'after', points: points(after), dots: true, color: '#d0452f' },
  ];
  if (control.length > 0) {
    lines.push({
      label: 'stayed (control)',
      points: points(control),
      dots: true,
      color: '#2a9d6f',
    });
  }

  const times = all.map((s) => s.at);
  const pad = (Math.max(...times) - Math.min(...times)) * 0.02 || 3_600_000;
  return {
    lines,
    markers:
      first === null
        ? []
        : [
            {
              x: first,
              n: 1,
              date: formatDateTime(new Date(first).toISOString()),
              full: label,
              short: label,
              long: label,
            },
          ],
    from: Math.min(...times) - pad,
    to: Math.max(...times) + pad,
  };
}
