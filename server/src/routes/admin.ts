import { randomUUID } from 'node:crypto';

import { EnrollmentSecretList, NewEnrollmentSecret, UserList, UserRole } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { hashMachineKey, hashPassword, newSecret } from '../auth/keys.js';
import {
  deleteUser,
  endUserSessions,
  insertEnrollmentSecret,
  listEnrollmentSecrets,
  listUsers,
  revokeEnrollmentSecret,
} from '../db/auth-repository.js';
import type { Db } from '../db/client.js';
import { revokeMachine } from '../db/machine-repository.js';
import { upsertUser } from '../db/settings-repository.js';
import { DevfleetError } from '../errors.js';
import { exampleMachineId, withExample } from '../openapi/examples.js';

const Id = Type.Object({ id: Type.String({ maxLength: 64, examples: [exampleMachineId] }) });
const NoContent = { description: 'Done', type: 'null' };

/** What only an admin may do: enrollment secrets, machines, users. Mounted behind the admin guard. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/api/v1/enrollment-secrets',
    {
      schema: {
        tags: ['admin'],
        summary: 'List enrollment secrets',
        description: 'Active and revoked enrollment secrets; the secrets themselves are not kept.',
        response: {
          200: withExample(EnrollmentSecretList, {
            secrets: [
              {
                id: '5b0c7e7a-1d2f-4c4e-8f0b-9a3d2e1c0b7a',
                label: 'onboarding 2025',
                createdAt: '2025-01-02T10:00:00.000Z',
                revokedAt: null,
              },
            ],
          }),
        },
      },
    },
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
        tags: ['admin'],
        summary: 'Create an enrollment secret',
        description: 'A new secret agents can enroll with; shown in this answer only.',
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 128 }) },
          { examples: [{ label: 'onboarding 2025' }] },
        ),
        response: {
          201: withExample(NewEnrollmentSecret, {
            id: '5b0c7e7a-1d2f-4c4e-8f0b-9a3d2e1c0b7a',
            label: 'onboarding 2025',
            secret: 'k3J9x2mQ7vR4tY8wZ1aB5cD6eF0gH2iJ',
          }),
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
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an enrollment secret',
        description: 'It enrolls no machine from now on; machines enrolled with it keep working.',
        params: Id,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      if (!revokeEnrollmentSecret(db, request.params.id, Date.now())) {
        throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No active enrollment secret with this id');
      }
      request.log.info({ secretId: request.params.id }, 'enrollment secret revoked');
      return reply.code(204).send();
    },
  );

  const revokeSchema = {
    tags: ['admin'],
    summary: 'Revoke a machine',
    description: 'Its key stops working at once (401 on its next report); its history stays.',
    params: Id,
    response: { 204: NoContent },
  };
  app.post('/api/v1/machines/:id/revoke', { schema: revokeSchema }, async (request, reply) => {
    if (!revokeMachine(db, request.params.id, Date.now())) {
      throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No active machine with this id');
    }
    request.log.info({ machineId: request.params.id }, 'machine revoked');
    return reply.code(204).send();
  });

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List logins',
        description:
          'Every dashboard login with its role and creation time; never a password hash.',
        response: {
          200: withExample(UserList, {
            users: [
              { username: 'admin', role: 'admin', createdAt: '2025-01-02T10:00:00.000Z' },
              { username: 'devuser', role: 'viewer', createdAt: '2025-01-06T08:30:00.000Z' },
            ],
          }),
        },
      },
    },
    async () => ({
      users: listUsers(db).map((u) => ({
        username: u.username,
        role: u.role,
        createdAt: new Date(u.createdAt).toISOString(),
      })),
    }),
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Add or update a login',
        description:
          'Creates the user, or sets the password and role of an existing one. An admin cannot ' +
          'make itself a viewer.',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
            password: Type.String({ minLength: 12, maxLength: 1024 }),
            role: UserRole,
          },
          {
            examples: [{ username: 'devuser', password: 'a long passphrase here', role: 'viewer' }],
          },
        ),
        response: {
          201: Type.Object(
            { username: Type.String(), role: Type.String() },
            { description: 'Saved', examples: [{ username: 'devuser', role: 'viewer' }] },
          ),
        },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      // As with removing itself: the last admin would leave nobody to manage logins.
      if (username === request.user?.username && role !== 'admin') {
        throw new DevfleetError(
          'DEVFLEET_OWN_ADMIN_ROLE',
          'An admin cannot take its own admin role away',
        );
      }
      upsertUser(db, { username, passwordHash: await hashPassword(password), role });
      // Whoever held the old password keeps no session opened with it.
      endUserSessions(db, username);
      request.log.info({ username, role }, 'user saved');
      return reply.code(201).send({ username, role });
    },
  );

  app.delete(
    '/api/v1/users/:username',
    {
      schema: {
        tags: ['admin'],
        summary: 'Remove a login',
        description: 'Deletes the user and ends its sessions. An admin cannot remove itself.',
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 204: { ...NoContent, description: 'Removed' } },
      },
    },
    async (request, reply) => {
      const { username } = request.params;
      if (username === request.user?.username) {
        throw new DevfleetError('DEVFLEET_OWN_ADMIN_ROLE', 'An admin cannot remove itself');
      }
      if (!deleteUser(db, username)) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No such user');
      request.log.info({ username }, 'user removed');
      return reply.code(204).send();
    },
  );
};
