/**
 * `/api/*`: a small router in front of Remix (see docs/decisions/0006). Every answer is the
 * envelope — unknown routes (404), wrong methods (405 with Allow), bad bodies (400/413/415),
 * auth (401/403), conflicts (409) and unexpected errors (500, reported) included.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { reportError } from "../observability/reporter";
import { ApiError, envelope } from "./envelope";
import type { ApiHandler } from "./handler";
import {
  affectedStacks,
  decodePathSegment,
  exchange,
  gitCommit,
  instances,
  instanceStatus,
  lock,
  unlock,
} from "./handlers.server";
import { statusHandler } from "./status.server";

const SEGMENT = "[^/]+";
/** Every `/api/*` endpoint: method, path pattern (named groups become params), handler. */
export const API_ROUTES: Array<{ method: string; pattern: RegExp; handler: ApiHandler }> = [
  { method: "POST", pattern: /^\/api\/v1\/auth\/github-oidc\/?$/, handler: exchange },
  { method: "POST", pattern: /^\/api\/v1\/affected-stacks\/?$/, handler: affectedStacks },
  { method: "POST", pattern: /^\/api\/v1\/instances\/?$/, handler: instances },
  {
    method: "PATCH",
    pattern: new RegExp(`^/api/v1/repos/(?<owner>${SEGMENT})/(?<repo>${SEGMENT})/instances/?$`),
    handler: (args) =>
      instanceStatus(args, args.url.searchParams.get("stack") ?? "", args.url.searchParams.get("component") ?? ""),
  },
  {
    // Deprecated form, still served: /instances/{stack}/{component…} (components may contain "/").
    method: "PATCH",
    pattern: new RegExp(
      `^/api/v1/repos/(?<owner>${SEGMENT})/(?<repo>${SEGMENT})/instances/(?<stack>${SEGMENT})/(?<component>.+)$`,
    ),
    handler: (args) =>
      instanceStatus(
        args,
        decodePathSegment(args.params.stack ?? "", "stack"),
        decodePathSegment(args.params.component ?? "", "component"),
      ),
  },
  { method: "POST", pattern: /^\/api\/v1\/locks\/?$/, handler: lock },
  { method: "DELETE", pattern: /^\/api\/v1\/locks\/?$/, handler: unlock },
  { method: "GET", pattern: /^\/api\/status\/?$/, handler: statusHandler },
  { method: "POST", pattern: /^\/api\/v1\/git\/commit\/?$/, handler: gitCommit },
];

type Match = { handler: ApiHandler; params: Record<string, string> } | { allowed: string[] } | null;

function match(method: string, pathname: string): Match {
  const allowed: string[] = [];
  for (const route of API_ROUTES) {
    const found = route.pattern.exec(pathname);
    if (!found) continue;
    if (route.method === method) return { handler: route.handler, params: found.groups ?? {} };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}

export async function handleApi(request: Request, context: AppLoadContext): Promise<Response> {
  const url = new URL(request.url);
  const found = match(request.method, url.pathname);
  try {
    if (!found) throw new ApiError(404, "NotFound", `There is no API endpoint ${request.method} ${url.pathname}.`);
    if ("allowed" in found) {
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `${request.method} is not allowed here. Use ${found.allowed.join(" or ")}.`,
        { headers: { Allow: found.allowed.join(", ") } },
      );
    }
    return await found.handler({ request, context, params: found.params, url });
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status >= 500)
        context.logger.error("api_error", { status: error.status, errorTag: error.errorTag, path: url.pathname });
      return envelope(context.requestId, error.status, {
        errorTag: error.errorTag,
        errorMessage: error.message,
        context: error.extra.context,
        data: error.extra.data,
        headers: error.extra.headers,
      });
    }
    reportError(context.logger, error, { route: url.pathname, method: request.method });
    return envelope(context.requestId, 500, {
      errorTag: "InternalError",
      errorMessage: "Something went wrong on our side. The request can be retried.",
    });
  }
}
