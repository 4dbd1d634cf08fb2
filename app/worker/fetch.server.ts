/**
 * The Worker's `fetch`: request id, settings (fail closed), database handle, then Remix (public pages
 * from the edge cache when they are there).
 * Anything that escapes Remix reaches the reporter and becomes a plain error page.
 */
import { createRequestHandler, type ServerBuild } from "@remix-run/cloudflare";
import { handleApi } from "../api/router.server";
import { envelope } from "../api/envelope";
import { readSettings } from "../config/env.server";
import { createLogger, newRequestId } from "../observability/logger";
import { reportError } from "../observability/reporter";
import { handleWebhook, WEBHOOK_PATH } from "../webhooks/receive.server";
import { errorDocument } from "./error-document";
import { createLoadContext } from "./load-context";
import { withPageCache } from "./page-cache.server";

const handlers = new WeakMap<ServerBuild, ReturnType<typeof createRequestHandler>>();

function remixHandler(build: ServerBuild, mode: string) {
  let handler = handlers.get(build);
  if (!handler) {
    handler = createRequestHandler(build, mode);
    handlers.set(build, handler);
  }
  return handler;
}

export async function handleFetch(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  build: ServerBuild,
): Promise<Response> {
  const requestId = newRequestId();
  const settings = readSettings(env);

  const url = new URL(request.url);
  const pathname = url.pathname;
  const isWebhook = pathname === WEBHOOK_PATH;
  // Machine clients (the CLI, GitHub) get JSON envelopes, never pages.
  const isApi = /^\/api(\/|$)/.test(pathname) || isWebhook;

  if (!settings.ok) {
    createLogger({ requestId }).error("config_invalid", { settings: settings.invalid });
    if (isApi) {
      return withStandardHeaders(
        envelope(requestId, 500, {
          errorTag: "Misconfigured",
          errorMessage: `The server is misconfigured: ${settings.invalid.join(", ")}.`,
        }),
        request,
        requestId,
      );
    }
    return withStandardHeaders(
      errorDocument({
        status: 500,
        title: "Atmos Pro is not configured correctly",
        body: `These settings are missing or invalid: ${settings.invalid.join(", ")}. Set them (see the README's settings table) and reload.`,
        details: settings.messages,
        requestId,
      }),
      request,
      requestId,
    );
  }

  const context = createLoadContext({ env, ctx, settings: settings.settings, requestId });
  const logger = context.logger;

  if (isWebhook) {
    try {
      return withStandardHeaders(await handleWebhook(request, context), request, requestId);
    } catch (error) {
      reportError(logger, error, { route: WEBHOOK_PATH });
      const failed = envelope(requestId, 500, {
        errorTag: "InternalError",
        errorMessage: "The delivery could not be received.",
      });
      return withStandardHeaders(failed, request, requestId);
    }
  }
  if (isApi) return withStandardHeaders(await handleApi(request, context), request, requestId);

  // Forms change state only from our own pages. Refused here, before Remix, so every route gets the
  // same clear 403 (Remix's own CSRF check would end in a bare 500).
  if (isCrossSiteWrite(request)) {
    logger.warn("cross_site_form_refused", { path: new URL(request.url).pathname });
    return withStandardHeaders(
      errorDocument({
        status: 403,
        title: "Form refused",
        body: "This form was submitted from another site, so we ignored it. Nothing was changed.",
        requestId,
      }),
      request,
      requestId,
    );
  }

  try {
    const mode = settings.settings.ENVIRONMENT === "development" ? "development" : "production";
    // Public pages come from the edge cache when a copy of this build's render is there.
    const response = await withPageCache(request, url, ctx, build.assets.version, () =>
      remixHandler(build, mode)(request, context),
    );
    return withStandardHeaders(response, request, requestId);
  } catch (error) {
    reportError(logger, error, { route: new URL(request.url).pathname });
    return withStandardHeaders(
      errorDocument({
        status: 500,
        title: "Something went wrong",
        body: "We could not complete this request. It has been reported; please try again.",
        requestId,
      }),
      request,
      requestId,
    );
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isCrossSiteWrite(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get("Origin");
  return origin !== null && origin !== new URL(request.url).origin;
}

function withStandardHeaders(response: Response, request: Request, requestId: string): Response {
  const out = new Response(response.body, response);
  out.headers.set("X-Request-Id", requestId);
  out.headers.set("X-Content-Type-Options", "nosniff");
  out.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  if (!out.headers.has("X-Frame-Options")) out.headers.set("X-Frame-Options", "DENY");
  if (request.url.startsWith("https:")) {
    out.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  }
  return out;
}
