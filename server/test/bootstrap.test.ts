import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ensureCredentials } from '../src/auth/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { findUser, upsertUser } from '../src/db/settings-repository.js';
import { startTestApp, type TestServer } from './helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestApp();
});

afterEach(async () => {
  await server.close();
});

const config = (adminPassword: string | undefined) =>
  loadConfig({ DEVFLEET_ADMIN_PASSWORD: adminPassword, DEVFLEET_DB: ':memory:' });

describe('the admin login at start', () => {
  it('gives the admin role back when started with the admin’s own password', async () => {
    await ensureCredentials(server.db, config('a-long-admin-password'));
    const admin = findUser(server.db, 'admin');
    upsertUser(server.db, { username: 'admin', passwordHash: admin!.passwordHash, role: 'viewer' });

    const again = await ensureCredentials(server.db, config('a-long-admin-password'));

    expect(findUser(server.db, 'admin')).toMatchObject({
      role: 'admin',
      passwordHash: admin!.passwordHash,
    });
    expect(again.generatedAdminPassword).toBeNull();
  });

  it('leaves an admin made earlier as it is when no password is set', async () => {
    const before = findUser(server.db, 'admin');

    const credentials = await ensureCredentials(server.db, config(undefined));

    expect(credentials.generatedAdminPassword).toBeNull();
    expect(findUser(server.db, 'admin')).toEqual(before);
  });
});
