/** The `seo` part of every public page's payload: built from the request, checked by `seoPayload`. */
import { type } from "~/validation";
import { OG_IMAGE_PATH, type Seo } from "./seo";

export const seoPayload = type({
  title: "string > 0",
  description: "string > 0",
  url: "string.url",
  image: "string.url",
  type: "'website' | 'article'",
  "publishedTime?": "string",
  "noindex?": "boolean",
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile if the browser-side `Seo` type and the schema drift apart. */
export const _seoTypeAgrees: Same<typeof seoPayload.infer, Seo> = true;

/** A page whose payload is only its SEO facts (home, product, pricing). */
export const pagePayload = type({ seo: seoPayload });

/** The page's absolute address without query or fragment. */
export function absoluteUrl(request: Request, path?: string): string {
  const url = new URL(request.url);
  return `${url.origin}${path ?? url.pathname}`;
}

export function seo(
  request: Request,
  page: {
    title: string;
    description: string;
    path?: string;
    type?: "website" | "article";
    publishedTime?: string;
    noindex?: boolean;
  },
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
