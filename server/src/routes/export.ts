import {
  AlertList,
  AlertStatus,
  AssessedMachine,
  SeriesResponse,
  type Alert,
  type SeriesPoint,
} from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';

import { listAlerts } from '../db/alert-repository.js';
import type { Db } from '../db/client.js';
import { getMachine, listMachines } from '../db/machine-repository.js';
import { seriesPoints } from '../db/series-repository.js';
import { DevfleetError } from '../errors.js';
import { toCsv, type CsvColumn } from '../export/csv.js';
import { assessMachines } from '../health/machine-health.js';
import type { HealthRules } from '../health/rules-config.js';
import {
  alertExample,
  assessedMachineExample,
  seriesResponseExample,
} from '../openapi/examples.js';

const YEAR_MS = 366 * 24 * 60 * 60 * 1000;
// Far more than a team raises; a bound all the same, so one export cannot hold the server.
const ALERT_EXPORT_LIMIT = 10_000;

const machineColumns: CsvColumn<AssessedMachine>[] = [
  { header: 'id', value: (m) => m.id },
  { header: 'hostname', value: (m) => m.hostname },
  { header: 'owner', value: (m) => m.owner },
  { header: 'status', value: (m) => m.status },
  {
    header: 'failing rules',
    value: (m) =>
      m.findings
        .filter((f) => f.result === 'fail')
        .map((f) => f.rule)
        .join(' '),
  },
  { header: 'last seen at', value: (m) => m.lastSeenAt },
  { header: 'enrolled at', value: (m) => m.enrolledAt },
  { header: 'os', value: (m) => m.environment?.osName ?? null },
  { header: 'os release', value: (m) => m.environment?.osRelease ?? null },
  { header: 'docker desktop', value: (m) => m.environment?.desktopVersion ?? null },
  { header: 'engine', value: (m) => m.environment?.engineVersion ?? null },
  { header: 'backend', value: (m) => m.environment?.backend ?? null },
  { header: 'daemon', value: (m) => m.environment?.daemonState ?? null },
  { header: 'wsl', value: (m) => m.environment?.wslVersion ?? null },
  { header: 'wsl kernel', value: (m) => m.environment?.wslKernel ?? null },
  { header: 'windows', value: (m) => m.environment?.windowsVersion ?? null },
  { header: 'project location', value: (m) => m.environment?.projectPathKind ?? null },
];

const pointColumns: CsvColumn<SeriesPoint>[] = [
  { header: 'at', value: (p) => p.at },
  { header: 'value ms', value: (p) => p.valueMs },
  { header: 'spread ms', value: (p) => p.spreadMs },
  { header: 'ok', value: (p) => p.ok },
  { header: 'report id', value: (p) => p.reportId },
];

const alertColumns: CsvColumn<Alert>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'status', value: (a) => a.status },
  { header: 'kind', value: (a) => a.kind },
  { header: 'scope', value: (a) => a.scope },
  { header: 'series', value: (a) => a.series },
  { header: 'title', value: (a) => a.title },
  { header: 'effect', value: (a) => a.effect },
  { header: 'change field', value: (a) => a.transition?.field ?? null },
  { header: 'change from', value: (a) => a.transition?.from ?? null },
  { header: 'change to', value: (a) => a.transition?.to ?? null },
  { header: 'machines', value: (a) => a.machines.map((m) => m.hostname).join(' ') },
  { header: 'opened at', value: (a) => a.openedAt },
  { header: 'updated at', value: (a) => a.updatedAt },
  { header: 'acknowledged at', value: (a) => a.acknowledgedAt },
  { header: 'resolved at', value: (a) => a.resolvedAt },
  { header: 'resolution', value: (a) => a.resolution },
];

const FORMATS = ['csv', 'json'] as const;

/** CSV and JSON downloads of the fleet table, a machine's series and the alerts. Viewer scope. */
export const exportRoutes: FastifyPluginAsyncTypebox<{ db: Db; rules: HealthRules }> = async (
  app,
  { db, rules },
) => {
  for (const format of FORMATS) {
    app.get(
      `/api/v1/export/machines.${format}`,
      {
        schema: {
          tags: ['export'],
          summary: `Export the fleet table as ${format.toUpperCase()}`,
          description:
            'Every enrolled machine with its health status, failing rules and latest ' +
            'environment, as a download (`Content-Disposition: attachment`).' +
            (format === 'csv' ? csvNote : ''),
          response: {
            200: download(
              format,
              Type.Object({ generatedAt: Type.String(), machines: Type.Array(AssessedMachine) }),
              { generatedAt: '2025-01-15T09:30:00.000Z', machines: [assessedMachineExample] },
              csvExample(machineColumns, [assessedMachineExample]),
            ),
          },
        },
      },
      async (_request, reply) => {
        const now = Date.now();
        const machines = assessMachines(db, listMachines(db), rules, now);

        attach(reply, `devfleet-machines-${day(now)}`, format);
        if (format === 'csv') return reply.send(toCsv(machines, machineColumns));
        return { generatedAt: new Date(now).toISOString(), machines };
      },
    );

    app.get(
      `/api/v1/export/machines/:id/series.${format}`,
      {
        schema: {
          tags: ['export'],
          summary: `Export one series of a machine as ${format.toUpperCase()}`,
          description:
            'The samples of one series (`metric`) of a machine, oldest first, from `from` ' +
            '(default: a year before `to`) to `to` (default: now).' +
            (format === 'csv' ? csvNote : ''),
          params: Type.Object({ id: Type.String({ maxLength: 64, examples: ['m_4f2a9c'] }) }),
          querystring: Type.Object({
            metric: Type.String({
              minLength: 1,
              maxLength: 200,
              examples: ['bench.mount.bind.create'],
            }),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          }),
          response: {
            200: download(
              format,
              SeriesResponse,
              seriesResponseExample,
              csvExample(pointColumns, seriesResponseExample.points),
            ),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { metric } = request.query;
        if (!getMachine(db, id))
          throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

        const to = request.query.to ? Date.parse(request.query.to) : Date.now();
        const from = request.query.from ? Date.parse(request.query.from) : to - YEAR_MS;
        if (from > to)
          throw new DevfleetError('DEVFLEET_VALIDATION_FAILED', '`from` is after `to`');
        const points = seriesPoints(db, id, metric, { from, to });

        attach(reply, `devfleet-${id}-${metric}-${day(to)}`, format);
        if (format === 'csv') return reply.send(toCsv(points, pointColumns));
        return {
          machineId: id,
          metric,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          points,
        };
      },
    );

    app.get(
      `/api/v1/export/alerts.${format}`,
      {
        schema: {
          tags: ['export'],
          summary: `Export the alerts as ${format.toUpperCase()}`,
          description:
            'Alerts, most recently updated first, optionally only those with the given ' +
            '`status` (repeat it for several).' +
            (format === 'csv' ? csvNote : ''),
          querystring: Type.Object({
            status: Type.Optional(Type.Array(AlertStatus, { maxItems: 3 })),
          }),
          response: {
            200: download(
              format,
              AlertList,
              { alerts: [alertExample] },
              csvExample(alertColumns, [alertExample]),
            ),
          },
        },
      },
      async (request, reply) => {
        const alerts = listAlerts(db, request.query.status ?? [], ALERT_EXPORT_LIMIT);

        attach(reply, `devfleet-alerts-${day(Date.now())}`, format);
        if (format === 'csv') return reply.send(toCsv(alerts, alertColumns));
        return { alerts };
      },
    );
  }
};

const csvNote =
  ' Text cells that a spreadsheet would read as a formula (starting with = + - @, tab or ' +
  'carriage return) get a leading apostrophe.';

/** Marks the answer as a download; the file name keeps only characters safe in any OS. */
function attach(reply: FastifyReply, name: string, format: (typeof FORMATS)[number]): void {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  reply.header('content-disposition', `attachment; filename="${safe}.${format}"`);
  if (format === 'csv') reply.type('text/csv; charset=utf-8');
}

/** The response schema of a download: the JSON schema, or CSV text, each with an example. */
function download(
  format: (typeof FORMATS)[number],
  json: Type.TSchema,
  jsonExample: unknown,
  csv: string,
) {
  if (format === 'json') return { ...json, description: 'The export', examples: [jsonExample] };
  return {
    description: 'The export, RFC 4180 CSV with a header line (UTF-8 with a BOM)',
    content: { 'text/csv': { schema: Type.String(), example: csv } },
  };
}

function csvExample<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  return toCsv(rows, columns).replace(/^\uFEFF/, '');
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
