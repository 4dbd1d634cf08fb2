/** What every loader and action receives as `context`, built once per request in worker/fetch.server.ts. */
import type { Database } from "../db/client";
import type { Clock } from "./clock";
import type { Settings } from "./config/env.server";
import type { Logger } from "./observability/logger";

export type { Clock };

declare module "@remix-run/cloudflare" {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: ExecutionContext };
    settings: Settings;
    db: Database;
    logger: Logger;
    requestId: string;
    now: Clock;
  }
}
