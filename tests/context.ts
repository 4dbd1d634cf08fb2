/** A load context for calling app modules directly in tests, as worker/fetch.server.ts builds it. */
import { createExecutionContext, env } from "cloudflare:test";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { createDatabase } from "../db/client";
import { readSettings } from "~/config/env.server";
import { createLogger } from "~/observability/logger";

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
    now: () => new Date(),
    ...overrides,
  };
}
