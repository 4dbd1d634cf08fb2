/**
 * Dashboard pages are made of panels. Each panel's data is checked by its own schema: a panel
 * whose data fails shows its own error (a clear message and the request id) while the rest of the
 * page renders, and one redacted log line names the failing fields (never the data).
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { issuePaths, type, validate } from "../validation";
import type { Type } from "../validation/arktype";
import type { PanelResult } from "./panel-slot";

export type { PanelError, PanelResult } from "./panel-slot";

const slot = type({ ok: "true", data: "object" }).or({
  ok: "false",
  error: { message: "string", requestId: "string" },
});

/**
 * The page schema's entry for a panel built by `panel(schema, …)`. The page's check sees only the
 * slot's shape: `panel()` has already checked the data by the panel's own schema (or replaced it with
 * the panel's error), so checking it again would only cost time. The type is the panel's, so the
 * component reads `useLoaderData<typeof loader>()` with the panel's data typed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function panelSlot<S extends Type<any, any>>(_panel: S): Type<PanelResult<S["infer"]>> {
  return slot as unknown as Type<PanelResult<S["infer"]>>;
}

export const PANEL_ERROR_MESSAGE =
  "This panel's data did not come out as expected, so we are not showing it. The rest of the page is fine.";

/**
 * `data` is the panel's data, or a function that builds it: a function that throws (a stored value
 * the data layer cannot read, such as a JSON column that is not JSON) fails this panel only, as a
 * payload that fails its schema does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function panel<S extends Type<any, any>>(
  schema: S,
  data: S["inferIn"] | (() => S["inferIn"]),
  context: Pick<AppLoadContext, "logger" | "requestId">,
  name: string,
): PanelResult<S["infer"]> {
  let built: S["inferIn"];
  try {
    built = typeof data === "function" ? (data as () => S["inferIn"])() : data;
  } catch (error) {
    context.logger.error("panel_data_unreadable", {
      panel: name,
      error: error instanceof Error ? error.name : "unknown",
    });
    return { ok: false, error: { message: PANEL_ERROR_MESSAGE, requestId: context.requestId } };
  }
  const result = validate(schema, built);
  if (result.ok) return { ok: true, data: result.value };
  context.logger.error("panel_payload_invalid", {
    panel: name,
    fields: issuePaths(result.issues),
    crashed: result.crashed === true,
  });
  return { ok: false, error: { message: PANEL_ERROR_MESSAGE, requestId: context.requestId } };
}
