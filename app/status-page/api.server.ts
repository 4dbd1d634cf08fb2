/**
 * `GET /api/status` (wired in app/api/handlers.server.ts): the current summary in the API envelope.
 * Computed at most every 30 s per location: the summary (not the envelope, which carries each
 * request's id) is kept in the Cache API under the endpoint's URL. Operators' changes purge it,
 * so an incident shows up on the next request, not 30 s later.
 */
import type { ApiArgs, ApiHandler } from "../api/handlers.server";
import { envelope } from "../api/envelope";
import { validate } from "../validation";
import { statusSummary, type StatusSummary } from "./api-schema.server";
import { currentStatus } from "./live.server";

export const STATUS_CACHE_SECONDS = 30;
export const STATUS_PATH = "/api/status";

/** The one key per origin, whatever query string the request had. */
export function statusCacheKey(origin: string): Request {
  return new Request(`${origin}${STATUS_PATH}`, { method: "GET" });
}

type CacheLike = Pick<Cache, "match" | "put" | "delete">;

export function createStatusHandler(cache: () => CacheLike | undefined): ApiHandler {
  return async ({ context, url }: ApiArgs) => {
    const store = cache();
    const key = statusCacheKey(url.origin);
    const cached = store ? await readCached(store, key) : null;
    if (cached) return envelope(context.requestId, 200, { data: cached, headers: { "X-Status-Cache": "hit" } });

    const { summary } = await currentStatus(context);
    if (store) {
      const copy = new Response(JSON.stringify(summary), {
        headers: { "Content-Type": "application/json", "Cache-Control": `public, max-age=${STATUS_CACHE_SECONDS}` },
      });
      // Awaited rather than left to waitUntil: a write landing after an operator's purge would
      // bring back the summary the purge removed.
      await store.put(key, copy).catch(() => undefined);
    }
    return envelope(context.requestId, 200, { data: summary, headers: { "X-Status-Cache": "miss" } });
  };
}

async function readCached(store: CacheLike, key: Request): Promise<StatusSummary | null> {
  try {
    const hit = await store.match(key);
    if (!hit) return null;
    const result = validate(statusSummary, await hit.json());
    // A cached copy from an older shape is simply recomputed.
    return result.ok ? result.value : null;
  } catch {
    return null;
  }
}

/** workerd's `caches.default` (the DOM typings, also loaded, know only named caches). */
const defaultCache = () => (typeof caches === "undefined" ? undefined : (caches as unknown as { default: Cache }).default);

export const statusHandler: ApiHandler = createStatusHandler(defaultCache);

/** After an operator's change: the next `/api/status` recomputes. */
export async function purgeStatusCache(origin: string, cache: () => CacheLike | undefined = defaultCache): Promise<void> {
  try {
    await cache()?.delete(statusCacheKey(origin));
  } catch {
    // Worst case the old summary lives out its 30 s.
  }
}
