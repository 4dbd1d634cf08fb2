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

/** Every row of every table of ours, for before/after comparisons. */
export async function dumpDatabase(): Promise<Record<string, unknown[]>> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all();
    out[name] = rows.results;
  }
  return out;
}

/** Empties every table (storage is shared by the tests of a file): each test starts from nothing. */
export async function resetDatabase(): Promise<void> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  await env.DB.batch([
    env.DB.prepare("PRAGMA defer_foreign_keys = on"),
    ...tables.results.map(({ name }) => env.DB.prepare(`DELETE FROM "${name}"`)),
  ]);
}
