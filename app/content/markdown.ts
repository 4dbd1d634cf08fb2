/**
 * Markdown → HTML, one way for the whole product: our docs, blog and changelog at build time
 * (scripts/build-content.ts) and operators' incident write-ups at request time. Both go through
 * the same rules, so nothing an operator types can become markup:
 * - raw HTML in the source is shown as text (escaped), never passed through;
 * - links and images keep only http(s), mailto and same-site addresses (no `javascript:`, `data:`);
 * - headings get stable ids (for the docs' anchors and search results).
 */
import { Marked, type Token, type Tokens } from "marked";

export type Heading = { depth: number; id: string; text: string };
export type Rendered = { html: string; headings: Heading[] };

export type RenderOptions = {
  /**
   * The level the source's highest heading is rendered at, the others following it (e.g. 3 inside
   * a section under an h2), so headings never skip a level whatever the author started with.
   */
  topHeading?: 1 | 2 | 3 | 4;
  /** Prefix for heading ids, to keep several rendered blocks on one page apart. */
  idPrefix?: string;
};

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** Tags out, the few entities marked emits decoded: plain text for ids, search and excerpts. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

export function slugify(value: string): string {
  return value
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

/** Same-site paths, fragments, http(s) and mailto. Anything else (javascript:, data:, vbscript:) is dropped. */
export function safeHref(href: string): string | null {
  const value = href.trim();
  if (value === "") return null;
  if (/^(\/(?!\/)|#|\.\.?\/)/.test(value)) return value;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return /^[\w./?#=&%-]+$/.test(value) ? value : null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" || url.protocol === "mailto:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** The smallest heading depth anywhere in the tokens (7 when there is none). */
function highestHeading(tokens: Token[]): number {
  let min = 7;
  for (const token of tokens) {
    if (token.type === "heading") min = Math.min(min, (token as Tokens.Heading).depth);
    const nested = [
      ...("tokens" in token && Array.isArray(token.tokens) ? token.tokens : []),
      ...("items" in token && Array.isArray(token.items) ? token.items : []),
    ];
    if (nested.length > 0) min = Math.min(min, highestHeading(nested as Token[]));
  }
  return min;
}

export function renderMarkdown(source: string, options: RenderOptions = {}): Rendered {
  const headings: Heading[] = [];
  const used = new Map<string, number>();
  const prefix = options.idPrefix ?? "";
  let shift = 0;

  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(token.text);
      },
      heading(token: Tokens.Heading) {
        const inner = this.parser.parseInline(token.tokens);
        const text = htmlToText(inner);
        const base = `${prefix}${slugify(text) || "section"}`;
        const seen = used.get(base) ?? 0;
        used.set(base, seen + 1);
        const id = seen === 0 ? base : `${base}-${seen}`;
        const depth = Math.max(1, Math.min(6, token.depth + shift));
        headings.push({ depth, id, text });
        return `<h${depth} id="${id}">${inner}</h${depth}>\n`;
      },
      link(token: Tokens.Link) {
        const inner = this.parser.parseInline(token.tokens);
        const href = safeHref(token.href);
        if (href === null) return inner;
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<a href="${escapeHtml(href)}"${title}>${inner}</a>`;
      },
      image(token: Tokens.Image) {
        const href = safeHref(token.href);
        if (href === null) return escapeHtml(token.text);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<img src="${escapeHtml(href)}" alt="${escapeHtml(token.text)}"${title} loading="lazy">`;
      },
      code(token: Tokens.Code) {
        // Focusable, so a code block that scrolls sideways can be scrolled from the keyboard.
        const language = /^[\w-]+$/.test(token.lang ?? "") ? ` class="language-${token.lang}"` : "";
        return `<pre tabindex="0"><code${language}>${escapeHtml(token.text)}</code></pre>\n`;
      },
      table(token: Tokens.Table) {
        // Wide tables scroll inside their own box instead of widening the page.
        const header = token.header.map((cell) => this.tablecell(cell)).join("");
        const rows = token.rows.map((row) => `<tr>${row.map((cell) => this.tablecell(cell)).join("")}</tr>`).join("\n");
        return `<div class="table-scroll" tabindex="0"><table><thead><tr>${header}</tr></thead><tbody>${rows}</tbody></table></div>\n`;
      },
    },
  });

  const tokens = marked.lexer(source);
  const highest = highestHeading(tokens);
  shift = highest === 7 ? 0 : (options.topHeading ?? 1) - highest;
  const html = marked.parser(tokens);
  return { html, headings };
}
