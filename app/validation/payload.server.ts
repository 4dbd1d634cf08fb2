/**
 * Loader payloads: every loader returns through its payload schema. A payload that does not
 * satisfy it never reaches the component: we throw a 500 Response that the route's
 * ErrorBoundary renders, and log one line naming the failing fields (never the data).
 */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { issuePaths, validate, type Issue } from "./index";
import type { Type } from "./arktype";

/** What a route's ErrorBoundary receives when its payload failed validation. */
export type PayloadErrorData = {
  kind: "payload_invalid";
  message: string;
  requestId: string;
};

export const PAYLOAD_ERROR_MESSAGE =
  "This page's data did not come out in the shape we expected, so we did not show it. The problem has been logged.";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function payload<S extends Type<any, any>>(
  schema: S,
  data: S["inferIn"],
  context: Pick<AppLoadContext, "logger" | "requestId">,
  options: { name: string; headers?: HeadersInit },
) {
  const result = validate(schema, data);
  if (!result.ok) {
    throw payloadError(context, options.name, result.issues, result.crashed === true);
  }
  return json(result.value as S["infer"], { headers: options.headers });
}

export function payloadError(
  context: Pick<AppLoadContext, "logger" | "requestId">,
  name: string,
  issues: Issue[],
  crashed = false,
): Response {
  context.logger.error("loader_payload_invalid", { payload: name, fields: issuePaths(issues), crashed });
  const body: PayloadErrorData = {
    kind: "payload_invalid",
    message: PAYLOAD_ERROR_MESSAGE,
    requestId: context.requestId,
  };
  return json(body, { status: 500 });
}
