/** What every `/api/*` handler is: the router (./router.server.ts) matches, the handler answers. */
import type { AppLoadContext } from "@remix-run/cloudflare";

export type ApiArgs = { request: Request; context: AppLoadContext; params: Record<string, string>; url: URL };
export type ApiHandler = (args: ApiArgs) => Promise<Response>;
