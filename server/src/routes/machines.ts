import { MachineDetail, MachineList } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import {
  environmentHistory,
  getMachine,
  listMachines,
  machineChanges,
  machineRevokedAt,
} from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';
import {
  exampleMachineId,
  machineDetailExample,
  machineListExample,
  withExample,
} from '../openapi/examples.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const machineRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const listSchema = {
    tags: ['machines'],
    summary: 'List the machines',
    description:
      'Every enrolled, unrevoked machine with its latest environment, and fleet totals ' +
      '(reporting: a report in the last 24 h).',
    response: { 200: withExample(MachineList, machineListExample) },
  };
  app.get('/api/v1/machines', { schema: listSchema }, async () => {
    const machines = listMachines(db);
    const since = Date.now() - DAY_MS;

    return {
      machines,
      totals: {
        machines: machines.length,
        reporting: machines.filter((m) => m.lastSeenAt && Date.parse(m.lastSeenAt) >= since).length,
        daemonUnreachable: machines.filter(
          (m) => m.environment && m.environment.daemonState !== 'running',
        ).length,
      },
    };
  });

  app.get(
    '/api/v1/machines/:id',
    {
      schema: {
        tags: ['machines'],
        summary: 'One machine',
        description:
          'The machine, its environment history (newest first) and its change events; ' +
          '`revokedAt` is set once an admin revoked it (it no longer counts in the fleet).',
        params: Type.Object({ id: Type.String({ maxLength: 64, examples: [exampleMachineId] }) }),
        response: { 200: withExample(MachineDetail, machineDetailExample) },
      },
    },
    async (request) => {
      const machine = getMachine(db, request.params.id);
      if (!machine) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

      const revokedAt = machineRevokedAt(db, machine.id);
      return {
        machine,
        revokedAt: revokedAt === null ? null : new Date(revokedAt).toISOString(),
        history: environmentHistory(db, machine.id),
        changes: machineChanges(db, machine.id),
      };
    },
  );
};
