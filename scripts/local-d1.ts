/**
 * Local D1 for `npm run dev` and the e2e run: apply the real migrations with wrangler, then the
 * idempotent seed through the same D1 binding workerd gives the Worker (getPlatformProxy).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { getPlatformProxy } from "wrangler";
import { createDatabase } from "../db/client";
import { seed, seedDemoGithubSignIn } from "../db/seed";

/** Wrangler must never phone home from this project. */
export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
} as const;

export function quietEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...QUIET_WRANGLER_ENV, ...extra };
}

/** Creates .dev.vars from the example, or adds settings the example gained since it was made. */
export function ensureDevVars(): void {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    console.log("Created .dev.vars from .dev.vars.example");
    return;
  }
  const keyOf = (line: string) => line.match(/^\s*([A-Z][A-Z0-9_]*)\s*=/)?.[1];
  const current = new Set(readFileSync(".dev.vars", "utf8").split("\n").map(keyOf).filter(Boolean));
  const missing = readFileSync(".dev.vars.example", "utf8")
    .split("\n")
    .filter((line) => {
      const key = keyOf(line);
      return key !== undefined && !current.has(key);
    });
  if (missing.length > 0) {
    appendFileSync(".dev.vars", `\n# Added from .dev.vars.example\n${missing.join("\n")}\n`);
    console.log(`Added to .dev.vars: ${missing.map(keyOf).join(", ")}`);
  }
}

export function wranglerBin(): string {
  return "node_modules/.bin/wrangler";
}

/**
 * Migrates and seeds the local D1 for trying the app (`npm run dev`, `npm run db:seed`, the browser e2e):
 * the seed, and the demo owner's GitHub sign-in (seedDemoGithubSignIn). `persistTo` is wrangler's
 * --persist-to directory (default .wrangler/state).
 */
export async function migrateAndSeed(persistTo = ".wrangler/state", now = new Date()): Promise<void> {
  execFileSync(wranglerBin(), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    stdio: ["ignore", "inherit", "inherit"],
    env: quietEnv({ CI: "true" }),
  });
  await withLocalD1(persistTo, async (d1) => {
    const db = createDatabase(d1);
    await seed(db, now);
    await seedDemoGithubSignIn(db, now);
  });
}

/**
 * Runs `fn` with the local D1 in wrangler's `persistTo` directory, through the same binding workerd
 * gives the Worker (getPlatformProxy), quietly, and closes it afterwards whatever happens.
 */
export async function withLocalD1<T>(persistTo: string, fn: (d1: D1Database) => Promise<T>): Promise<T> {
  Object.assign(process.env, QUIET_WRANGLER_ENV);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    persist: { path: `${persistTo}/v3` },
    remoteBindings: false,
  });
  try {
    return await fn(proxy.env.DB);
  } finally {
    await proxy.dispose();
  }
}

/** Inserts rows with bound parameters, as many per statement as D1 allows, 100 statements per batch. */
export async function insertRows(d1: D1Database, table: string, columns: string[], rows: unknown[][]): Promise<number> {
  const perStatement = Math.floor(100 / columns.length); // D1: at most 100 bound parameters
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ");
    statements.push(d1.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`).bind(...chunk.flat()));
  }
  for (let i = 0; i < statements.length; i += 100) await d1.batch(statements.slice(i, i + 100));
  return statements.length;
}
