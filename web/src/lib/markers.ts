import type { ChangeMarker } from '@devfleet/wire';

import { labelField } from './environment-fields.js';
import { formatDateTime } from './format.js';

/** A vertical line on a trend chart and the texts that name it. */
export interface ChartMarker {
  x: number;
  /** Its number in the list under the charts; the label when nothing longer fits. */
  n: number;
  /** When, as the rest of the dashboard writes dates. */
  date: string;
  /** Everything that changed, and where: the tooltip and the list under the charts. */
  full: string;
  /** What changed, at most a few words: the label beside the line. */
  short: string;
  /** A longer label for a wide chart. */
  long: string;
  /** The colour of the machine's line, when the chart has one per machine. */
  color?: string;
}

// The server names a marker after its most telling change and counts the rest:
// "Docker Desktop 4.36.0 → 4.37.1 (+3)" (server/src/fleet/trends.ts).
const serverLabel = /^(.+) (\S+) → (\S+?)(?: \(\+(\d+)\))?$/;

/**
 * The texts of a change marker. `host`: the chart shows several machines, so each label says
 * which one changed.
 */
export function describeMarker(
  marker: ChangeMarker,
  n: number,
  options: { host?: boolean; color?: string } = {},
): ChartMarker {
  const parsed = serverLabel.exec(marker.label);
  const [, name = '', , to = '', more] = parsed ?? [];
  const change = parsed ? `${name} ${parsed[2]} → ${to}` : marker.label;

  // "(+3)" says little: name the other changes, when they can be told from the named one.
  const others = marker.fields
    .map(labelField)
    .filter((label) => label.toLowerCase() !== name.toLowerCase());
  const also =
    more !== undefined && others.length === Number(more) ? ` (also ${others.join(', ')})` : '';
  const what = `${change}${also || (more ? ` (+${more})` : '')}`;

  const shortChange = parsed ? `${name.replace(/^Docker /, '')} ${to}` : clip(marker.label, 18);
  const prefix = options.host ? `${marker.hostname}: ` : '';

  return {
    x: marker.x,
    n,
    date: formatDateTime(new Date(marker.x).toISOString()),
    full: `${prefix}${what}`,
    short: `${prefix}${shortChange}`,
    long: `${prefix}${change}`,
    color: options.color,
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
