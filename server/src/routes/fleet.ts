import { FleetOverview, FleetVersions, MachineHealth, VersionField } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import { countOpenAlerts, currentVersions, versionRollout } from '../db/fleet-repository.js';
import { getMachine } from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';
import { assessFleet, assessMachines } from '../health/machine-health.js';
import type { HealthRules } from '../health/rules-config.js';
import { describeRules } from '../health/rules.js';
import {
  exampleMachineId,
  fleetOverviewExample,
  fleetVersionsExample,
  machineHealthExample,
  withExample,
} from '../openapi/examples.js';

const DAY_MS = 24 * 3600 * 1000;

/** Fleet health (the rules evaluated per machine) and the version inventory. */
export const fleetRoutes: FastifyPluginAsyncTypebox<{ db: Db; rules: HealthRules }> = async (
  app,
  { db, rules },
) => {
  const overviewSchema = {
    tags: ['fleet'],
    summary: 'Fleet health',
    description:
      "Every machine's health status (green, amber, red) with each rule's finding and reason, " +
      'the counts, and the rules in force (DEVFLEET_RULES).',
    response: { 200: withExample(FleetOverview, fleetOverviewExample) },
  };
  app.get('/api/v1/fleet', { schema: overviewSchema }, async () => {
    const now = Date.now();
    const machines = assessFleet(db, rules, now);
    const count = (status: string) => machines.filter((m) => m.status === status).length;

    return {
      generatedAt: new Date(now).toISOString(),
      counts: {
        machines: machines.length,
        green: count('green'),
        amber: count('amber'),
        red: count('red'),
        openAlerts: countOpenAlerts(db),
      },
      rules: describeRules(rules),
      machines,
    };
  });

  app.get(
    '/api/v1/fleet/versions',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Version inventory and rollout',
        description:
          'How many machines run each Docker Desktop, engine and WSL version now, and, for one ' +
          '`field`, how many ran each version at the end of each of the last `days` days.',
        querystring: Type.Object({
          field: { ...VersionField, default: 'desktopVersion' },
          days: Type.Integer({ minimum: 1, maximum: 730, default: 90 }),
        }),
        response: { 200: withExample(FleetVersions, fleetVersionsExample) },
      },
    },
    async (request) => {
      const { field, days } = request.query;
      const to = Date.now();

      return {
        current: currentVersions(db),
        rollout: { field, ...versionRollout(db, field, { from: to - (days - 1) * DAY_MS, to }) },
      };
    },
  );

  app.get(
    '/api/v1/machines/:id/health',
    {
      schema: {
        tags: ['machines'],
        summary: "A machine's health",
        description: "The machine's status and each rule's finding, failures first.",
        params: Type.Object({ id: Type.String({ maxLength: 64, examples: [exampleMachineId] }) }),
        response: { 200: withExample(MachineHealth, machineHealthExample) },
      },
    },
    async (request) => {
      const machine = getMachine(db, request.params.id);
      if (!machine) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

      const [assessed] = assessMachines(db, [machine], rules, Date.now());
      return {
        machineId: machine.id,
        status: assessed?.status ?? 'green',
        findings: assessed?.findings ?? [],
      };
    },
  );
};
