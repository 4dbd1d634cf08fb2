/**
 * Titles, descriptions, canonical URLs and OpenGraph tags for the public pages. Every public
 * loader puts a `seo` object (checked by `seoPayload`) in its payload, with absolute URLs built
 * from the request's origin (so previews and self-hosted copies point at themselves), and every
 * public route's `meta` is `({ data }) => seoMeta(data?.seo)`.
 */
import type { MetaDescriptor } from "@remix-run/cloudflare";
import { type } from "~/validation";

export const SITE_NAME = "Atmos Pro";
export const OG_IMAGE_PATH = "/og-image.png";

export const seoPayload = type({
  title: "string > 0",
  description: "string > 0",
  url: "string.url",
  image: "string.url",
  type: "'website' | 'article'",
  "publishedTime?": "string",
  "noindex?": "boolean",
});
export type Seo = typeof seoPayload.infer;

/** The page's absolute address without query or fragment. */
export function absoluteUrl(request: Request, path?: string): string {
  const url = new URL(request.url);
  return `${url.origin}${path ?? url.pathname}`;
}

export function seo(
  request: Request,
  page: { title: string; description: string; path?: string; type?: "website" | "article"; publishedTime?: string; noindex?: boolean },
): Seo {
  const out: Seo = {
    title: page.title,
    description: page.description,
    url: absoluteUrl(request, page.path),
    image: absoluteUrl(request, OG_IMAGE_PATH),
    type: page.type ?? "website",
  };
  if (page.publishedTime) out.publishedTime = page.publishedTime;
  if (page.noindex) out.noindex = true;
  return out;
}

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
