/** Atom feeds and the sitemap: well-formed XML, the right content type, absolute URLs from the request's origin. */
import { beforeEach, describe, expect, it } from "vitest";
import { CHANGELOG, DOCS, POSTS } from "~/content/generated";
import { seedIncidentSlug } from "../../db/seed";
import { FIXED_NOW, seedDatabase } from "../db";
import { get } from "../http";
import { descendants, parseXml } from "./xml";
import { SELF } from "cloudflare:test";

const ORIGIN = "https://status-feeds.example";
const fetchAt = (path: string) => SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual" });

describe("the XML reader used here", () => {
  it("refuses what is not well-formed", () => {
    expect(() => parseXml("<a><b></a></b>")).toThrow();
    expect(() => parseXml("<a>1 < 2</a>")).toThrow();
    expect(() => parseXml("<a>Tom & Jerry</a>")).toThrow();
    expect(() => parseXml("<a/><b/>")).toThrow();
    expect(parseXml('<?xml version="1.0"?><a x="1"><b>&amp;&lt;</b><c/></a>').children[0]!.text).toBe("&<");
  });
});

for (const { path, title, entries } of [
  { path: "/blog/feed.xml", title: "Atmos Pro blog", entries: POSTS.map((post) => `/blog/${post.slug}`) },
  {
    path: "/changelog/feed.xml",
    title: "Atmos Pro changelog",
    entries: CHANGELOG.map((entry) => `/changelog/${entry.slug}`),
  },
]) {
  describe(path, () => {
    it("is a well-formed Atom feed with absolute URLs from the request's origin", async () => {
      const response = await fetchAt(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
      const feed = parseXml(await response.text());
      expect(feed.name).toBe("feed");
      expect(feed.attributes.xmlns).toBe("http://www.w3.org/2005/Atom");
      expect(descendants(feed, "title")[0]!.text).toBe(title);
      const self = feed.children.find((c) => c.name === "link" && c.attributes.rel === "self")!;
      expect(self.attributes.href).toBe(`${ORIGIN}${path}`);
      const items = feed.children.filter((c) => c.name === "entry");
      expect(items.map((item) => item.children.find((c) => c.name === "id")!.text)).toEqual(
        entries.map((entry) => `${ORIGIN}${entry}`),
      );
      for (const item of items) {
        for (const field of ["title", "updated", "published", "summary", "content", "author"])
          expect(
            item.children.some((c) => c.name === field),
            field,
          ).toBe(true);
        expect(item.children.find((c) => c.name === "updated")!.text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        const content = item.children.find((c) => c.name === "content")!;
        expect(content.attributes.type).toBe("html");
        // Same-site links inside the content are absolute too.
        expect(content.text).not.toMatch(/(href|src)="\/(?!\/)/);
      }
      expect(
        [...(await (await fetchAt(path)).text()).matchAll(/href="([^"]+)"/g)].every(([, href]) =>
          href!.startsWith(ORIGIN),
        ),
      ).toBe(true);
    });
  });
}

describe("/blog/feed.xml entries", () => {
  it("carry each post's author", async () => {
    const feed = parseXml(await (await fetchAt("/blog/feed.xml")).text());
    const authors = feed.children.filter((c) => c.name === "entry").map((e) => descendants(e, "name")[0]!.text);
    expect(authors).toEqual(POSTS.map((post) => post.author));
  });
});

describe("/sitemap.xml", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
  });

  it("lists every public page, docs page, post, changelog entry and incident, with absolute URLs", async () => {
    const response = await fetchAt("/sitemap.xml");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const urlset = parseXml(await response.text());
    expect(urlset.name).toBe("urlset");
    expect(urlset.attributes.xmlns).toBe("http://www.sitemaps.org/schemas/sitemap/0.9");
    const locations = descendants(urlset, "loc").map((loc) => loc.text);
    const expected = [
      "/",
      "/product",
      "/pricing",
      "/docs",
      "/blog",
      "/changelog",
      "/status",
      ...DOCS.map((doc) => `/docs/${doc.slug}`),
      ...POSTS.map((post) => `/blog/${post.slug}`),
      ...CHANGELOG.map((entry) => `/changelog/${entry.slug}`),
      `/status/incidents/${seedIncidentSlug(FIXED_NOW)}`,
    ].map((path) => `${ORIGIN}${path}`);
    expect(locations).toEqual(expected);
    for (const lastmod of descendants(urlset, "lastmod")) expect(lastmod.text).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("follows the origin it was asked on", async () => {
    const text = await (await get("/sitemap.xml")).text();
    expect(text).toContain("<loc>http://localhost/</loc>");
    expect(text).not.toContain(ORIGIN);
  });
});

describe("robots.txt", () => {
  it("keeps its rules and names the sitemap on the host it was asked on", async () => {
    const response = await get("/robots.txt");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    const robots = await response.text();
    expect(robots).toContain("Disallow: /dashboard");
    expect(robots).toContain("Disallow: /api/");
    expect(robots).toContain("Disallow: /status/operator");
    expect(robots).toMatch(/^Sitemap: http:\/\/localhost\/sitemap\.xml$/m);
    const other = await (await SELF.fetch("https://preview.example.workers.dev/robots.txt")).text();
    expect(other).toMatch(/^Sitemap: https:\/\/preview\.example\.workers\.dev\/sitemap\.xml$/m);
  });
});
