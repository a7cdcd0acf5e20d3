import { eq } from 'drizzle-orm';

import type { Db } from './client.js';
import { settings, users } from './schema.js';

export function getSetting(db: Db, key: string): string | undefined {
  return db.select().from(settings).where(eq(settings.key, key)).get()?.value;
}

export function setSetting(db: Db, key: string, value: string): void {
  db.insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } })
    .run();
}

export function findUser(db: Db, username: string) {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export function upsertUser(
  db: Db,
  user: { username: string; passwordHash: string; role: 'admin' | 'viewer' },
): void {
  db.insert(users)
    .values(user)
    .onConflictDoUpdate({
      target: users.username,
      set: { passwordHash: user.passwordHash, role: user.role },
    })
    .run();
}
