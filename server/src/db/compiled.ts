import type { RunResult, Statement } from 'better-sqlite3';
import { is, Param, Placeholder } from 'drizzle-orm';

import type { Db } from './client.js';

/** A drizzle query builder: anything that can show its SQL and parameters. */
interface Buildable {
  toSQL(): { sql: string; params: unknown[] };
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
