/**
 * The shapes of our written content: the front matter each markdown file must carry (checked by
 * scripts/build-content.ts, which refuses to write a generated module from a bad file) and the
 * records app/content/generated.ts holds.
 */
import { type } from "../validation/arktype";

export const DOC_SECTIONS = ["Learn", "Configure", "Reference"] as const;
export type DocSection = (typeof DOC_SECTIONS)[number];

const isoDate = type(/^\d{4}-\d{2}-\d{2}$/).narrow((value, ctx) =>
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
    ? true
    : ctx.mustBe("a real date (YYYY-MM-DD)"),
);

export const docFrontMatter = type({
  title: "0 < string <= 80",
  section: type.enumerated(...DOC_SECTIONS),
  order: type(/^\d{1,3}$/).pipe((value) => Number(value)),
  description: "20 <= string <= 200",
  "+": "reject",
});

export const postFrontMatter = type({
  title: "0 < string <= 100",
  description: "20 <= string <= 200",
  author: "0 < string <= 80",
  date: isoDate,
  "+": "reject",
});

export const changelogFrontMatter = type({
  title: "0 < string <= 100",
  description: "20 <= string <= 200",
  date: isoDate,
  "+": "reject",
});

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
