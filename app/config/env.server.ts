/**
 * Every setting the Worker reads, checked by one schema at the start of each request and cached
 * per isolate (per env object). A bad or missing setting fails closed: see worker/fetch.server.ts.
 * Names are part of the contract: the README's settings table lists each one.
 */
import { type, validate, type Issue } from "~/validation";

const environment = type("'development' | 'test' | 'preview' | 'production'");

/** A comma list of secrets: the first signs, all verify (rotation). Each ≥ 32 characters. */
const secretList = type("string")
  .pipe((raw) => raw.split(",").map((part) => part.trim()).filter(Boolean))
  .narrow((parts, ctx) =>
    parts.length > 0 && parts.every((part) => part.length >= 32)
      ? true
      : ctx.mustBe("a comma list of secrets of at least 32 characters each"),
  );

export const settingsSchema = type({
  ENVIRONMENT: environment,
  SESSION_SECRET: secretList,
  "LOG_LEVEL?": type("'debug' | 'info' | 'warn' | 'error'"),
  "SENTRY_DSN?": type("string.url"),
  DB: type("object"),
});

export type Settings = Omit<typeof settingsSchema.infer, "DB"> & { DB: D1Database };

export type SettingsResult =
  | { ok: true; settings: Settings }
  | { ok: false; invalid: string[] };

const cache = new WeakMap<object, SettingsResult>();

/** Empty strings count as missing: `FOO=` in .dev.vars is not a value. */
function withoutBlanks(env: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!(typeof value === "string" && value.trim() === "")) out[key] = value;
  }
  return out;
}

export function readSettings(env: object): SettingsResult {
  const cached = cache.get(env);
  if (cached) return cached;
  const result = validate(settingsSchema, withoutBlanks(env as Record<string, unknown>));
  const outcome: SettingsResult = result.ok
    ? { ok: true, settings: result.value as Settings }
    : { ok: false, invalid: invalidSettingNames(result.issues) };
  cache.set(env, outcome);
  return outcome;
}

/** The names of the settings that failed: the top-level key of each issue, never a value. */
export function invalidSettingNames(issues: Issue[]): string[] {
  return [...new Set(issues.map((issue) => issue.path.split(".")[0] ?? "(root)"))].sort();
}
