/** The front matter our markdown must carry (scripts/build-content.ts refuses to build from a bad file). */
import { describe, expect, it } from "vitest";
import { changelogFrontMatter, docFrontMatter, postFrontMatter } from "~/content/front-matter.server";
import { validate } from "~/validation";

const doc = {
  title: "Locks",
  section: "Learn",
  order: "5",
  description: "Advisory locks hold a stack while someone operates on it.",
};

describe("front matter", () => {
  it("docs: a known section, a numeric order, a real description; nothing else", () => {
    expect(validate(docFrontMatter, doc)).toEqual({ ok: true, value: { ...doc, order: 5 } });
    expect(validate(docFrontMatter, { ...doc, section: "Marketing" }).ok).toBe(false);
    expect(validate(docFrontMatter, { ...doc, order: "first" }).ok).toBe(false);
    expect(validate(docFrontMatter, { ...doc, description: "Too short." }).ok).toBe(false);
    expect(validate(docFrontMatter, { ...doc, draft: "true" }).ok).toBe(false);
  });

  it("posts and changelog entries: real dates only", () => {
    const post = { title: "T", description: "A description long enough to pass.", author: "Ada", date: "2026-09-22" };
    expect(validate(postFrontMatter, post).ok).toBe(true);
    expect(validate(postFrontMatter, { ...post, date: "2026-02-30" }).ok).toBe(false);
    expect(validate(postFrontMatter, { ...post, author: undefined }).ok).toBe(false);
    const entry = { title: "T", description: "A description long enough to pass.", date: "2026-11-03" };
    expect(validate(changelogFrontMatter, entry).ok).toBe(true);
    expect(validate(changelogFrontMatter, { ...entry, date: "03/11/2026" }).ok).toBe(false);
  });
});
