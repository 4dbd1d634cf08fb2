/**
 * The front matter each markdown file must carry, checked by scripts/build-content.ts, which
 * refuses to write app/content/generated.ts from a bad file.
 */
import { type } from "../validation/arktype";
import { DOC_SECTIONS } from "./types";

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
