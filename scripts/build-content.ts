/**
 * Our written content, compiled at build time: every markdown file under app/content/{docs,blog,
 * changelog} → front matter checked by its arktype schema → HTML by app/content/markdown.ts (marked)
 * → app/content/generated.ts, a plain TS module the routes' server code imports (the classic Remix
 * compiler cannot import .md itself). Runs before every `remix build` (see package.json).
 *
 *   tsx scripts/build-content.ts           write app/content/generated.ts (only if it changed)
 *   tsx scripts/build-content.ts --check   fail if the committed module is out of date
 *
 * It refuses to write anything when a file is wrong: bad or missing front matter, duplicate slugs,
 * a changelog file whose name does not start with its date, or a link to a docs/blog/changelog page
 * that does not exist.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { htmlToText, renderMarkdown } from "../app/content/markdown";
import { changelogFrontMatter, docFrontMatter, postFrontMatter } from "../app/content/front-matter.server";
import { DOC_SECTIONS, type ChangelogEntry, type DocPage, type Post, type SearchEntry } from "../app/content/types";
import { issuePaths, validate } from "../app/validation";
import type { Type } from "../app/validation/arktype";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CONTENT = join(ROOT, "app/content");
const OUTPUT = join(CONTENT, "generated.ts");
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Per search entry: enough text to match on and to show a snippet, without a heavy index. */
const SEARCH_TEXT_LIMIT = 700;

class ContentError extends Error {}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith(".md") ? [path] : [];
    })
    .sort();
}

/** `---` fenced `key: value` lines (values optionally quoted). Deliberately small: no nesting, no lists. */
export function parseFrontMatter(source: string, file: string): { data: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) throw new ContentError(`${file}: starts without front matter (a --- fenced block of key: value lines)`);
  const data: Record<string, string> = {};
  for (const [index, line] of match[1]!.split(/\r?\n/).entries()) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const pair = /^([A-Za-z][A-Za-z0-9_]*):\s*(.*?)\s*$/.exec(line);
    if (!pair) throw new ContentError(`${file}: front matter line ${index + 2} is not "key: value"`);
    const [, key, raw] = pair as unknown as [string, string, string];
    if (key in data) throw new ContentError(`${file}: front matter repeats "${key}"`);
    data[key] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return { data, body: match[2]! };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function checked<S extends Type<any, any>>(schema: S, data: Record<string, string>, file: string): S["infer"] {
  const result = validate(schema, data);
  if (!result.ok) {
    const details = result.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n");
    throw new ContentError(`${file}: front matter invalid (${issuePaths(result.issues).join(", ")})\n${details}`);
  }
  return result.value;
}

function slugOf(file: string): string {
  const slug = basename(file, ".md");
  if (!SLUG.test(slug))
    throw new ContentError(`${relative(ROOT, file)}: file names are the page's address: lowercase words joined by "-"`);
  return slug;
}

function unique<T extends { slug: string }>(items: T[], kind: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.slug)) throw new ContentError(`two ${kind} share the slug "${item.slug}"`);
    seen.add(item.slug);
  }
  return items;
}

function readDocs(): DocPage[] {
  const docs = markdownFiles(join(CONTENT, "docs")).map((file) => {
    const name = relative(ROOT, file);
    const { data, body } = parseFrontMatter(readFileSync(file, "utf8"), name);
    const meta = checked(docFrontMatter, data, name);
    if (/^# /m.test(body.replace(/```[\s\S]*?```/g, "")))
      throw new ContentError(`${name}: the title is the page's only h1; start sections at ##`);
    const { html, headings } = renderMarkdown(body, { topHeading: 2 });
    return {
      slug: slugOf(file),
      title: meta.title,
      section: meta.section,
      order: meta.order,
      description: meta.description,
      html,
      headings,
    };
  });
  return unique(docs, "docs pages").sort(
    (a, b) =>
      DOC_SECTIONS.indexOf(a.section) - DOC_SECTIONS.indexOf(b.section) ||
      a.order - b.order ||
      a.slug.localeCompare(b.slug),
  );
}

function readPosts(): Post[] {
  const posts = markdownFiles(join(CONTENT, "blog")).map((file) => {
    const name = relative(ROOT, file);
    const { data, body } = parseFrontMatter(readFileSync(file, "utf8"), name);
    const meta = checked(postFrontMatter, data, name);
    return { slug: slugOf(file), ...meta, html: renderMarkdown(body, { topHeading: 2 }).html };
  });
  return unique(posts, "blog posts").sort((a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug));
}

function readChangelog(): ChangelogEntry[] {
  const entries = markdownFiles(join(CONTENT, "changelog")).map((file) => {
    const name = relative(ROOT, file);
    const { data, body } = parseFrontMatter(readFileSync(file, "utf8"), name);
    const meta = checked(changelogFrontMatter, data, name);
    const slug = slugOf(file);
    if (!slug.startsWith(`${meta.date}-`) || slug.length === meta.date.length + 1) {
      throw new ContentError(
        `${name}: changelog files are named <date>-<name>.md with the date of their front matter (${meta.date})`,
      );
    }
    return { slug, ...meta, html: renderMarkdown(body, { topHeading: 2 }).html };
  });
  return unique(entries, "changelog entries").sort(
    (a, b) => b.date.localeCompare(a.date) || a.slug.localeCompare(b.slug),
  );
}

/** A page's opening and each h2/h3 section, as separate entries (a result can jump to its heading). */
export function searchEntries(doc: DocPage): SearchEntry[] {
  const pattern = /<h([23]) id="([^"]+)">([\s\S]*?)<\/h\1>/g;
  const cuts: Array<{ index: number; end: number; anchor: string; heading: string }> = [];
  for (const match of doc.html.matchAll(pattern)) {
    cuts.push({
      index: match.index,
      end: match.index + match[0].length,
      anchor: match[2]!,
      heading: htmlToText(match[3]!),
    });
  }
  const clip = (html: string) => {
    const text = htmlToText(html);
    return text.length > SEARCH_TEXT_LIMIT ? `${text.slice(0, SEARCH_TEXT_LIMIT).replace(/\s+\S*$/, "")} …` : text;
  };
  const base = { slug: doc.slug, page: doc.title, section: doc.section };
  const opening = {
    ...base,
    anchor: "",
    heading: "",
    text: clip(`${doc.description} ${doc.html.slice(0, cuts[0]?.index ?? doc.html.length)}`),
  };
  return [
    opening,
    ...cuts.map((cut, i) => ({
      ...base,
      anchor: cut.anchor,
      heading: cut.heading,
      text: clip(doc.html.slice(cut.end, cuts[i + 1]?.index ?? doc.html.length)),
    })),
  ];
}

/** Every same-site link in our content must lead somewhere. */
function checkLinks(docs: DocPage[], posts: Post[], changelog: ChangelogEntry[]) {
  const pages = new Map<string, Set<string>>();
  for (const doc of docs) pages.set(`/docs/${doc.slug}`, new Set(doc.headings.map((heading) => heading.id)));
  for (const post of posts) pages.set(`/blog/${post.slug}`, new Set());
  for (const entry of changelog) pages.set(`/changelog/${entry.slug}`, new Set());
  const known = new Set([
    "/",
    "/product",
    "/pricing",
    "/docs",
    "/blog",
    "/changelog",
    "/status",
    "/workspaces/new",
    "/login",
    "/dashboard",
    "/status/operator",
  ]);
  const problems: string[] = [];
  const items: Array<{ where: string; html: string }> = [
    ...docs.map((doc) => ({ where: `docs/${doc.slug}`, html: doc.html })),
    ...posts.map((post) => ({ where: `blog/${post.slug}`, html: post.html })),
    ...changelog.map((entry) => ({ where: `changelog/${entry.slug}`, html: entry.html })),
  ];
  for (const { where, html } of items) {
    for (const [, href] of html.matchAll(/href="(\/[^"]*)"/g)) {
      const [path, anchor] = href!.split("#") as [string, string | undefined];
      if (known.has(path)) continue;
      const anchors = pages.get(path);
      if (!anchors) problems.push(`${where}: links to ${path}, which does not exist`);
      else if (anchor && !anchors.has(anchor)) problems.push(`${where}: links to ${href}, which has no such heading`);
    }
  }
  if (problems.length > 0) throw new ContentError(problems.join("\n"));
}

export function buildContent(): string {
  const docs = readDocs();
  const posts = readPosts();
  const changelog = readChangelog();
  checkLinks(docs, posts, changelog);
  const search = docs.flatMap(searchEntries);
  const literal = (value: unknown) => JSON.stringify(value, null, 1);
  return [
    "/**",
    " * GENERATED by scripts/build-content.ts from the markdown under app/content/ (docs, blog, changelog). Do not edit.",
    " * Change the markdown and run `tsx scripts/build-content.ts` (every npm build/test/dev script does).",
    " * Server code only (import it from *.server.ts): it holds every page's HTML.",
    " */",
    'import type { ChangelogEntry, DocPage, Post, SearchEntry } from "./types";',
    "",
    "/** In sidebar order: Learn, Configure, Reference; by `order` within a section. */",
    `export const DOCS: DocPage[] = ${literal(docs)};`,
    "",
    "/** Newest first. */",
    `export const POSTS: Post[] = ${literal(posts)};`,
    "",
    "/** Newest first. */",
    `export const CHANGELOG: ChangelogEntry[] = ${literal(changelog)};`,
    "",
    `export const SEARCH_INDEX: SearchEntry[] = ${literal(search)};`,
    "",
  ].join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  let output: string;
  try {
    output = buildContent();
  } catch (error) {
    if (error instanceof ContentError) {
      console.error(`Content build failed:\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, "utf8") : "";
  if (current === output) {
    if (!check) console.log("Content: app/content/generated.ts is up to date");
    return;
  }
  if (check) {
    console.error("app/content/generated.ts is out of date: run `tsx scripts/build-content.ts` and commit it.");
    process.exit(1);
  }
  // Written only when it changed, so `remix watch` does not rebuild for nothing.
  writeFileSync(OUTPUT, output);
  console.log(`Content: wrote app/content/generated.ts (${(output.length / 1024).toFixed(0)} KiB)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
