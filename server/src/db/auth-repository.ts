import { and, eq, gt, isNull, lt } from 'drizzle-orm';

import type { Db } from './client.js';
import { enrollmentSecrets, sessions, users } from './schema.js';

export type Role = (typeof users.$inferSelect)['role'];

export interface SessionUser {
  id: number;
  username: string;
  role: Role;
  csrfToken: string;
}

export function insertSession(
  db: Db,
  session: {
    tokenHash: string;
    userId: number;
    csrfToken: string;
    createdAt: number;
    expiresAt: number;
  },
): void {
  db.insert(sessions).values(session).run();
}

/** The user behind a live session token hash, or undefined when unknown or expired. */
export function findSessionUser(db: Db, tokenHash: string, now: number): SessionUser | undefined {
  const row = db
    .select({ user: users, csrfToken: sessions.csrfToken })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .get();
  if (!row) return undefined;

  return {
    id: row.user.id,
    username: row.user.username,
    role: row.user.role,
    csrfToken: row.csrfToken,
  };
}

/** Ends every session of a user: after a new password or role, or once the user is gone. */
export function endUserSessions(db: Db, username: string): void {
  const user = db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
  if (user) db.delete(sessions).where(eq(sessions.userId, user.id)).run();
}

export interface UserRow {
  username: string;
  role: Role;
  createdAt: number;
}

/** Every login, without its password hash: the admin page lists them. */
export function listUsers(db: Db): UserRow[] {
  return db
    .select({ username: users.username, role: users.role, createdAt: users.createdAt })
    .from(users)
    .orderBy(users.username)
    .all();
}

/** Removes a login and its sessions; false when there was no such user. */
export function deleteUser(db: Db, username: string): boolean {
  return db.transaction((tx) => {
    const user = tx.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
    if (!user) return false;
    tx.delete(sessions).where(eq(sessions.userId, user.id)).run();
    tx.delete(users).where(eq(users.id, user.id)).run();
    return true;
  });
}

export function deleteSession(db: Db, tokenHash: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
}

export function deleteExpiredSessions(db: Db, now: number): void {
  db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
}

export interface EnrollmentSecretRow {
  id: string;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}

export function insertEnrollmentSecret(
  db: Db,
  secret: { id: string; label: string; secretHash: string; createdAt: number },
): void {
  db.insert(enrollmentSecrets).values(secret).onConflictDoNothing().run();
}

export function isActiveEnrollmentSecret(db: Db, secretHash: string): boolean {
  const row = db
    .select({ id: enrollmentSecrets.id })
    .from(enrollmentSecrets)
    .where(and(eq(enrollmentSecrets.secretHash, secretHash), isNull(enrollmentSecrets.revokedAt)))
    .get();
  return row !== undefined;
}

export function hasEnrollmentSecret(db: Db, secretHash: string): boolean {
  const row = db
    .select({ id: enrollmentSecrets.id })
    .from(enrollmentSecrets)
    .where(eq(enrollmentSecrets.secretHash, secretHash))
    .get();
  return row !== undefined;
}

export function listEnrollmentSecrets(db: Db): EnrollmentSecretRow[] {
  return db
    .select({
      id: enrollmentSecrets.id,
      label: enrollmentSecrets.label,
      createdAt: enrollmentSecrets.createdAt,
      revokedAt: enrollmentSecrets.revokedAt,
    })
    .from(enrollmentSecrets)
    .orderBy(enrollmentSecrets.createdAt)
    .all();
}

export function revokeEnrollmentSecret(db: Db, id: string, now: number): boolean {
  const result = db
    .update(enrollmentSecrets)
    .set({ revokedAt: now })
    .where(and(eq(enrollmentSecrets.id, id), isNull(enrollmentSecrets.revokedAt)))
    .run();
  return result.changes > 0;
}
