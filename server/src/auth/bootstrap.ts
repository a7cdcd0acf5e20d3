import type { Config } from '../config/config.js';
import type { Db } from '../db/client.js';
import { findUser, getSetting, setSetting, upsertUser } from '../db/settings-repository.js';
import { hashPassword, newSecret } from './keys.js';

const ENROLL_SECRET_KEY = 'enroll_secret';
export const ADMIN_USERNAME = 'admin';

export interface Credentials {
  enrollSecret: string;
  /** Where the secret came from: the environment, the database, or made just now. */
  enrollSecretSource: 'environment' | 'database' | 'generated';
  adminUsername: string;
  /** The admin password, only when this call generated it: it is never readable again. */
  generatedAdminPassword: string | null;
}

/**
 * Makes sure the server has an enrollment secret and an admin login. A generated secret is kept
 * in the database so that agents can enroll after a restart with the secret printed the first time.
 */
export async function ensureCredentials(db: Db, config: Config): Promise<Credentials> {
  let enrollSecret = config.enrollSecret;
  let enrollSecretSource: Credentials['enrollSecretSource'] = 'environment';
  if (enrollSecret === null) {
    enrollSecret = getSetting(db, ENROLL_SECRET_KEY) ?? null;
    enrollSecretSource = 'database';
  }
  if (enrollSecret === null) {
    enrollSecret = newSecret();
    enrollSecretSource = 'generated';
    setSetting(db, ENROLL_SECRET_KEY, enrollSecret);
  }

  let generatedAdminPassword: string | null = null;
  if (config.adminPassword !== null) {
    const passwordHash = await hashPassword(config.adminPassword);
    upsertUser(db, { username: ADMIN_USERNAME, passwordHash, role: 'admin' });
  } else if (!findUser(db, ADMIN_USERNAME)) {
    generatedAdminPassword = newSecret();
    const passwordHash = await hashPassword(generatedAdminPassword);
    upsertUser(db, { username: ADMIN_USERNAME, passwordHash, role: 'admin' });
  }

  return {
    enrollSecret,
    enrollSecretSource,
    adminUsername: ADMIN_USERNAME,
    generatedAdminPassword,
  };
}
