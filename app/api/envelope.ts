/**
 * The API envelope the atmos CLI reads, on every answer, errors included:
 * `{request, status, success, errorTag?, errorMessage?, error?, context?, traceId?, data?}`.
 * `error` is the legacy copy of `errorMessage`; `request` and `traceId` carry our request id.
 */
export type EnvelopeInit = {
  data?: unknown;
  errorTag?: string;
  errorMessage?: string;
  context?: Record<string, unknown>;
  headers?: HeadersInit;
};

export function envelope(requestId: string, status: number, init: EnvelopeInit = {}): Response {
  const success = status >= 200 && status < 300;
  const body: Record<string, unknown> = { request: requestId, status, success };
  if (init.errorTag) body.errorTag = init.errorTag;
  if (init.errorMessage) {
    body.errorMessage = init.errorMessage;
    body.error = init.errorMessage;
  }
  if (init.context) body.context = init.context;
  if (!success) body.traceId = requestId;
  if (init.data !== undefined) body.data = init.data;
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status, headers });
}

/** An expected failure, thrown inside handlers and turned into its envelope by the router. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorTag: string,
    message: string,
    readonly extra: { context?: Record<string, unknown>; data?: unknown; headers?: HeadersInit } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}
