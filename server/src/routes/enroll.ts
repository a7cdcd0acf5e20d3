import { EnrollRequest, EnrollResponse } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import { hashMachineKey, newMachineId, newMachineKey } from '../auth/keys.js';
import { isActiveEnrollmentSecret } from '../db/auth-repository.js';
import type { Db } from '../db/client.js';
import { createMachine } from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';

export const enrollRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.post(
    '/api/v1/enroll',
    { schema: { body: EnrollRequest, response: { 201: EnrollResponse } } },
    async (request, reply) => {
      const { secret, hostname, user } = request.body;
      // Secrets are looked up by hash: a revoked one stops working at once, the others don't.
      if (!isActiveEnrollmentSecret(db, hashMachineKey(secret)))
        throw new DevfleetError('DEVFLEET_ENROLL_SECRET_INVALID');

      const machineId = newMachineId();
      const machineKey = newMachineKey();
      createMachine(db, {
        id: machineId,
        keyHash: hashMachineKey(machineKey),
        hostname,
        owner: user ?? '',
        enrolledAt: Date.now(),
      });

      request.log.info({ machineId, hostname }, 'machine enrolled');
      return reply.code(201).send({ machineId, machineKey });
    },
  );
};
