/**
 * Public pages from the edge cache (app/worker/page-cache.server.ts), through the built Worker: the
 * second request is answered from the copy, byte for byte; ETag and If-None-Match; HEAD; what is never
 * cached; a copy of another build is replaced; /status is purged by an operator's change.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { openIncident } from "~/status-page/incidents.server";
import { defaultCache, pageCacheKey, purgeStatusCache } from "~/status-page/summary-cache.server";
import { withPageCache } from "~/worker/page-cache.server";
import { db, FIXED_NOW, seedDatabase } from "../db";
import { get, ORIGIN } from "../http";

const PAGES = ["/", "/pricing", "/product", "/docs", "/docs/quick-start", "/blog", "/changelog", "/status"];

async function forget(pathname: string) {
  await defaultCache()!.delete(pageCacheKey(ORIGIN, pathname));
}

/** A GET, then a second one, after the first one's copy was stored (the Worker stores it in waitUntil). */
async function twice(pathname: string, init: RequestInit = {}) {
  const first = await get(pathname, init);
  const firstBody = await first.text();
  let second = await get(pathname, init);
  for (let i = 0; i < 20 && second.headers.get("x-page-cache") !== "hit"; i++) {
    await second.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 25));
    second = await get(pathname, init);
  }
  return { first, firstBody, second, secondBody: await second.text() };
}

describe("public pages from the edge cache", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
    await purgeStatusCache(ORIGIN);
    for (const page of PAGES) await forget(page);
  });

  it.each(PAGES.filter((page) => page !== "/status"))(
    "%s is rendered once, then answered from the copy with the same bytes and ETag",
    async (page) => {
      const { first, firstBody, second, secondBody } = await twice(page);
      expect(first.status).toBe(200);
      expect(first.headers.get("x-page-cache")).toBe("miss");
      expect(second.status).toBe(200);
      expect(second.headers.get("x-page-cache")).toBe("hit");
      expect(secondBody).toBe(firstBody);
      expect(firstBody).toContain("</html>");
      expect(first.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
      expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
      for (const response of [first, second]) {
        expect(response.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.has("x-build-version")).toBe(false);
      }
      // Each answer is still its own request.
      expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    },
  );

  it("answers 304 to a matching If-None-Match, strong, weak or in a list, and 200 to another", async () => {
    const { second } = await twice("/pricing");
    const etag = second.headers.get("etag")!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const response = await get("/pricing", { headers: { "If-None-Match": ifNoneMatch } });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe("");
      expect(response.headers.get("etag")).toBe(etag);
    }
    const changed = await get("/pricing", { headers: { "If-None-Match": '"0123"' } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain("Pricing");
  });

  it("answers a HEAD from the copy with its headers and no body", async () => {
    const { second } = await twice("/docs");
    const head = await get("/docs", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-page-cache")).toBe("hit");
    expect(head.headers.get("etag")).toBe(second.headers.get("etag"));
    expect(await head.text()).toBe("");
  });

  it("renders, and keeps nothing of, anything with a query string, any other page, and any 404", async () => {
    for (const path of ["/pricing?ref=ad", "/pricing?_data=routes%2Fpricing", "/login", "/docs/no-such-page"]) {
      const { first, second } = await twice(path);
      expect(first.headers.has("x-page-cache")).toBe(false);
      expect(second.headers.has("x-page-cache")).toBe(false);
    }
    const data = await get("/pricing?_data=routes%2Fpricing");
    expect(data.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await get("/docs/no-such-page")).status).toBe(404);
    expect(await defaultCache()!.match(pageCacheKey(ORIGIN, "/docs/no-such-page"))).toBeUndefined();
  });

  it("replaces a copy left by another build (a deploy) instead of answering with it", async () => {
    await defaultCache()!.put(
      pageCacheKey(ORIGIN, "/product"),
      new Response("stale page of the last deploy", {
        headers: { "Cache-Control": "public, max-age=3600", "X-Build-Version": "an-older-build", ETag: '"old"' },
      }),
    );
    const { first, firstBody, second } = await twice("/product");
    expect(first.headers.get("x-page-cache")).toBe("miss");
    expect(firstBody).not.toContain("stale page");
    expect(firstBody).toContain("</html>");
    expect(second.headers.get("x-page-cache")).toBe("hit");
  });

  it("still renders when the cache fails", async () => {
    const failing = () => ({
      match: () => Promise.reject(new Error("cache down")),
      put: () => Promise.reject(new Error("cache down")),
      delete: () => Promise.reject(new Error("cache down")),
    });
    const ctx = createExecutionContext();
    const request = new Request(`${ORIGIN}/pricing`);
    const response = await withPageCache(
      request,
      new URL(request.url),
      ctx,
      "v1",
      async () => new Response("<html>rendered</html>", { headers: { "Content-Type": "text/html" } }),
      failing,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("<html>rendered</html>");
  });

  it("/status is kept 30 s, revalidated by browsers every time, and purged by an operator's change", async () => {
    const { first, second, secondBody } = await twice("/status");
    expect(first.headers.get("x-page-cache")).toBe("miss");
    expect(second.headers.get("x-page-cache")).toBe("hit");
    expect(second.headers.get("cache-control")).toBe("no-cache");
    expect(secondBody).toContain("All systems operational");
    const stored = await defaultCache()!.match(pageCacheKey(ORIGIN, "/status"));
    expect(stored?.headers.get("cache-control")).toBe("public, max-age=30");

    await openIncident(
      db(),
      { title: "API errors", impact: "major_outage", components: ["api"], status: "investigating", body: "Looking." },
      { author: "ops", now: FIXED_NOW },
    );
    // Behind the cache's back, the copy stands; the purge every operator change does (forms/incidents) ends it.
    expect(await (await get("/status")).text()).toContain("All systems operational");
    await purgeStatusCache(ORIGIN);
    const fresh = await get("/status");
    expect(fresh.headers.get("x-page-cache")).toBe("miss");
    const html = await fresh.text();
    expect(html).toContain("API errors");
    expect(html).not.toContain("All systems operational");
  });
});
