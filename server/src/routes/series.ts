import { SeriesList, SeriesResponse } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import { getMachine } from '../db/machine-repository.js';
import { listSeries, seriesPoints } from '../db/series-repository.js';
import { DevfleetError } from '../errors.js';
import { exampleMachineId, seriesListExample, seriesResponseExample } from '../openapi/examples.js';

const YEAR_MS = 366 * 24 * 60 * 60 * 1000;

export const seriesRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/v1/machines/:id/series',
    {
      schema: {
        tags: ['machines'],
        summary: "A machine's series, or one series' samples",
        description:
          'Without `metric`: the series this machine has (name, sample count, last sample). ' +
          'With `metric`: its samples from `from` (default: a year before `to`) to `to` ' +
          '(default: now), oldest first.',
        params: Type.Object({ id: Type.String({ maxLength: 64, examples: [exampleMachineId] }) }),
        querystring: Type.Object({
          metric: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, examples: ['bench.mount.bind.create'] }),
          ),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: {
          200: Type.Union([SeriesResponse, SeriesList], {
            examples: [seriesResponseExample, seriesListExample],
          }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { metric } = request.query;
      if (!getMachine(db, id))
        throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

      // Without a metric: which series this machine has, so a page knows what to chart.
      if (!metric) return { series: listSeries(db, id) };

      const to = request.query.to ? Date.parse(request.query.to) : Date.now();
      const from = request.query.from ? Date.parse(request.query.from) : to - YEAR_MS;
      if (from > to) throw new DevfleetError('DEVFLEET_VALIDATION_FAILED', '`from` is after `to`');

      return {
        machineId: id,
        metric,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        points: seriesPoints(db, id, metric, { from, to }),
      };
    },
  );
};
