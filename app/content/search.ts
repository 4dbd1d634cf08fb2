/**
 * Docs search over the prebuilt index (scripts/build-content.ts → /docs/search-index.json), in the
 * browser. Every word of the query must appear in the entry; matches in the page title count most,
 * then the section heading, then the text, and words matched at their start beat words matched inside.
 */
import type { SearchEntry } from "./types";

export type SearchHit = SearchEntry & { score: number; snippet: string };

export function queryWords(query: string): string[] {
  return [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_./-]+/u)
        .map((word) => word.replace(/^[./-]+|[./-]+$/g, ""))
        .filter(Boolean),
    ),
  ];
}

function fieldScore(field: string, word: string, weight: number): number {
  const at = field.indexOf(word);
  if (at < 0) return 0;
  const startsWord = at === 0 || !/[\p{L}\p{N}]/u.test(field[at - 1]!);
  return startsWord ? weight * 2 : weight;
}

function snippet(text: string, words: string[], length = 140): string {
  const lower = text.toLowerCase();
  const at = Math.min(
    ...words.map((word) => lower.indexOf(word)).filter((index) => index >= 0),
    Number.MAX_SAFE_INTEGER,
  );
  if (at === Number.MAX_SAFE_INTEGER || at < 40)
    return text.length > length ? `${text.slice(0, length).replace(/\s+\S*$/, "")} …` : text;
  const start = text.lastIndexOf(" ", at - 30) + 1;
  const piece = text.slice(start, start + length);
  return `… ${piece.length < text.length - start ? `${piece.replace(/\s+\S*$/, "")} …` : piece}`;
}

export function searchDocs(index: readonly SearchEntry[], query: string, limit = 8): SearchHit[] {
  const words = queryWords(query);
  if (words.length === 0) return [];
  const phrase = query.trim().toLowerCase();
  const hits: SearchHit[] = [];
  for (const entry of index) {
    const page = entry.page.toLowerCase();
    const heading = entry.heading.toLowerCase();
    const text = entry.text.toLowerCase();
    let score = 0;
    let all = true;
    for (const word of words) {
      const s = fieldScore(page, word, 8) + fieldScore(heading, word, 5) + fieldScore(text, word, 1);
      if (s === 0) {
        all = false;
        break;
      }
      score += s;
    }
    if (!all) continue;
    if (words.length > 1 && (page.includes(phrase) || heading.includes(phrase))) score += 10;
    if (entry.anchor === "") score += 1;
    hits.push({ ...entry, score, snippet: snippet(entry.text, words) });
  }
  return hits.sort((a, b) => b.score - a.score || a.page.localeCompare(b.page)).slice(0, limit);
}

export function hitHref(hit: Pick<SearchEntry, "slug" | "anchor">): string {
  return `/docs/${hit.slug}${hit.anchor ? `#${hit.anchor}` : ""}`;
}
