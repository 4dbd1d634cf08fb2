/**
 * D1 batching, shared by every module that writes many rows at once (uploads, inventories).
 *
 * D1's limits: at most 100 bound parameters and < 100 KB of SQL per statement, strings < 2 MB per
 * value. Only values a client sent are bound; our own ids, booleans, NULLs and enum members are
 * written as literals (ids are checked against their alphabet first), so each statement carries as
 * many rows as possible. A batch is one transaction.
 */
import { is, SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";

/** D1: at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;
/** D1: at most 100,000 bytes of SQL per statement; we stay well below. */
const MAX_SQL_BYTES = 60_000;
/** Rows per multi-row VALUES list, whatever their parameter count. */
const MAX_ROWS_PER_STATEMENT = 500;

/** A statement: raw SQL, or a drizzle query builder (anything with toSQL()). */
export type Query = SQL | { toSQL(): { sql: string; params: unknown[] } };

/** Counts the statements a request executes (the uploads report it; the bench reads it). */
export type StatementCounter = { statements: number };

const dialect = new SQLiteAsyncDialect();

/**
 * Runs statements as one D1 batch (one transaction), counting them. Straight on the D1 binding:
 * drizzle's batch() cannot take raw SQL with parameters (db.run(sql`…${x}`) has no prepared
 * statement to bind), and we want D1's own results (rows, meta.changes) anyway.
 */
export async function runBatch(db: Database, counter: StatementCounter, queries: Query[]): Promise<D1Result[]> {
  if (queries.length === 0) return [];
  const statements = queries.map((query) => {
    const built = is(query, SQL) ? dialect.sqlToQuery(query) : query.toSQL();
    return db.$client.prepare(built.sql).bind(...built.params);
  });
  counter.statements += statements.length;
  return db.$client.batch(statements);
}

/** The rows a statement of a batch returned (RETURNING or SELECT). */
export const resultRows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];
/**
 * The rows a statement of a batch changed. D1's count includes what triggers wrote, so for a table
 * with triggers (instances: db/migrations/0009) add `RETURNING 1` and count with `returnedRows`.
 */
export const changedRows = (result: D1Result | undefined) => result?.meta?.changes ?? 0;
/** The rows a statement with RETURNING wrote itself, whatever its triggers wrote besides. */
export const returnedRows = (result: D1Result | undefined) => result?.results?.length ?? 0;

const ID_LITERAL = /^[a-z]{2,4}_[0-9A-Za-z]{28}$/;
/** One of our own ids as an SQL literal (never a client value). */
export function idLiteral(id: string): SQL {
  if (!ID_LITERAL.test(id)) throw new Error("Refusing to inline a value that is not one of our ids");
  return sql.raw(`'${id}'`);
}
export const boolLiteral = (value: boolean) => sql.raw(value ? "1" : "0");
export const NULL = sql.raw("NULL");

/** A client string: bound (one parameter), or NULL written as a literal. */
export function bound(value: string | null): { sql: SQL; params: number } {
  return value === null ? { sql: NULL, params: 0 } : { sql: sql`${value}`, params: 1 };
}

/** One row of a multi-row VALUES list: its SQL, its bound parameters, and an estimate of its SQL bytes. */
export type Row = { sql: SQL; params: number; bytes: number };

/**
 * Packs rows into as few statements as the limits allow: each statement gets `fixedParams` of its
 * own plus its rows' parameters (≤ 100 in all), ≤ MAX_ROWS_PER_STATEMENT rows and ≤ MAX_SQL_BYTES.
 */
export function packRows(rows: Row[], fixedParams: number, build: (values: SQL) => SQL): SQL[] {
  const statements: SQL[] = [];
  let current: SQL[] = [];
  let params = fixedParams;
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    statements.push(build(sql.join(current, sql.raw(", "))));
    current = [];
    params = fixedParams;
    bytes = 0;
  };
  for (const row of rows) {
    if (
      current.length > 0 &&
      (params + row.params > MAX_BOUND_PARAMETERS ||
        bytes + row.bytes > MAX_SQL_BYTES ||
        current.length >= MAX_ROWS_PER_STATEMENT)
    )
      flush();
    current.push(row.sql);
    params += row.params;
    bytes += row.bytes;
  }
  flush();
  return statements;
}
