/**
 * The records app/content/generated.ts holds. Plain types: this module reaches the browser (the
 * docs sidebar and search use it); the front matter schemas are in front-matter.server.ts.
 */

export const DOC_SECTIONS = ["Learn", "Configure", "Reference"] as const;
export type DocSection = (typeof DOC_SECTIONS)[number];

export type Heading = { depth: number; id: string; text: string };

export type DocPage = {
  slug: string;
  title: string;
  section: DocSection;
  order: number;
  description: string;
  html: string;
  headings: Heading[];
};

export type Post = {
  slug: string;
  title: string;
  description: string;
  author: string;
  date: string;
  html: string;
};

export type ChangelogEntry = {
  /** `<date>-<name>`: the entry's address under /changelog/. */
  slug: string;
  title: string;
  description: string;
  date: string;
  html: string;
};

/** One searchable piece of the docs: a page's opening, or one of its sections. */
export type SearchEntry = {
  slug: string;
  /** The heading id to jump to; empty for the page's opening. */
  anchor: string;
  page: string;
  section: DocSection;
  heading: string;
  text: string;
};
