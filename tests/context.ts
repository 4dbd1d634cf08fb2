/** A load context for calling app modules directly in tests: the Worker's own createLoadContext over the test env. */
import { createExecutionContext, env } from "cloudflare:test";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { clockWithOffset } from "~/clock";
import { readSettings } from "~/config/env.server";
import { createLoadContext } from "~/worker/load-context";

/** The run's clock, exactly as the app under test reads it (`context.now()`). */
export function testNow(): Date {
  const settings = readSettings(env);
  if (!settings.ok) throw new Error(`Test settings invalid: ${settings.invalid.join(", ")}`);
  return clockWithOffset(settings.settings.CLOCK_OFFSET_MS)();
}

export function testContext(
  overrides: Partial<AppLoadContext> = {},
  envOverrides: Record<string, unknown> = {},
): AppLoadContext {
  const testEnv = { ...env, ...envOverrides } as Env;
  const settings = readSettings(testEnv);
  if (!settings.ok) throw new Error(`Test settings invalid: ${settings.invalid.join(", ")}`);
  return {
    ...createLoadContext({
      env: testEnv,
      ctx: createExecutionContext(),
      settings: settings.settings,
      requestId: crypto.randomUUID(),
    }),
    ...overrides,
  };
}
