import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ADMIN_PASSWORD,
  ENROLL_SECRET,
  enroll,
  login,
  sampleReport,
  startTestApp,
  type TestServer,
} from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

// Every route of the dashboard API: what a logged-out browser, a viewer and a forged form may do.
const viewerRoutes: [string, string][] = [
  ['GET', '/api/v1/machines'],
  ['GET', '/api/v1/machines/m1'],
  ['GET', '/api/v1/machines/m1/series'],
  ['GET', '/api/v1/machines/m1/trends'],
  ['GET', '/api/v1/machines/m1/health'],
  ['GET', '/api/v1/changes'],
  ['GET', '/api/v1/alerts'],
  ['GET', '/api/v1/alerts/a1'],
  ['POST', '/api/v1/alerts/a1/acknowledge'],
  ['POST', '/api/v1/alerts/a1/resolve'],
  ['GET', '/api/v1/fleet'],
  ['GET', '/api/v1/fleet/versions'],
  ['GET', '/api/v1/developers'],
  ['GET', '/api/v1/developers/devuser'],
  ['GET', '/api/v1/live'],
  ['GET', '/api/v1/export/machines.csv'],
  ['GET', '/api/v1/export/machines.json'],
  ['GET', '/api/v1/export/machines/m1/series.csv?metric=x'],
  ['GET', '/api/v1/export/alerts.csv'],
  ['GET', '/api/v1/export/alerts.json'],
];
const adminRoutes: [string, string][] = [
  ['GET', '/api/v1/enrollment-secrets'],
  ['POST', '/api/v1/enrollment-secrets'],
  ['DELETE', '/api/v1/enrollment-secrets/s1'],
  ['POST', '/api/v1/machines/m1/revoke'],
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users'],
  ['DELETE', '/api/v1/users/lead'],
];

async function viewerSession(): Promise<Record<string, string>> {
  await server.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: 'lead', password: 'viewer-password-123', role: 'viewer' },
  });
  return login(server.app, 'lead', 'viewer-password-123');
}

describe('dashboard authentication', () => {
  it.each([...viewerRoutes, ...adminRoutes])(
    '%s %s answers 401 without a session',
    async (method, url) => {
      const res = await server.app.inject({ method: method as 'GET', url });

      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('DEVFLEET_UNAUTHENTICATED');
    },
  );

  it.each(adminRoutes)('%s %s answers 403 to a viewer', async (method, url) => {
    const viewer = await viewerSession();

    const res = await server.app.inject({ method: method as 'GET', url, headers: viewer });

    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('DEVFLEET_FORBIDDEN');
  });

  it.each([...viewerRoutes, ...adminRoutes].filter(([m]) => m !== 'GET'))(
    '%s %s answers 403 without the CSRF token',
    async (method, url) => {
      const res = await server.app.inject({
        method: method as 'POST',
        url,
        headers: { cookie: server.session.cookie ?? '' },
      });

      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('DEVFLEET_CSRF_TOKEN_INVALID');
    },
  );

  it('lets a viewer read and acknowledge but not manage', async () => {
    const viewer = await viewerSession();

    const read = await server.app.inject({ url: '/api/v1/machines', headers: viewer });
    const manage = await server.app.inject({ url: '/api/v1/enrollment-secrets', headers: viewer });

    expect(read.statusCode).toBe(200);
    expect(manage.statusCode).toBe(403);
  });

  it('ends the sessions of a user whose password an admin changed, or who was removed', async () => {
    const before = await viewerSession();
    const change = await server.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'lead', password: 'another-password-456', role: 'viewer' },
    });
    const after = await login(server.app, 'lead', 'another-password-456');
    const removed = await server.inject({ method: 'DELETE', url: '/api/v1/users/lead' });

    expect(change.statusCode).toBe(201);
    const read = (headers: Record<string, string>) =>
      server.app.inject({ url: '/api/v1/machines', headers });
    expect((await read(before)).statusCode).toBe(401);
    expect(removed.statusCode).toBe(204);
    expect((await read(after)).statusCode).toBe(401);
  });

  it('logs out only with the CSRF token of the session', async () => {
    const cookieOnly = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: server.session.cookie ?? '' },
    });
    const stillIn = await server.inject({ url: '/api/v1/machines' });
    const withToken = await server.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    const out = await server.inject({ url: '/api/v1/machines' });

    expect(cookieOnly.statusCode).toBe(403);
    expect(stillIn.statusCode).toBe(200);
    expect(withToken.statusCode).toBe(204);
    expect(out.statusCode).toBe(401);
  });

  it('slows down an address that keeps sending unknown machine keys, but not known ones', async () => {
    const key = await enroll(server.app);
    const send = (bearer: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${bearer}` },
        payload: sampleReport(),
      });

    const guesses = [];
    for (let i = 0; i < 32; i++) guesses.push(await send(`dfk_guess_${i}`));
    const known = await send(key);

    expect(guesses.slice(0, 30).every((g) => g.statusCode === 401)).toBe(true);
    expect(guesses.at(-1)?.statusCode).toBe(429);
    expect(Number(guesses.at(-1)?.headers['retry-after'])).toBeGreaterThan(0);
    expect(known.statusCode).toBe(201);
  });

  it('slows down an address that keeps trying enrollment secrets', async () => {
    const attempts = [];
    for (let i = 0; i < 31; i++) {
      attempts.push(
        await server.app.inject({
          method: 'POST',
          url: '/api/v1/enroll',
          payload: { secret: `guess-${i}-0123456789`, hostname: 'devhost-01' },
        }),
      );
    }

    expect(attempts.at(-2)?.statusCode).toBe(401);
    expect(attempts.at(-1)?.statusCode).toBe(429);
    expect(attempts.at(-1)?.json().error.code).toBe('DEVFLEET_RATE_LIMITED');
  });

  it('lists the logins to an admin with role and creation time, never a password hash', async () => {
    await viewerSession();

    const res = await server.inject({ url: '/api/v1/users' });

    expect(res.statusCode).toBe(200);
    expect(res.json().users).toEqual([
      { username: 'admin', role: 'admin', createdAt: expect.stringMatching(/^\d{4}-/) },
      { username: 'lead', role: 'viewer', createdAt: expect.stringMatching(/^\d{4}-/) },
    ]);
    expect(res.body).not.toMatch(/scrypt|password/i);
  });

  it('does not let an admin remove itself', async () => {
    const res = await server.inject({ method: 'DELETE', url: '/api/v1/users/admin' });

    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_OWN_ADMIN_ROLE',
      message: 'An admin cannot remove itself',
    });
  });

  it('does not let an admin make itself a viewer, and keeps its role', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'admin', password: 'another-password-456', role: 'viewer' },
    });
    const users = await server.inject({ url: '/api/v1/users' });

    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_OWN_ADMIN_ROLE',
      message: 'An admin cannot take its own admin role away',
    });
    expect(users.json().users[0]).toMatchObject({ username: 'admin', role: 'admin' });
  });

  it('rejects a wrong password and does not say which part was wrong', async () => {
    const wrongPassword = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'not-the-password' },
    });
    const noSuchUser = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'not-the-password' },
    });

    expect(wrongPassword.statusCode).toBe(401);
    expect(noSuchUser.json()).toEqual(wrongPassword.json());
  });

  it('counts login attempts behind a proxy by the address it saw, not one the client names', async () => {
    const proxied = await startTestApp({ config: { bodyLimitBytes: 65536, trustProxy: true } });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) {
        answers.push(
          await proxied.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            // What a client sends is kept on the left; the proxy appends the address it saw.
            headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` },
            payload: { username: 'admin', password: 'guess' },
          }),
        );
      }

      expect(answers.at(-1)?.statusCode).toBe(429);
    } finally {
      await proxied.close();
    }
  });

  it('rate-limits login attempts with 429 and Retry-After', async () => {
    const attempt = () =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password: 'guess' },
      });

    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await attempt());

    const limited = answers.at(-1)!;
    expect(answers.slice(0, 9).every((a) => a.statusCode === 401)).toBe(true);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('DEVFLEET_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('sets an HttpOnly SameSite session cookie, and logout ends the session', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const cookie = res.cookies.find((c) => c.name === 'devfleet_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const headers = {
      cookie: `devfleet_session=${cookie?.value}`,
      'x-csrf-token': res.json().csrfToken as string,
    };

    const out = await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    const after = await server.app.inject({ url: '/api/v1/machines', headers });

    expect(out.statusCode).toBe(204);
    expect(after.statusCode).toBe(401);
  });

  it('sends security headers: no inline script, no sniffing, no framing', async () => {
    const res = await server.app.inject({ url: '/healthz' });

    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});

describe('machine keys and enrollment secrets', () => {
  it('refuses a revoked machine key with 401 that says how to re-enroll', async () => {
    const key = await enroll(server.app);
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${key}` },
      payload: sampleReport(),
    });
    const id = (await server.inject({ url: '/api/v1/machines' })).json().machines[0].id as string;

    const revoked = await server.inject({ method: 'POST', url: `/api/v1/machines/${id}/revoke` });
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { authorization: `Bearer ${key}` },
      payload: sampleReport(),
    });

    const detail = await server.inject({ url: `/api/v1/machines/${id}` });
    const fleet = await server.inject({ url: '/api/v1/machines' });

    expect(revoked.statusCode).toBe(204);
    expect(detail.json().revokedAt).toMatch(/^\d{4}-/);
    expect(fleet.json().machines).toEqual([]);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toEqual({
      code: 'DEVFLEET_MACHINE_KEY_INVALID',
      message: expect.stringContaining('devfleet-agent enroll --force'),
    });
  });

  it('rotates enrollment secrets: the new one enrolls, the revoked one no longer does', async () => {
    const created = await server.inject({
      method: 'POST',
      url: '/api/v1/enrollment-secrets',
      payload: { label: 'rotation 2026-12' },
    });
    expect(created.statusCode).toBe(201);
    const { secret } = created.json<{ secret: string }>();
    const list = (await server.inject({ url: '/api/v1/enrollment-secrets' })).json();
    const old = list.secrets.find((s: { label: string }) => s.label === 'test');

    const revoke = await server.inject({
      method: 'DELETE',
      url: `/api/v1/enrollment-secrets/${old.id}`,
    });
    const enrollWith = (s: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { secret: s, hostname: 'devhost-09' },
      });

    expect(revoke.statusCode).toBe(204);
    expect((await enrollWith(secret)).statusCode).toBe(201);
    expect((await enrollWith(ENROLL_SECRET)).statusCode).toBe(401);
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('answers 429 with Retry-After when one machine sends too fast', async () => {
    await server.close();
    server = await startTestApp({ config: { bodyLimitBytes: 256 * 1024, reportsPerMinute: 3 } });
    const key = await enroll(server.app);
    const send = () =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { authorization: `Bearer ${key}` },
        payload: sampleReport(),
      });

    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await send()).statusCode);
    const limited = await send();

    expect(codes.slice(0, 3)).toEqual([201, 201, 201]);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
