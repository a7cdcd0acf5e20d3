import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';

import { migrationsDir } from '../paths.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database cannot be opened or migrated: a fact about this machine, said in one line. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/**
 * Opens the database file (creating its folder), applies pending migrations in one transaction
 * and returns the drizzle handle. A failed migration throws: the caller must stop the process.
 * A second connection of the same process (the writer thread) skips the migrations, which the
 * first applied.
 */
export function openDatabase(file: string, { migrate: runMigrations = true } = {}): Db {
  const sqlite = openFile(file);
  try {
    refuseForeign(sqlite, file);
    configure(sqlite);
  } catch (error) {
    sqlite.close();
    if (error instanceof DatabaseOpenError) throw error;
    throw new DatabaseOpenError(`cannot open the database ${file}: ${reasonOf(error)}`, {
      cause: error,
    });
  }

  const db = drizzle(sqlite, { schema });
  if (!runMigrations) return db;
  try {
    migrate(db, { migrationsFolder: migrationsDir });
  } catch (error) {
    sqlite.close();
    throw new DatabaseOpenError(`cannot migrate the database ${file}: ${reasonOf(error)}`, {
      cause: error,
    });
  }

  return db;
}

/**
 * The file, created readable by its owner only when new: it holds every report of the team and
 * the enrollment secret. SQLite gives its -wal and -shm files the same mode.
 */
function openFile(file: string): Database.Database {
  try {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    return new Database(file);
  } catch (error) {
    throw new DatabaseOpenError(`cannot open the database ${file}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
}

const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * A database of another program (tables, none of them ours) is left untouched: migrating it
 * would add devfleet's tables to it, and WAL mode would change how that program opens it.
 */
function refuseForeign(sqlite: Database.Database, file: string): void {
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  if (tables.length === 0 || isDevfleetHistory(sqlite, tables)) return;
  const some = tables
    .filter((name) => name !== MIGRATIONS_TABLE)
    .slice(0, 3)
    .join(', ');
  throw new DatabaseOpenError(
    `cannot open the database ${file}: it holds another program's tables (${some}), ` +
      'not a devfleet database; it was left unchanged',
  );
}

/**
 * Ours when the first migration applied is our first migration: drizzle records each one's hash,
 * so another program's drizzle history does not pass for devfleet's.
 */
function isDevfleetHistory(sqlite: Database.Database, tables: string[]): boolean {
  if (!tables.includes(MIGRATIONS_TABLE)) return false;
  const first = sqlite
    .prepare(`SELECT hash FROM ${MIGRATIONS_TABLE} ORDER BY created_at, id LIMIT 1`)
    .pluck()
    .get() as string | undefined;
  if (first === undefined) return tables.length === 1;
  return first === readMigrationFiles({ migrationsFolder: migrationsDir })[0]?.hash;
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  // drizzle wraps a failed migration statement; the driver's message says what went wrong.
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function configure(sqlite: Database.Database): void {
  // WAL lets the dashboard read while a report commits; NORMAL sync is durable across process
  // crashes (a SIGKILL loses nothing committed), which is the failure the server must survive.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MiB; a year of a large fleet's indexes is far more, and
  // every page the cache misses is a read from the operating system. Allocated as used.
  sqlite.pragma('cache_size = -65536');
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}
