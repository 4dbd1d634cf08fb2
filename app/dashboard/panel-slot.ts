/**
 * A panel slot in a page payload: its data (already checked by the panel's own schema in
 * `panel()`, see panel.server.ts) or its error. Not a .server module: route modules build their
 * payload schemas with it at module scope, and those modules also load in the browser.
 */
import { type } from "../validation";

export const panelSlot = type({ ok: "true", data: "object" }).or({ ok: "false", error: { message: "string", requestId: "string" } });

export type PanelError = { message: string; requestId: string };
export type PanelResult<T> = { ok: true; data: T } | { ok: false; error: PanelError };
