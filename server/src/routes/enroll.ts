import { EnrollRequest, EnrollResponse } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

import type { FailureLimiter } from '../auth/failure-limiter.js';
import { hashMachineKey, newMachineId, newMachineKey } from '../auth/keys.js';
import { isActiveEnrollmentSecret } from '../db/auth-repository.js';
import type { Db } from '../db/client.js';
import { createMachine } from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';
import { cleanText } from '../ingest/clean-text.js';
import { exampleMachineId, withExample } from '../openapi/examples.js';

export const enrollRoutes: FastifyPluginAsyncTypebox<{ db: Db; failures: FailureLimiter }> = async (
  app,
  { db, failures },
) => {
  app.post(
    '/api/v1/enroll',
    {
      schema: {
        tags: ['agent'],
        summary: 'Enroll a machine',
        description:
          'Exchanges an active enrollment secret for a machine id and key. The key is shown in ' +
          'this answer only (the server keeps its SHA-256); the agent sends it as a bearer token.',
        body: withExample(EnrollRequest, {
          secret: 'k3J9x2mQ7vR4tY8wZ1aB5cD6eF0gH2iJ',
          hostname: 'DEVHOST-01',
          user: 'devuser',
        }),
        response: {
          201: withExample(EnrollResponse, {
            machineId: exampleMachineId,
            machineKey: 'dfk_Vq3m9Zk2xR7tB4nW8yL1cH6pD0sF5gJ2aE9uK3oI7hM',
          }),
        },
      },
    },
    async (request, reply) => {
      const { secret, hostname, user } = request.body;
      failures.check(request.ip);
      // Secrets are looked up by hash: a revoked one stops working at once, the others don't.
      if (!isActiveEnrollmentSecret(db, hashMachineKey(secret))) {
        failures.fail(request.ip);
        throw new DevfleetError('DEVFLEET_ENROLL_SECRET_INVALID');
      }

      const machineId = newMachineId();
      const machineKey = newMachineKey();
      createMachine(db, {
        id: machineId,
        keyHash: hashMachineKey(machineKey),
        hostname: cleanText(hostname),
        owner: cleanText(user ?? ''),
        enrolledAt: Date.now(),
      });

      request.log.info({ machineId, hostname }, 'machine enrolled');
      return reply.code(201).send({ machineId, machineKey });
    },
  );
};
