/**
 * The browser's check of `/docs/search-index.json`. Hand-written rather than arktype on purpose:
 * arktype's start-up costs seconds of main-thread time on a throttled phone, which the public pages
 * cannot afford (docs/decisions/0007-no-schema-library-in-the-browser.md). A test runs the same
 * fixtures through this guard and through `searchIndexPayload` (payloads.server.ts) and expects the
 * same verdicts.
 */
import { DOC_SECTIONS, type SearchEntry } from "./types";

const isString = (value: unknown): value is string => typeof value === "string";

export function isSearchEntry(value: unknown): value is SearchEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    isString(entry.slug) &&
    isString(entry.anchor) &&
    isString(entry.page) &&
    isString(entry.heading) &&
    isString(entry.text) &&
    (DOC_SECTIONS as readonly unknown[]).includes(entry.section)
  );
}

export function readSearchIndex(value: unknown): SearchEntry[] | null {
  if (typeof value !== "object" || value === null) return null;
  const entries = (value as Record<string, unknown>).entries;
  return Array.isArray(entries) && entries.every(isSearchEntry) ? entries : null;
}
