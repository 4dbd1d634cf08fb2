/**
 * The Worker's `fetch`: request id, settings (fail closed), database handle, then Remix (public pages
 * from the edge cache when they are there).
 * Anything that escapes Remix reaches the reporter and becomes a plain error page.
 */
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/cloudflare";
import { handleApi } from "../api/router.server";
import { envelope } from "../api/envelope";
import { readSettings, type SettingsResult } from "../config/env.server";
import { countD1, d1ServerTiming } from "../observability/d1-counts";
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
  const settings = readSettings(env);
  if (!settings.ok || settings.settings.ENVIRONMENT !== "development")
    return handle(request, env, ctx, build, settings);
  // Development: what the request cost in D1, for the bench and the browser's network panel.
  const [response, counts] = await countD1(() => handle(request, env, ctx, build, settings));
  response.headers.append("Server-Timing", d1ServerTiming(counts));
  return response;
}

async function handle(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  build: ServerBuild,
  settings: SettingsResult,
): Promise<Response> {
  const requestId = newRequestId();

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

  if (isApi) {
    const context = createLoadContext({ env, ctx, settings: settings.settings, requestId });
    if (!isWebhook) return withStandardHeaders(await handleApi(request, context), request, requestId);
    try {
      return withStandardHeaders(await handleWebhook(request, context), request, requestId);
    } catch (error) {
      reportError(context.logger, error, { route: WEBHOOK_PATH });
      const failed = envelope(requestId, 500, {
        errorTag: "InternalError",
        errorMessage: "The delivery could not be received.",
      });
      return withStandardHeaders(failed, request, requestId);
    }
  }

  // Public pages come from the edge cache when a copy of this build's render is there: before the
  // load context is even built.
  try {
    const response = await withPageCache(request, url, ctx, build.assets.version, () =>
      renderPage(request, createLoadContext({ env, ctx, settings: settings.settings, requestId }), build),
    );
    return withStandardHeaders(response, request, requestId);
  } catch (error) {
    reportError(createLogger({ requestId, level: settings.settings.LOG_LEVEL ?? "info" }), error, { route: pathname });
    const failed = errorDocument({
      status: 500,
      title: "Something went wrong",
      body: "We could not complete this request. It has been reported; please try again.",
      requestId,
    });
    return withStandardHeaders(failed, request, requestId);
  }
}

/** A page: Remix, behind the cross-site form check. */
async function renderPage(request: Request, context: AppLoadContext, build: ServerBuild): Promise<Response> {
  const { logger, requestId } = context;
  // Forms change state only from our own pages. Refused here, before Remix, so every route gets the
  // same clear 403 (Remix's own CSRF check would end in a bare 500).
  if (isCrossSiteWrite(request)) {
    logger.warn("cross_site_form_refused", { path: new URL(request.url).pathname });
    return errorDocument({
      status: 403,
      title: "Form refused",
      body: "This form was submitted from another site, so we ignored it. Nothing was changed.",
      requestId,
    });
  }
  const mode = context.settings.ENVIRONMENT === "development" ? "development" : "production";
  return remixHandler(build, mode)(request, context);
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
