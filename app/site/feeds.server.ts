/** The blog and changelog as Atom feeds, and the list of every public page for the sitemap. */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { allChangelog, allDocs, allPosts } from "../content/library.server";
import { reportError } from "../observability/reporter";
import { incidentAddresses } from "../status-page/incidents.server";
import { absolutizeLinks, atomFeed, sitemap, type SitemapUrl } from "./xml.server";

/** A YYYY-MM-DD date as the RFC 3339 moment Atom wants (noon UTC, so no time zone moves the day). */
const atomDate = (date: string) => `${date}T12:00:00Z`;

export function blogFeed(origin: string): string {
  return atomFeed({
    title: "Atmos Pro blog",
    subtitle: "Notes from the team building Atmos Pro.",
    selfUrl: `${origin}/blog/feed.xml`,
    siteUrl: `${origin}/blog`,
    author: "Atmos Pro",
    entries: allPosts().map((post) => ({
      url: `${origin}/blog/${post.slug}`,
      title: post.title,
      summary: post.description,
      html: absolutizeLinks(post.html, origin),
      published: atomDate(post.date),
      updated: atomDate(post.date),
      author: post.author,
    })),
  });
}

export function changelogFeed(origin: string): string {
  return atomFeed({
    title: "Atmos Pro changelog",
    subtitle: "What changed in Atmos Pro, newest first.",
    selfUrl: `${origin}/changelog/feed.xml`,
    siteUrl: `${origin}/changelog`,
    author: "Atmos Pro",
    entries: allChangelog().map((entry) => ({
      url: `${origin}/changelog/${entry.slug}`,
      title: entry.title,
      summary: entry.description,
      html: absolutizeLinks(entry.html, origin),
      published: atomDate(entry.date),
      updated: atomDate(entry.date),
    })),
  });
}

export const STATIC_PAGES = ["/", "/product", "/pricing", "/docs", "/blog", "/changelog", "/status"] as const;

/** Every public page. If D1 cannot be read, the incidents are left out (and the error reported): the rest still helps crawlers. */
export async function sitemapXml(origin: string, context: Pick<AppLoadContext, "db" | "logger">): Promise<string> {
  const urls: SitemapUrl[] = [
    ...STATIC_PAGES.map((path) => ({ loc: `${origin}${path}` })),
    ...allDocs().map((doc) => ({ loc: `${origin}/docs/${doc.slug}` })),
    ...allPosts().map((post) => ({ loc: `${origin}/blog/${post.slug}`, lastmod: post.date })),
    ...allChangelog().map((entry) => ({ loc: `${origin}/changelog/${entry.slug}`, lastmod: entry.date })),
  ];
  try {
    for (const incident of await incidentAddresses(context.db)) {
      urls.push({
        loc: `${origin}/status/incidents/${incident.slug}`,
        lastmod: incident.updatedAt.toISOString().slice(0, 10),
      });
    }
  } catch (error) {
    reportError(context.logger, error, { route: "/sitemap.xml" });
  }
  return sitemap(urls);
}
