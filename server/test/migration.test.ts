import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { closeDatabase, openDatabase, type Db } from '../src/db/client.js';
import { environmentHistory, listMachines, machineChanges } from '../src/db/machine-repository.js';
import { recordReport, storedReport } from '../src/db/report-repository.js';
import { listSeries, seriesPoints } from '../src/db/series-repository.js';
import { migrationsDir } from '../src/paths.js';

let dir: string;
let file: string;
let db: Db | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-migration-'));
  file = path.join(dir, 'devfleet.db');
});

afterEach(() => {
  if (db) closeDatabase(db);
  db = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A database at schema 0005 holding the history in fixtures/schema-0005-history.sql. */
function databaseAt0005(): void {
  const old = path.join(dir, 'migrations-0005');
  fs.mkdirSync(path.join(old, 'meta'), { recursive: true });
  const journal = JSON.parse(
    fs.readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8'),
  ) as { entries: { idx: number; tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= 5);
  fs.writeFileSync(path.join(old, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const { tag } of journal.entries) {
    fs.copyFileSync(path.join(migrationsDir, `${tag}.sql`), path.join(old, `${tag}.sql`));
  }

  const sqlite = new Database(file);
  migrate(drizzle(sqlite), { migrationsFolder: old });
  const history = path.join(import.meta.dirname, 'fixtures', 'schema-0005-history.sql');
  sqlite.exec(fs.readFileSync(history, 'utf8'));
  sqlite.close();
}

function rawOf(id: string): unknown {
  const sqlite = new Database(file, { readonly: true });
  const row = sqlite.prepare('select raw from reports where id = ?').get(id) as { raw: string };
  sqlite.close();
  return JSON.parse(row.raw);
}

describe('migration 0006: shared environments and series', () => {
  it('keeps every report, sample and change event of a database from before', () => {
    databaseAt0005();
    const before = rawOf('rep-1-3-xxxx');

    db = openDatabase(file);

    const count = (table: string) =>
      (db!.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    expect([count('reports'), count('environments'), count('samples'), count('changes')]).toEqual([
      20, 20, 242, 2,
    ]);
    expect(db.$client.pragma('foreign_key_check')).toEqual([]);
    expect(storedReport(db, 'rep-1-3-xxxx')?.report).toEqual(before);

    const machines = listMachines(db);
    expect(machines.map((m) => [m.id, m.environment?.desktopVersion])).toEqual([
      ['m0', '4.37.1'],
      ['m1', '4.37.1'],
    ]);
    expect(machineChanges(db, 'm0').map((c) => [c.field, c.from, c.to, c.reportId])).toEqual([
      ['desktopVersion', '4.36.0', '4.37.1', 'rep-0-5-xxxx'],
    ]);
    expect(listSeries(db, 'm0').map((s) => [s.name, s.count])).toContainEqual([
      'bench.mount.bind.create',
      10,
    ]);
    expect(listSeries(db, 'm0').map((s) => s.name)).toContain('build:api');
    const slowdown = db.$client
      .prepare('select id, mount_slowdown as slowdown from machines order by id')
      .all();
    expect(slowdown).toEqual([
      { id: 'm0', slowdown: 1.32016632016632 },
      { id: 'm1', slowdown: 1.2609603340292275 },
    ]);
  });

  it('goes on from what was known: the next update is a change event, the same one is not', () => {
    databaseAt0005();
    db = openDatabase(file);
    const latest = storedReport(db, 'rep-0-9-xxxx')?.report;
    if (!latest) throw new Error('the fixture has no rep-0-9-xxxx');
    const at = (hours: number) =>
      new Date(Date.parse(latest.collectedAt) + hours * 3600_000).toISOString();

    // The same environment an hour later, without benchmarks this time.
    const same = structuredClone(latest);
    Object.assign(same, { reportId: 'after-migration-1', collectedAt: at(1), benchmarks: [] });
    recordReport(db, 'm0', same, Date.parse(at(1)));
    const next = structuredClone(same);
    Object.assign(next, { reportId: 'after-migration-2', collectedAt: at(2) });
    next.docker.desktop = { version: '4.38.0', build: '180000' };
    recordReport(db, 'm0', next, Date.parse(at(2)));

    const changes = machineChanges(db, 'm0').map((c) => [c.field, c.from, c.to, c.reportId]);
    expect(changes).toEqual([
      ['desktopBuild', '175267', '180000', 'after-migration-2'],
      ['desktopVersion', '4.37.1', '4.38.0', 'after-migration-2'],
      ['desktopVersion', '4.36.0', '4.37.1', 'rep-0-5-xxxx'],
    ]);
    const history = environmentHistory(db, 'm0');
    expect(history[0]).toMatchObject({ desktopVersion: '4.38.0', reportId: 'after-migration-2' });
    expect(history[1]).toMatchObject({ reportId: 'after-migration-1', lastCollectedAt: at(1) });
    const points = seriesPoints(db, 'm0', 'bench.mount.bind.create', {
      from: 0,
      to: Date.parse(at(2)),
    });
    expect(points).toHaveLength(10);
  });
});

describe('a database of another program', () => {
  const writeOtherDatabase = (sql: string) => {
    const other = new Database(file);
    other.exec(sql);
    other.close();
  };

  it('is refused and left as it was: no devfleet tables, no WAL', () => {
    writeOtherDatabase(
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); ' +
        "INSERT INTO users VALUES (1, 'devuser')",
    );

    expect(() => openDatabase(file)).toThrow(
      `cannot open the database ${file}: it holds another program's tables (users), not a ` +
        'devfleet database; it was left unchanged',
    );

    const after = new Database(file, { readonly: true });
    const tables = after
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all();
    expect(tables).toEqual(['users']);
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('is refused when it keeps its own drizzle migrations', () => {
    writeOtherDatabase(
      'CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash TEXT, created_at NUMERIC);' +
        "INSERT INTO __drizzle_migrations VALUES (1, 'not-ours', 1); CREATE TABLE posts (id);",
    );

    expect(() => openDatabase(file)).toThrow(/another program's tables \(posts\)/);

    const after = new Database(file, { readonly: true });
    expect(
      after.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get(),
    ).toBe(2);
    after.close();
  });

  it('does not keep a devfleet database from opening again', () => {
    closeDatabase(openDatabase(file));

    db = openDatabase(file);

    expect(listMachines(db)).toEqual([]);
  });
});
