/**
 * Titles, descriptions, canonical URLs and OpenGraph tags for the public pages: every public
 * route's `meta` is `({ data }) => seoMeta(data?.seo)`. The loaders build `seo` with
 * seo.server.ts (absolute URLs from the request's origin, checked by `seoPayload`). This half
 * runs in the browser too, so it has no schema library in it.
 */
import type { MetaDescriptor } from "@remix-run/cloudflare";

export const SITE_NAME = "Atmos Pro";
export const OG_IMAGE_PATH = "/og-image.png";

/** What `seoPayload` (seo.server.ts) checks; a type test keeps the two equal. */
export type Seo = {
  title: string;
  description: string;
  url: string;
  image: string;
  type: "website" | "article";
  publishedTime?: string;
  noindex?: boolean;
};

/** "Pricing · Atmos Pro"; the home page passes a title that already names the product. */
export function fullTitle(title: string): string {
  return title.includes(SITE_NAME) ? title : `${title} · ${SITE_NAME}`;
}

export function seoMeta(value: Seo | undefined): MetaDescriptor[] {
  if (!value) return [{ title: fullTitle("Page not found") }, { name: "robots", content: "noindex" }];
  const title = fullTitle(value.title);
  const tags: MetaDescriptor[] = [
    { title },
    { name: "description", content: value.description },
    { tagName: "link", rel: "canonical", href: value.url },
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:type", content: value.type },
    { property: "og:title", content: title },
    { property: "og:description", content: value.description },
    { property: "og:url", content: value.url },
    { property: "og:image", content: value.image },
    { property: "og:image:alt", content: "Atmos Pro: ordered Terraform deployments for Atmos on GitHub Actions" },
    { name: "twitter:card", content: "summary_large_image" },
  ];
  if (value.publishedTime) tags.push({ property: "article:published_time", content: value.publishedTime });
  if (value.noindex) tags.push({ name: "robots", content: "noindex" });
  return tags;
}
