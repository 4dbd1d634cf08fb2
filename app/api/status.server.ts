/**
 * `GET /api/status`: the public status page's current summary in the API envelope, served from the
 * summary cache (app/status-page/summary-cache.server.ts) when it is fresh.
 */
import { currentStatus } from "../status-page/live.server";
import { cacheSummary, defaultCache, readCachedSummary, type CacheLike } from "../status-page/summary-cache.server";
import { envelope } from "./envelope";
import type { ApiHandler } from "./handler";

export function createStatusHandler(cache: () => CacheLike | undefined): ApiHandler {
  return async ({ context, url }) => {
    const store = cache();
    const cached = store ? await readCachedSummary(store, url.origin) : null;
    if (cached) return envelope(context.requestId, 200, { data: cached, headers: { "X-Status-Cache": "hit" } });

    const { summary } = await currentStatus(context);
    // Awaited rather than left to waitUntil: a write landing after an operator's purge would bring
    // back the summary the purge removed.
    if (store) await cacheSummary(store, url.origin, summary);
    return envelope(context.requestId, 200, { data: summary, headers: { "X-Status-Cache": "miss" } });
  };
}

export const statusHandler: ApiHandler = createStatusHandler(defaultCache);
