import { randomUUID } from 'node:crypto';

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { hashMachineKey, hashPassword, newSecret } from '../auth/keys.js';
import {
  insertEnrollmentSecret,
  listEnrollmentSecrets,
  revokeEnrollmentSecret,
} from '../db/auth-repository.js';
import type { Db } from '../db/client.js';
import { revokeMachine } from '../db/machine-repository.js';
import { upsertUser } from '../db/settings-repository.js';
import { DevfleetError } from '../errors.js';

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
const SecretInfo = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

/** What only an admin may do: enrollment secrets, machines, users. Mounted behind the admin guard. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/v1/enrollment-secrets',
    { schema: { response: { 200: Type.Object({ secrets: Type.Array(SecretInfo) }) } } },
    async () => ({
      secrets: listEnrollmentSecrets(db).map((s) => ({
        id: s.id,
        label: s.label,
        createdAt: new Date(s.createdAt).toISOString(),
        revokedAt: s.revokedAt === null ? null : new Date(s.revokedAt).toISOString(),
      })),
    }),
  );

  app.post(
    '/api/v1/enrollment-secrets',
    {
      schema: {
        body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: {
          201: Type.Object({ id: Type.String(), label: Type.String(), secret: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      // The secret is shown in this answer only; the database keeps its hash.
      const secret = newSecret();
      const id = randomUUID();
      insertEnrollmentSecret(db, {
        id,
        label: request.body.label,
        secretHash: hashMachineKey(secret),
        createdAt: Date.now(),
      });
      request.log.info({ secretId: id }, 'enrollment secret created');
      return reply.code(201).send({ id, label: request.body.label, secret });
    },
  );

  app.delete(
    '/api/v1/enrollment-secrets/:id',
    { schema: { params: Id } },
    async (request, reply) => {
      if (!revokeEnrollmentSecret(db, request.params.id, Date.now())) {
        throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No active enrollment secret with this id');
      }
      request.log.info({ secretId: request.params.id }, 'enrollment secret revoked');
      return reply.code(204).send();
    },
  );

  app.post('/api/v1/machines/:id/revoke', { schema: { params: Id } }, async (request, reply) => {
    if (!revokeMachine(db, request.params.id, Date.now())) {
      throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No active machine with this id');
    }
    request.log.info({ machineId: request.params.id }, 'machine revoked');
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/users',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
          password: Type.String({ minLength: 12, maxLength: 1024 }),
          role: Type.Union([Type.Literal('admin'), Type.Literal('viewer')]),
        }),
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      upsertUser(db, { username, passwordHash: await hashPassword(password), role });
      request.log.info({ username, role }, 'user saved');
      return reply.code(201).send({ username, role });
    },
  );
};
