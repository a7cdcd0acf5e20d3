import { DeveloperDetail, DeveloperList } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import { DevfleetError } from '../errors.js';
import { buildTrends, readRange, worstStatus } from '../fleet/trends.js';
import { assessFleet } from '../health/machine-health.js';
import type { HealthRules } from '../health/rules-config.js';
import { developerDetailExample, developerListExample, withExample } from '../openapi/examples.js';
import { RangeQuery } from './trends.js';

/** Developers are machine owners: a developer's page gathers the builds of all their machines. */
export const developerRoutes: FastifyPluginAsyncTypebox<{ db: Db; rules: HealthRules }> = async (
  app,
  { db, rules },
) => {
  const listSchema = {
    tags: ['fleet'],
    summary: 'List the developers',
    description: 'Machine owners, with their machine count, worst status and latest report.',
    response: { 200: withExample(DeveloperList, developerListExample) },
  };
  app.get('/api/v1/developers', { schema: listSchema }, async () => {
    const machines = assessFleet(db, rules, Date.now());
    const owners = new Map<string, typeof machines>();
    for (const m of machines) owners.set(m.owner, [...(owners.get(m.owner) ?? []), m]);

    const developers = [...owners].map(([owner, own]) => ({
      owner,
      machines: own.length,
      status: worstStatus(own.map((m) => m.status)),
      lastSeenAt: own
        .map((m) => m.lastSeenAt)
        .reduce<string | null>((a, b) => (a === null || (b !== null && b > a) ? b : a), null),
    }));
    return { developers: developers.sort((a, b) => a.owner.localeCompare(b.owner)) };
  });

  app.get(
    '/api/v1/developers/:owner',
    {
      schema: {
        tags: ['fleet'],
        summary: "A developer's machines and builds",
        description:
          "The owner's machines with their health, and the timed builds (`build:` series) of " +
          'all of them, bucketed for charts.',
        params: Type.Object({
          owner: Type.String({ minLength: 1, maxLength: 256, examples: ['devuser'] }),
        }),
        querystring: RangeQuery,
        response: { 200: withExample(DeveloperDetail, developerDetailExample) },
      },
    },
    async (request) => {
      const { owner } = request.params;
      const own = assessFleet(db, rules, Date.now(), { owner });
      if (own.length === 0) {
        throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine belongs to this developer');
      }

      const hostnames = new Map(own.map((m) => [m.id, m.hostname]));
      const query = {
        machineIds: [...hostnames.keys()],
        seriesPrefix: 'build:',
        ...readRange(request.query),
      };
      return {
        owner,
        machines: own,
        builds: buildTrends(db, query, hostnames),
      };
    },
  );
};
