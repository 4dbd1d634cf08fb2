/**
 * Lookups over the compiled content (app/content/generated.ts). Server-only: the generated module
 * holds every page's HTML, which must not end up in the browser bundle.
 */
import { CHANGELOG, DOCS, POSTS, SEARCH_INDEX } from "./generated";
import { DOC_SECTIONS, type ChangelogEntry, type DocPage, type DocSection, type Post } from "./types";

export type DocLink = { slug: string; title: string; description: string };
export type DocNavSection = { section: DocSection; pages: DocLink[] };

const link = (doc: DocPage): DocLink => ({ slug: doc.slug, title: doc.title, description: doc.description });

export function docsNavigation(): DocNavSection[] {
  return DOC_SECTIONS.map((section) => ({ section, pages: DOCS.filter((doc) => doc.section === section).map(link) }));
}

export function findDoc(slug: string): { doc: DocPage; previous: DocLink | null; next: DocLink | null } | null {
  const index = DOCS.findIndex((doc) => doc.slug === slug);
  if (index < 0) return null;
  const previous = DOCS[index - 1];
  const next = DOCS[index + 1];
  return { doc: DOCS[index]!, previous: previous ? link(previous) : null, next: next ? link(next) : null };
}

export function allDocs(): DocPage[] {
  return DOCS;
}

export function docsSearchIndex() {
  return SEARCH_INDEX;
}

export function allPosts(): Post[] {
  return POSTS;
}

export function findPost(slug: string): Post | null {
  return POSTS.find((post) => post.slug === slug) ?? null;
}

export function allChangelog(): ChangelogEntry[] {
  return CHANGELOG;
}

export function findChangelogEntry(slug: string): ChangelogEntry | null {
  return CHANGELOG.find((entry) => entry.slug === slug) ?? null;
}
