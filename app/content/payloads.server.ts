/** The payload schemas of the docs, blog and changelog routes (server-side: the browser gets the checked JSON). */
import { type } from "~/validation";
import { seoPayload } from "../site/seo.server";
import { DOC_SECTIONS } from "./types";

const section = type.enumerated(...DOC_SECTIONS);
const docLink = type({ slug: "string", title: "string", description: "string" });
const navigation = type({ section, pages: docLink.array() }).array();

export const docsLayoutPayload = type({ sections: navigation });
export const docsIndexPayload = type({ seo: seoPayload, sections: navigation });

export const docPayload = type({
  seo: seoPayload,
  title: "string",
  section,
  description: "string",
  html: "string",
  headings: type({ depth: "number", id: "string", text: "string" }).array(),
  previous: docLink.or("null"),
  next: docLink.or("null"),
});

/** `/docs/search-index.json`; the browser checks it again with search-guard.ts. */
export const searchIndexPayload = type({
  entries: type({
    slug: "string",
    anchor: "string",
    page: "string",
    section,
    heading: "string",
    text: "string",
  }).array(),
});

export const blogPayload = type({
  seo: seoPayload,
  posts: type({ slug: "string", title: "string", description: "string", author: "string", date: "string" }).array(),
});

export const postPayload = type({
  seo: seoPayload,
  title: "string",
  author: "string",
  date: "string",
  description: "string",
  html: "string",
});

export const changelogPayload = type({
  seo: seoPayload,
  entries: type({ slug: "string", title: "string", date: "string", html: "string" }).array(),
});

export const changelogEntryPayload = type({
  seo: seoPayload,
  title: "string",
  date: "string",
  description: "string",
  html: "string",
});
