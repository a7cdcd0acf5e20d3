import { FleetChangeList } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { listFleetChanges } from '../db/change-repository.js';
import type { Db } from '../db/client.js';
import { DevfleetError } from '../errors.js';
import { fleetChangeListExample, withExample } from '../openapi/examples.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const changeRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/v1/changes',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Change events across the fleet',
        description:
          'Environment facts that moved between two reports of a machine (Docker Desktop ' +
          'updated, WSL kernel changed…), newest first, from `from` (default: 90 days before ' +
          '`to`) to `to` (default: now), optionally for one `field` or one machine.',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          field: Type.Optional(Type.String({ maxLength: 128 })),
          machineId: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: { 200: withExample(FleetChangeList, fleetChangeListExample) },
      },
    },
    async (request) => {
      const { field, machineId, limit } = request.query;
      const to = request.query.to ? Date.parse(request.query.to) : Date.now();
      const from = request.query.from ? Date.parse(request.query.from) : to - 90 * DAY_MS;
      if (from > to) throw new DevfleetError('DEVFLEET_VALIDATION_FAILED', '`from` is after `to`');

      return { changes: listFleetChanges(db, { from, to, field, machineId, limit }) };
    },
  );
};
