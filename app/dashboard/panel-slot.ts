/**
 * A panel slot in a page payload, as components read it: the panel's data or its error. Types only
 * (browser-safe); the schema for a slot is `panelSlot()` in panel.server.ts.
 */
export type PanelError = { message: string; requestId: string };
export type PanelResult<T> = { ok: true; data: T } | { ok: false; error: PanelError };
