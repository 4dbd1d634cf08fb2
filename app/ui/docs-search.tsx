/**
 * Docs search: ⌘K / Ctrl+K (or the header's button) opens a modal dialog with a search box over
 * the prebuilt index, fetched once on first open. It follows the combobox + listbox pattern: the
 * focus stays in the input, ↑/↓ move the active result (announced via aria-activedescendant),
 * Enter opens it, Escape closes the dialog and focus returns to where it was.
 */
import { useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { hitHref, searchDocs, type SearchHit } from "~/content/search";
import { readSearchIndex } from "~/content/search-guard";
import type { SearchEntry } from "~/content/types";

type IndexState = { kind: "idle" | "loading" | "error" } | { kind: "ready"; entries: SearchEntry[] };

export const SEARCH_INDEX_URL = "/docs/search-index.json";

function useSearchIndex(wanted: boolean): IndexState {
  const [state, setState] = useState<IndexState>({ kind: "idle" });
  useEffect(() => {
    if (!wanted || state.kind === "ready" || state.kind === "loading") return;
    setState({ kind: "loading" });
    fetch(SEARCH_INDEX_URL, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((body: unknown) => {
        const entries = readSearchIndex(body);
        setState(entries ? { kind: "ready", entries } : { kind: "error" });
      })
      .catch(() => setState({ kind: "error" }));
    // Fetch once per open while not loaded: `state` changes are the effect's own.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted]);
  return state;
}

export function DocsSearch() {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();
  const index = useSearchIndex(open);
  const id = useId();
  const listId = `${id}-results`;

  const results: SearchHit[] = useMemo(
    () => (index.kind === "ready" ? searchDocs(index.entries, query) : []),
    [index, query],
  );

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen(true);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      input.current?.focus();
      input.current?.select();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  useEffect(() => setActive(0), [query]);

  const close = useCallback(() => setOpen(false), []);

  const go = useCallback(
    (hit: SearchHit | undefined) => {
      if (!hit) return;
      setOpen(false);
      navigate(hitHref(hit));
    },
    [navigate],
  );

  function onInputKey(event: React.KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((i) => (results.length === 0 ? 0 : (i + 1) % results.length));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((i) => (results.length === 0 ? 0 : (i - 1 + results.length) % results.length));
    } else if (event.key === "Enter") {
      event.preventDefault();
      go(results[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  }

  useEffect(() => {
    document.getElementById(`${id}-option-${active}`)?.scrollIntoView({ block: "nearest" });
  }, [active, id]);

  const status =
    index.kind === "loading"
      ? "Loading the docs index…"
      : index.kind === "error"
        ? "Search is unavailable right now. Browse the docs from the sidebar."
        : query.trim() === ""
          ? "Type to search titles, headings and text."
          : results.length === 0
            ? `No results for “${query.trim()}”.`
            : `${results.length} result${results.length === 1 ? "" : "s"}. Use the arrow keys to choose, Enter to open.`;

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-keyshortcuts="Meta+K Control+K"
        aria-haspopup="dialog"
        className="flex items-center gap-2 rounded-md border border-slate-300 bg-white p-2 text-sm text-slate-600 hover:border-slate-400 hover:text-slate-900 sm:px-2.5 sm:py-1.5"
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="h-4 w-4"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <circle cx="9" cy="9" r="6" />
          <path d="m14 14 4 4" strokeLinecap="round" />
        </svg>
        <span className="sr-only sm:not-sr-only">Search docs</span>
        <kbd className="hidden rounded border border-slate-300 px-1 font-sans text-xs text-slate-600 md:inline">⌘K</kbd>
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        onClose={close}
        onCancel={close}
        onClick={(event) => {
          if (event.target === dialog.current) close();
        }}
        className="mt-[10vh] w-[min(40rem,calc(100vw-2rem))] rounded-xl bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-900/50"
      >
        <div className="border-b border-slate-200 p-3">
          <h2 id={`${id}-title`} className="sr-only">
            Search the docs
          </h2>
          <label htmlFor={`${id}-input`} className="sr-only">
            Search the docs
          </label>
          <input
            ref={input}
            id={`${id}-input`}
            type="text"
            role="combobox"
            autoComplete="off"
            spellCheck={false}
            placeholder="Search the docs…"
            aria-expanded={results.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={results.length > 0 ? `${id}-option-${active}` : undefined}
            aria-describedby={`${id}-status`}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={onInputKey}
            className="w-full rounded-md border border-slate-300 px-3 py-2 text-base"
          />
          <p id={`${id}-status`} role="status" className="mt-2 text-xs text-slate-600">
            {status}
          </p>
        </div>
        <ul id={listId} role="listbox" aria-label="Search results" className="max-h-[60vh] overflow-y-auto p-2">
          {results.map((hit, i) => (
            <li
              key={`${hit.slug}#${hit.anchor}`}
              id={`${id}-option-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseMove={() => setActive(i)}
              onClick={() => go(hit)}
              className={`cursor-pointer rounded-lg px-3 py-2 ${i === active ? "bg-indigo-50 ring-1 ring-indigo-200" : ""}`}
            >
              <p className="text-sm font-medium text-slate-900">
                {hit.page}
                {hit.heading ? <span className="text-slate-600"> › {hit.heading}</span> : null}
              </p>
              <p className="mt-0.5 line-clamp-2 text-xs text-slate-600">{hit.snippet}</p>
            </li>
          ))}
        </ul>
        <div className="flex justify-end border-t border-slate-200 p-2">
          <button
            type="button"
            onClick={close}
            className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
          >
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
