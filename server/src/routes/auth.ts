import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { verifyPassword } from '../auth/keys.js';
import { endSession, requireSession, sessionUser, startSession } from '../auth/sessions.js';
import type { Db } from '../db/client.js';
import { findUser } from '../db/settings-repository.js';
import { DevfleetError } from '../errors.js';
import { withExample } from '../openapi/examples.js';

const SessionInfo = Type.Object({
  user: Type.Object({ username: Type.String(), role: Type.String() }),
  csrfToken: Type.String(),
});
const sessionExample = withExample(SessionInfo, {
  user: { username: 'admin', role: 'admin' },
  csrfToken: 'p8Qz1xV4mK7rT2wY9bN3cJ6hL0sD5fG8',
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
        tags: ['auth'],
        summary: 'Log in',
        description:
          'Starts a dashboard session: sets the `devfleet_session` cookie (HttpOnly, ' +
          'SameSite=Strict) and returns the CSRF token that state-changing requests send in ' +
          '`X-CSRF-Token`. Rate-limited per address (DEVFLEET_LOGIN_RATE_LIMIT a minute).',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 128 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { examples: [{ username: 'admin', password: 'correct horse battery staple' }] },
        ),
        response: { 200: sessionExample },
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
    {
      schema: {
        tags: ['auth'],
        summary: 'The current session',
        description: "Who is logged in and the session's CSRF token; 401 when not logged in.",
        security: [{ session: [] }],
        response: { 200: sessionExample },
      },
    },
    async (request) => {
      const user = sessionUser(db, request);
      if (!user) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED', 'Not logged in');
      return { user: { username: user.username, role: user.role }, csrfToken: user.csrfToken };
    },
  );

  const logoutSchema = {
    tags: ['auth'],
    summary: 'Log out',
    description: 'Ends the session, if any, and clears its cookie.',
    response: { 204: { description: 'Logged out', type: 'null' } },
  };
  app.post('/api/v1/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    // Like every change, a logout needs the session's CSRF token: another site must not be
    // able to sign a user out. Without a session there is nothing to end.
    if (sessionUser(db, request)) await requireSession(db, 'viewer')(request);
    endSession(db, reply, request);
    return reply.code(204).send();
  });
};
