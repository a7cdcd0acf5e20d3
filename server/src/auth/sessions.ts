import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Db } from '../db/client.js';
import {
  deleteSession,
  findSessionUser,
  insertSession,
  type Role,
  type SessionUser,
} from '../db/auth-repository.js';
import { DevfleetError } from '../errors.js';

export const SESSION_COOKIE = 'devfleet_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const roleRank: Record<Role, number> = { viewer: 1, admin: 2 };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function startSession(db: Db, reply: FastifyReply, request: FastifyRequest, userId: number) {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = Date.now();
  insertSession(db, {
    tokenHash: hashToken(token),
    userId,
    csrfToken,
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
  });

  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    // Behind a TLS-terminating proxy (trustProxy on) the request reads https: mark it Secure.
    secure: request.protocol === 'https',
    maxAge: SESSION_TTL_MS / 1000,
  });
  return csrfToken;
}

export function endSession(db: Db, reply: FastifyReply, request: FastifyRequest): void {
  const token = request.cookies[SESSION_COOKIE];
  if (token) deleteSession(db, hashToken(token));
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export function sessionUser(db: Db, request: FastifyRequest): SessionUser | undefined {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  return findSessionUser(db, hashToken(token), Date.now());
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The guard of every dashboard route: a live session with at least `role`, and on a state-changing
 * request the session's CSRF token in a header. A cross-site form can send the cookie but cannot
 * read the token, so it cannot forge the header.
 */
export function requireSession(db: Db, role: Role) {
  return async (request: FastifyRequest) => {
    const user = sessionUser(db, request);
    if (!user) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED', 'Log in to the dashboard first');

    if (unsafeMethods.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !tokensEqual(sent, user.csrfToken)) {
        throw new DevfleetError('DEVFLEET_CSRF_TOKEN_INVALID');
      }
    }

    if (roleRank[user.role] < roleRank[role]) throw new DevfleetError('DEVFLEET_FORBIDDEN');
    request.user = user;
  };
}

function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: SessionUser;
  }
}
