import type { HealthStatus, Trends } from '@devfleet/wire';

import { describeChange, salientChange } from '../alerts/labels.js';
import type { Db } from '../db/client.js';
import {
  aggregateSeries,
  transitionsInRange,
  type AggregateQuery,
} from '../db/fleet-repository.js';
import { DevfleetError } from '../errors.js';

const DAY_MS = 24 * 3600 * 1000;

/** The range a chart asks for; the last 90 days by default. */
export function readRange(query: { from?: string; to?: string; points: number }) {
  const to = query.to ? Date.parse(query.to) : Date.now();
  const from = query.from ? Date.parse(query.from) : to - 90 * DAY_MS;
  if (from >= to)
    throw new DevfleetError('DEVFLEET_VALIDATION_FAILED', '`from` is not before `to`');
  return { from, to, points: query.points };
}

/** Bucketed series and the change markers of the same machines, as the charts draw them. */
export function buildTrends(db: Db, query: AggregateQuery, hostnames: Map<string, string>): Trends {
  const { bucketMs, rows } = aggregateSeries(db, query);

  const series = new Map<string, Trends['series'][number]>();
  for (const { machineId, series: name, ...point } of rows) {
    const key = `${machineId}\u0000${name}`;
    let entry = series.get(key);
    if (!entry) {
      entry = { name, machineId, hostname: hostnames.get(machineId) ?? machineId, points: [] };
      series.set(key, entry);
    }
    entry.points.push(point);
  }

  const markers = transitionsInRange(db, query.machineIds, query).map((t) => {
    const salient = salientChange(t);
    const others = t.changes.length - 1;
    return {
      x: t.at,
      machineId: t.machineId,
      hostname: t.hostname,
      label: salient ? `${describeChange(salient)}${others > 0 ? ` (+${others})` : ''}` : 'change',
      fields: t.changes.map((c) => c.field),
    };
  });

  return {
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
    bucketMs,
    series: [...series.values()],
    markers,
  };
}

const statusOrder: HealthStatus[] = ['green', 'amber', 'red'];

export function worstStatus(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce(
    (a, b) => (statusOrder.indexOf(b) > statusOrder.indexOf(a) ? b : a),
    'green',
  );
}
