/**
 * Public pages are the same for everyone (the footer's status indicator fetches `/api/status` in the
 * browser), so the Worker keeps each rendered document in the edge cache (`caches.default`) and
 * answers from it without running Remix. See docs/decisions/0013-public-pages-from-the-edge-cache.md.
 *
 * - Only `GET`/`HEAD` of a document with no query string is cached; `?_data` and anything else renders.
 * - Only a 200 without `Set-Cookie` is kept. The copy carries the build's version: after a deploy (new
 *   content, new code) the first request renders again and replaces it.
 * - Every answer has a strong `ETag` (SHA-256 of the body); `If-None-Match` gets a 304.
 * - Content pages live an hour at the edge; browsers revalidate (`max-age=0, must-revalidate`).
 *   `/status` lives 30 s and is purged by every operator change (purgeStatusCache), browsers revalidate
 *   every time (`no-cache`), so it is never staler than the summary it shows.
 */
import { sha256Hex } from "../encoding";
import {
  defaultCache,
  pageCacheKey,
  STATUS_CACHE_SECONDS,
  STATUS_PAGE_PATH,
  type CacheLike,
} from "../status-page/summary-cache.server";

type Policy = { edgeSeconds: number; browser: string };

const CONTENT: Policy = { edgeSeconds: 3600, browser: "public, max-age=0, must-revalidate" };
const STATUS: Policy = { edgeSeconds: STATUS_CACHE_SECONDS, browser: "no-cache" };

/** The pages served from the cache, by path. Everything else (dashboard, sign-in, operator pages) renders. */
const CACHED_PAGES: { match: RegExp; policy: Policy }[] = [
  { match: /^\/(pricing|product)?$/, policy: CONTENT },
  { match: /^\/(docs|blog|changelog)(\/[a-z0-9-]+)?$/, policy: CONTENT },
  { match: new RegExp(`^${STATUS_PAGE_PATH}$`), policy: STATUS },
];

const VERSION_HEADER = "X-Build-Version";
export const PAGE_CACHE_HEADER = "X-Page-Cache";

function policyFor(request: Request, url: URL): Policy | null {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  if (url.search !== "") return null;
  return CACHED_PAGES.find((page) => page.match.test(url.pathname))?.policy ?? null;
}

async function etagOf(body: ArrayBuffer): Promise<string> {
  return `"${(await sha256Hex(body)).slice(0, 32)}"`;
}

function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get("If-None-Match");
  if (header === null) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

/** What the browser gets: the copy's headers, its policy's Cache-Control, the body unless HEAD or 304. */
function answer(
  request: Request,
  body: ArrayBuffer | ReadableStream | null,
  headers: Headers,
  policy: Policy,
  state: string,
) {
  const out = new Headers(headers);
  out.delete(VERSION_HEADER);
  out.set("Cache-Control", policy.browser);
  out.set(PAGE_CACHE_HEADER, state);
  const etag = out.get("ETag") ?? "";
  const notModified = matchesEtag(request, etag);
  if (notModified || request.method === "HEAD") {
    if (body instanceof ReadableStream) void body.cancel();
    if (notModified) {
      for (const name of ["Content-Type", "Content-Length"]) out.delete(name);
      return new Response(null, { status: 304, headers: out });
    }
    return new Response(null, { status: 200, headers: out });
  }
  return new Response(body, { status: 200, headers: out });
}

/**
 * Serves a cacheable public page from the edge cache, or renders it and keeps the copy; any other
 * request is rendered as is. A failing cache only costs the render.
 */
export async function withPageCache(
  request: Request,
  url: URL,
  ctx: ExecutionContext,
  version: string,
  render: () => Promise<Response>,
  cache: () => CacheLike | undefined = defaultCache,
): Promise<Response> {
  const policy = policyFor(request, url);
  const store = policy ? cache() : undefined;
  if (!policy || !store) return render();
  const key = pageCacheKey(url.origin, url.pathname);

  const hit = await store.match(key).catch(() => undefined);
  if (hit && hit.headers.get(VERSION_HEADER) === version) {
    return answer(request, hit.body, hit.headers, policy, "hit");
  }
  await hit?.body?.cancel();

  const rendered = await render();
  // A HEAD's render has no body to keep: the next GET fills the cache.
  if (request.method !== "GET" || rendered.status !== 200 || rendered.headers.has("Set-Cookie")) return rendered;
  const body = await rendered.arrayBuffer();
  const headers = new Headers(rendered.headers);
  headers.set("ETag", await etagOf(body));
  const copy = new Headers(headers);
  copy.set(VERSION_HEADER, version);
  copy.set("Cache-Control", `public, max-age=${policy.edgeSeconds}`);
  ctx.waitUntil(store.put(key, new Response(body, { status: 200, headers: copy })).catch(() => undefined));
  return answer(request, body, headers, policy, "miss");
}
