import { randomUUID } from 'node:crypto';

import type { Config } from '../config/config.js';
import {
  endUserSessions,
  hasEnrollmentSecret,
  insertEnrollmentSecret,
  isActiveEnrollmentSecret,
} from '../db/auth-repository.js';
import type { Db } from '../db/client.js';
import { findUser, getSetting, setSetting, upsertUser } from '../db/settings-repository.js';
import { hashMachineKey, hashPassword, newSecret, verifyPassword } from './keys.js';

const FIRST_SECRET_KEY = 'enroll_secret';
export const ADMIN_USERNAME = 'admin';

export interface Credentials {
  enrollSecret: string;
  /** Where the secret came from: the environment, the database, or made just now. */
  enrollSecretSource: 'environment' | 'database' | 'generated';
  /** False when an admin revoked the environment's secret: it no longer enrolls anyone. */
  enrollSecretActive: boolean;
  adminUsername: string;
  /** The admin password, only when this call generated it: it is never readable again. */
  generatedAdminPassword: string | null;
}

/**
 * Makes sure the server has an enrollment secret and an admin login. A generated secret is kept
 * in the database (as text, so `npm start` can enroll this machine after a restart, and as a hash
 * among the enrollment secrets); a revoked generated secret is replaced by a new one.
 */
export async function ensureCredentials(db: Db, config: Config): Promise<Credentials> {
  const { secret, source } = firstSecret(db, config);
  const hash = hashMachineKey(secret);
  // A secret seen before keeps its state: an admin's revocation survives a restart.
  if (!hasEnrollmentSecret(db, hash)) {
    const label = source === 'environment' ? 'DEVFLEET_ENROLL_SECRET' : 'first start';
    insertEnrollmentSecret(db, {
      id: randomUUID(),
      label,
      secretHash: hash,
      createdAt: Date.now(),
    });
  }

  let generatedAdminPassword: string | null = null;
  const admin = findUser(db, ADMIN_USERNAME);
  if (config.adminPassword !== null) {
    // A restart with the same DEVFLEET_ADMIN_PASSWORD keeps the admin's sessions; a new one
    // replaces the password and ends them.
    const same = admin ? await verifyPassword(config.adminPassword, admin.passwordHash) : false;
    if (!same) {
      const passwordHash = await hashPassword(config.adminPassword);
      upsertUser(db, { username: ADMIN_USERNAME, passwordHash, role: 'admin' });
      endUserSessions(db, ADMIN_USERNAME);
    } else if (admin && admin.role !== 'admin') {
      // The way back in after the admin login lost its role: the same password restores it.
      upsertUser(db, { username: ADMIN_USERNAME, passwordHash: admin.passwordHash, role: 'admin' });
    }
  } else if (!admin) {
    generatedAdminPassword = newSecret();
    const passwordHash = await hashPassword(generatedAdminPassword);
    upsertUser(db, { username: ADMIN_USERNAME, passwordHash, role: 'admin' });
  }

  return {
    enrollSecret: secret,
    enrollSecretSource: source,
    enrollSecretActive: isActiveEnrollmentSecret(db, hash),
    adminUsername: ADMIN_USERNAME,
    generatedAdminPassword,
  };
}

function firstSecret(
  db: Db,
  config: Config,
): { secret: string; source: Credentials['enrollSecretSource'] } {
  if (config.enrollSecret !== null) return { secret: config.enrollSecret, source: 'environment' };

  const stored = getSetting(db, FIRST_SECRET_KEY);
  if (stored && isActiveEnrollmentSecret(db, hashMachineKey(stored))) {
    return { secret: stored, source: 'database' };
  }

  const secret = newSecret();
  setSetting(db, FIRST_SECRET_KEY, secret);
  return { secret, source: 'generated' };
}
