import type { RunResult, Statement } from 'better-sqlite3';
import { is, Param, Placeholder } from 'drizzle-orm';

import type { Db } from './client.js';

/** A drizzle query builder: anything that can show its SQL and parameters. */
interface Buildable {
  toSQL(): { sql: string; params: unknown[] };
}

/** A drizzle select with a flat selection (`db.select({ a: t.a, … })`). */
interface Selecting extends Buildable {
  _: { selectedFields: object };
}

type Bind = (values: Record<string, unknown>) => unknown;

/**
 * A write built by drizzle once, from the schema, and run by better-sqlite3 directly. On the
 * ingest path drizzle's per-call work (building the query, then filling every placeholder
 * through its entity checks) costs several times what SQLite itself spends on the row, so the
 * hot statements keep drizzle's SQL and column encoders and skip the rest.
 */
export interface CompiledWrite<V> {
  run(values: V): RunResult;
}

export function compileWrite<V extends object>(db: Db, query: Buildable): CompiledWrite<V> {
  const { sql, params } = query.toSQL();
  const statement: Statement<unknown[]> = db.$client.prepare(sql);
  const binders = params.map(binderFor);

  return {
    run(values) {
      const record = values as Record<string, unknown>;
      return statement.run(binders.map((bind) => bind(record)));
    },
  };
}

/**
 * A read built by drizzle once and run by better-sqlite3 directly, for the queries ingestion and
 * detection make per report and per series. Values come back as SQLite stores them: integers,
 * reals and text, with no column decoding (booleans are 0/1, JSON columns are text).
 */
export interface CompiledRead<V, R> {
  get(values: V): R | undefined;
  all(values: V): R[];
  /** The rows as arrays, in the order of the selection's fields: for callers that map them. */
  cells(values: V): unknown[][];
  /** The selection's field names, in the order of `cells`. */
  readonly names: readonly string[];
}

export function compileRead<V extends object, R>(db: Db, query: Selecting): CompiledRead<V, R> {
  const { sql, params } = query.toSQL();
  const statement = db.$client.prepare(sql).raw(true) as Statement<unknown[], unknown[]>;
  const binders = params.map(binderFor);
  const names = Object.keys(query._.selectedFields);
  const bind = (values: V) => binders.map((b) => b(values as Record<string, unknown>));
  const toRow = (cells: unknown[]) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i] as string] = cells[i];
    return row as R;
  };

  return {
    get(values) {
      const cells = statement.get(bind(values));
      return cells === undefined ? undefined : toRow(cells);
    },
    all(values) {
      return statement.all(bind(values)).map(toRow);
    },
    cells(values) {
      return statement.all(bind(values));
    },
    names,
  };
}

function binderFor(param: unknown): Bind {
  if (is(param, Param) && is(param.value, Placeholder)) {
    const { name } = param.value;
    const encoder = param.encoder;
    // better-sqlite3 refuses undefined and booleans; the column's encoder turns booleans into
    // 0/1 and JSON columns into text, exactly as drizzle would.
    return (values) => {
      const value = values[name];
      if (value === undefined || value === null) return null;
      return encoder ? encoder.mapToDriverValue(value) : value;
    };
  }
  if (is(param, Placeholder)) {
    const { name } = param;
    return (values) => values[name] ?? null;
  }
  return () => param;
}

/**
 * One set of prepared statements per database handle, made on first use. Tests open many
 * databases in one process; a WeakMap lets each set go with its handle.
 */
export function perDatabase<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let value = cache.get(db);
    if (value === undefined) {
      value = build(db);
      cache.set(db, value);
    }
    return value;
  };
}
