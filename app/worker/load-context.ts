/** The one way a load context is built: by the Worker's fetch for each request, and by tests calling app modules directly. */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { createDatabase } from "../../db/client";
import { clockWithOffset } from "../clock";
import type { Settings } from "../config/env.server";
import { countingD1 } from "../observability/d1-counts";
import { createLogger } from "../observability/logger";

export function createLoadContext(input: {
  env: Env;
  ctx: ExecutionContext;
  settings: Settings;
  requestId: string;
}): AppLoadContext {
  const { env, ctx, settings, requestId } = input;
  return {
    cloudflare: { env, ctx },
    settings,
    // Development counts D1's work per request (Server-Timing; app/observability/d1-counts.ts).
    db: createDatabase(settings.ENVIRONMENT === "development" ? countingD1(env.DB) : env.DB),
    logger: createLogger({ requestId, level: settings.LOG_LEVEL ?? "info" }),
    requestId,
    now: clockWithOffset(settings.CLOCK_OFFSET_MS),
  };
}
