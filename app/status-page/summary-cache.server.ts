/**
 * The status summary is computed at most every 30 s per location: the summary (not the API envelope,
 * which carries each request's id) is kept in the Cache API under `/api/status`'s URL. Operators'
 * changes purge it, so an incident shows up on the next request, not 30 s later.
 */
import { validate } from "../validation";
import { statusSummary, type StatusSummary } from "./api-schema.server";

export const STATUS_CACHE_SECONDS = 30;
export const STATUS_PATH = "/api/status";
/** The public status page, which the Worker keeps in the same cache (app/worker/page-cache.server.ts). */
export const STATUS_PAGE_PATH = "/status";

export type CacheLike = Pick<Cache, "match" | "put" | "delete">;

/** workerd's `caches.default` (the DOM typings, also loaded, know only named caches). */
export const defaultCache = () =>
  typeof caches === "undefined" ? undefined : (caches as unknown as { default: Cache }).default;

/** The one key per origin, whatever query string the request had. */
export function statusCacheKey(origin: string): Request {
  return new Request(`${origin}${STATUS_PATH}`, { method: "GET" });
}

export async function readCachedSummary(store: CacheLike, origin: string): Promise<StatusSummary | null> {
  try {
    const hit = await store.match(statusCacheKey(origin));
    if (!hit) return null;
    const result = validate(statusSummary, await hit.json());
    // A cached copy from an older shape is simply recomputed.
    return result.ok ? result.value : null;
  } catch {
    return null;
  }
}

export async function cacheSummary(store: CacheLike, origin: string, summary: StatusSummary): Promise<void> {
  const copy = new Response(JSON.stringify(summary), {
    headers: { "Content-Type": "application/json", "Cache-Control": `public, max-age=${STATUS_CACHE_SECONDS}` },
  });
  await store.put(statusCacheKey(origin), copy).catch(() => undefined);
}

/** A public page's one copy per origin in the edge cache (a HEAD shares its GET's). */
export function pageCacheKey(origin: string, pathname: string): Request {
  return new Request(`${origin}${pathname}`, { method: "GET" });
}

/** After an operator's change: the next `/api/status` and `/status` recompute. */
export async function purgeStatusCache(
  origin: string,
  cache: () => CacheLike | undefined = defaultCache,
): Promise<void> {
  try {
    const store = cache();
    await Promise.all([store?.delete(statusCacheKey(origin)), store?.delete(pageCacheKey(origin, STATUS_PAGE_PATH))]);
  } catch {
    // Worst case the old summary lives out its 30 s.
  }
}
