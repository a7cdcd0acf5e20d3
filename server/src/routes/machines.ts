import { MachineDetail, MachineList } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import type { Db } from '../db/client.js';
import {
  environmentHistory,
  getMachine,
  listMachines,
  machineChanges,
} from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const machineRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get('/api/v1/machines', { schema: { response: { 200: MachineList } } }, async () => {
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
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: MachineDetail },
      },
    },
    async (request) => {
      const machine = getMachine(db, request.params.id);
      if (!machine) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No machine with this id');

      return {
        machine,
        history: environmentHistory(db, machine.id),
        changes: machineChanges(db, machine.id),
      };
    },
  );
};
