/**
 * Who is making this request. `requireUser` never returns null: a complete, validated user, or a
 * thrown redirect to /login (clearing a cookie that turned out to be no good).
 */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { clearSessionCookie, readSession, type SessionUser } from "./session.server";

export type CurrentUser = SessionUser;

export async function requireUser(request: Request, context: AppLoadContext): Promise<CurrentUser> {
  const read = await readSession(request, context);
  if (read.status === "signed_in") return read.user;
  const headers = new Headers();
  if (read.status === "invalid") {
    context.logger.info("session_rejected", { reason: read.reason });
    headers.append("Set-Cookie", await clearSessionCookie(request, context));
  }
  const url = new URL(request.url);
  throw redirect(`/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`, { headers });
}

/** For pages that work signed in or out. The cookie to clear, if any, comes back as a header. */
export async function optionalUser(
  request: Request,
  context: AppLoadContext,
): Promise<{ user: CurrentUser | null; headers: Headers }> {
  const read = await readSession(request, context);
  const headers = new Headers();
  if (read.status === "invalid") headers.append("Set-Cookie", await clearSessionCookie(request, context));
  return { user: read.status === "signed_in" ? read.user : null, headers };
}

export function isLocalRequest(request: Request): boolean {
  const { hostname } = new URL(request.url);
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}
