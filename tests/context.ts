/** A load context for calling app modules directly in tests, as worker/fetch.server.ts builds it. */
import { createExecutionContext, env } from "cloudflare:test";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { createDatabase } from "../db/client";
import { clockWithOffset } from "~/clock";
import { readSettings } from "~/config/env.server";
import { createLogger } from "~/observability/logger";

/** The run's clock, exactly as the app under test reads it (`context.now()`). */
export function testNow(): Date {
  const settings = readSettings(env);
  if (!settings.ok) throw new Error(`Test settings invalid: ${settings.invalid.join(", ")}`);
  return clockWithOffset(settings.settings.CLOCK_OFFSET_MS)();
}

export function testContext(overrides: Partial<AppLoadContext> = {}, envOverrides: Record<string, unknown> = {}): AppLoadContext {
  const testEnv = { ...env, ...envOverrides } as Env;
  const settings = readSettings(testEnv);
  if (!settings.ok) throw new Error(`Test settings invalid: ${settings.invalid.join(", ")}`);
  const requestId = crypto.randomUUID();
  return {
    cloudflare: { env: testEnv, ctx: createExecutionContext() },
    settings: settings.settings,
    db: createDatabase(testEnv.DB),
    logger: createLogger({ requestId }),
    requestId,
    now: clockWithOffset(settings.settings.CLOCK_OFFSET_MS),
    ...overrides,
  };
}
