import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { verifyPassword } from '../auth/keys.js';
import { endSession, sessionUser, startSession } from '../auth/sessions.js';
import type { Db } from '../db/client.js';
import { findUser } from '../db/settings-repository.js';
import { DevfleetError } from '../errors.js';

const SessionInfo = Type.Object({
  user: Type.Object({ username: Type.String(), role: Type.String() }),
  csrfToken: Type.String(),
});

// A scrypt hash of a fixed string: a login with an unknown user name costs the same as one with
// a wrong password, so timing does not tell which user names exist.
const DUMMY_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Db; loginsPerMinute: number }> = async (
  app,
  { db, loginsPerMinute },
) => {
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 128 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: { 200: SessionInfo },
      },
      config: { rateLimit: { max: loginsPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = findUser(db, username);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok) {
        request.log.warn({ username: username.slice(0, 64) }, 'login failed');
        throw new DevfleetError('DEVFLEET_LOGIN_FAILED');
      }

      const csrfToken = startSession(db, reply, request, user.id);
      request.log.info({ userId: user.id }, 'logged in');
      return { user: { username: user.username, role: user.role }, csrfToken };
    },
  );

  app.get(
    '/api/v1/auth/session',
    { schema: { response: { 200: SessionInfo } } },
    async (request) => {
      const user = sessionUser(db, request);
      if (!user) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED', 'Not logged in');
      return { user: { username: user.username, role: user.role }, csrfToken: user.csrfToken };
    },
  );

  app.post('/api/v1/auth/logout', async (request, reply) => {
    endSession(db, reply, request);
    return reply.code(204).send();
  });
};
