/**
 * The site's XML: Atom feeds (blog, changelog) and the sitemap. Built as strings with every value
 * escaped; every URL in them is absolute, from the request's origin.
 */
export function escapeXml(value: string): string {
  return value.replace(
    /[<>&'"]/g,
    (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[char]!,
  );
}

/** Same-site links in rendered HTML (href="/docs/…") made absolute, for readers that ignore xml:base. */
export function absolutizeLinks(html: string, origin: string): string {
  return html.replace(/(href|src)="\/(?!\/)/g, `$1="${origin}/`);
}

export type FeedEntry = {
  url: string;
  title: string;
  summary: string;
  html: string;
  published: string;
  updated: string;
  author?: string;
};

export function atomFeed(feed: {
  title: string;
  subtitle: string;
  selfUrl: string;
  siteUrl: string;
  author: string;
  entries: FeedEntry[];
}): string {
  const updated =
    feed.entries
      .map((entry) => entry.updated)
      .sort()
      .at(-1) ?? new Date(0).toISOString();
  const entries = feed.entries.map(
    (entry) => `  <entry>
    <id>${escapeXml(entry.url)}</id>
    <title>${escapeXml(entry.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(entry.url)}"/>
    <published>${escapeXml(entry.published)}</published>
    <updated>${escapeXml(entry.updated)}</updated>
    <author><name>${escapeXml(entry.author ?? feed.author)}</name></author>
    <summary>${escapeXml(entry.summary)}</summary>
    <content type="html">${escapeXml(entry.html)}</content>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(feed.selfUrl)}</id>
  <title>${escapeXml(feed.title)}</title>
  <subtitle>${escapeXml(feed.subtitle)}</subtitle>
  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(feed.siteUrl)}"/>
  <updated>${escapeXml(updated)}</updated>
  <author><name>${escapeXml(feed.author)}</name></author>
${entries.join("\n")}
</feed>
`;
}

export function atomResponse(xml: string): Response {
  return new Response(xml, {
    headers: { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "public, max-age=900" },
  });
}

export type SitemapUrl = { loc: string; lastmod?: string };

export function sitemap(urls: SitemapUrl[]): string {
  const items = urls.map(
    (url) => `  <url>
    <loc>${escapeXml(url.loc)}</loc>${url.lastmod ? `\n    <lastmod>${escapeXml(url.lastmod)}</lastmod>` : ""}
  </url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${items.join("\n")}
</urlset>
`;
}
