/** Test access to the local D1 the tests run against. */
import { env } from "cloudflare:test";
import { createDatabase } from "../db/client";
import { seed } from "../db/seed";

export const db = () => createDatabase(env.DB);

/**
 * The instant this run's data is written at: 2026-11-01T12:00:00Z unless TEST_NOW says otherwise
 * (tests/run-clock.ts). The app under test runs on the same clock (CLOCK_OFFSET_MS), starting here.
 */
export const FIXED_NOW = new Date(env.TEST_FIXED_NOW);

export async function seedDatabase(now: Date = FIXED_NOW) {
  await seed(db(), now);
}

/** Our tables: not SQLite's own, not Cloudflare's (`_cf_…`), not the migrations' bookkeeping. */
const OUR_TABLES =
  "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'";

/** Tables whose rows triggers write (db/migrations/0009): restoring their sources restores them. */
export const TRIGGER_KEPT_TABLES: readonly string[] = ["instance_status_counts"];

/** Table name → its rows. */
export type Dump = Record<string, Array<Record<string, unknown>>>;

/**
 * Every row of every table of ours, for before/after comparisons: tables by name, rows by their
 * first column, all read in one D1 batch. `tables` reads just those, in that order, without looking
 * the table names up (for a dump taken many times over); `except` leaves the tables it names out.
 */
export async function dumpDatabase(
  options: { tables?: readonly string[]; except?: readonly string[] } = {},
): Promise<Dump> {
  const all =
    options.tables ??
    (await env.DB.prepare(`${OUR_TABLES} ORDER BY name`).all<{ name: string }>()).results.map((row) => row.name);
  const tables = options.except ? all.filter((name) => !options.except!.includes(name)) : all;
  if (tables.length === 0) return {};
  const results = await env.DB.batch(tables.map((name) => env.DB.prepare(`SELECT * FROM "${name}" ORDER BY 1`)));
  return Object.fromEntries(tables.map((name, i) => [name, results[i]!.results as Array<Record<string, unknown>>]));
}

/** Empties every table (storage is shared by the tests of a file): each test starts from nothing. */
export async function resetDatabase(): Promise<void> {
  const tables = await env.DB.prepare(OUR_TABLES).all<{ name: string }>();
  await env.DB.batch([
    env.DB.prepare("PRAGMA defer_foreign_keys = on"),
    ...tables.results.map(({ name }) => env.DB.prepare(`DELETE FROM "${name}"`)),
  ]);
}
