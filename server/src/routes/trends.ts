import { Trends } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import { getMachine } from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';
import { buildTrends, readRange } from '../fleet/trends.js';
import { exampleMachineId, trendsExample, withExample } from '../openapi/examples.js';

// A chart is rarely wider than 2,000 pixels: more buckets than that only cost bytes.
export const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  points: Type.Integer({ minimum: 10, maximum: 2000, default: 600 }),
});

export const trendRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/v1/machines/:id/trends',
    {
      schema: {
        tags: ['machines'],
        summary: "A machine's series for charts",
        description:
          'Every series of the machine bucketed into at most `points` medians (with min, max ' +
          'and count) from `from` to `to`, and its change events as chart markers.',
        params: Type.Object({ id: Type.String({ maxLength: 64, examples: [exampleMachineId] }) }),
        querystring: RangeQuery,
        response: { 200: withExample(Trends, trendsExample) },
      },
    },
    async (request) => {
      const machine = getMachine(db, request.params.id);
      if (!machine) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

      const query = { machineIds: [machine.id], ...readRange(request.query) };
      return buildTrends(db, query, new Map([[machine.id, machine.hostname]]));
    },
  );
};
