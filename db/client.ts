/** The drizzle handle over D1 that domain modules take as their first argument. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

function open(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof open>;

/**
 * One handle per binding, for the isolate's life: drizzle() walks the whole schema to build its
 * relational config (a tenth of a cached page's CPU when done per request). The handle keeps no
 * per-request state.
 */
const handles = new WeakMap<D1Database, Database>();

export function createDatabase(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = open(d1);
    handles.set(d1, db);
  }
  return db;
}
export { schema };
