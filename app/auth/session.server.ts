/**
 * Browser sessions: a signed cookie (Remix cookie session storage) that carries only a session id,
 * and a row in D1 that makes "sign out" and "sign out everywhere" real.
 *
 * Every read checks the cookie's contents with a schema. A tampered, expired, revoked or
 * old-format cookie means "signed out" and the cookie is cleared — never a 500, never a half-user.
 */
import { createCookieSessionStorage, type AppLoadContext } from "@remix-run/cloudflare";
import { and, eq, gt, isNull } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import { newId } from "../domain/ids";
import { type, validate } from "../validation";
import type { SignInProvider } from "../config/env.server";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Idle expiry, pushed forward on use … */
export const SESSION_IDLE_MS = 7 * DAY;
/** … never past the absolute maximum from sign-in. */
export const SESSION_ABSOLUTE_MS = 30 * DAY;
/** How stale `last_seen_at` may get before a request refreshes it (limits writes). */
const TOUCH_AFTER_MS = HOUR;

export const sessionCookieData = type({ v: "1", sid: /^ses_[0-9A-Za-z]{28}$/ });

export type SessionUser = {
  id: string;
  name: string;
  login: string | null;
  email: string | null;
  avatarUrl: string | null;
  lastWorkspaceId: string | null;
  sessionId: string;
};

type Ctx = Pick<AppLoadContext, "db" | "settings" | "now" | "logger" | "cloudflare">;

export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === "https:";
}

/** `__Host-` cookies must be Secure, path=/ and host-only: only possible on https. */
export function sessionCookieName(request: Request): string {
  return isHttps(request) ? "__Host-atmos_session" : "atmos_session";
}

export function sessionStorage(request: Request, settings: Ctx["settings"]) {
  return createCookieSessionStorage({
    cookie: {
      name: sessionCookieName(request),
      httpOnly: true,
      sameSite: "lax",
      secure: isHttps(request),
      path: "/",
      maxAge: SESSION_ABSOLUTE_MS / 1000,
      secrets: settings.SESSION_SECRET,
    },
  });
}

export type SessionRead =
  | { status: "signed_in"; user: SessionUser }
  | { status: "none" }
  /** A cookie was sent but is no good: the caller should clear it. */
  | { status: "invalid"; reason: "unreadable" | "malformed" | "unknown" | "revoked" | "expired" };

export async function readSession(request: Request, context: Ctx): Promise<SessionRead> {
  return (await readSessionWith(request, context, null)).read;
}

/**
 * Reads the session and, in the same D1 round trip, a query that needs only the session id (for
 * example the membership a dashboard page is about: see dashboard/membership.server.ts).
 */
export async function readSessionWith<Q extends PromiseLike<unknown>>(
  request: Request,
  context: Ctx,
  alongside: ((sessionId: string) => Q) | null,
): Promise<{ read: SessionRead; alongside: Awaited<Q> | null }> {
  const none = (read: SessionRead) => ({ read, alongside: null });
  const cookieHeader = request.headers.get("Cookie");
  const name = sessionCookieName(request);
  if (!cookieHeader || !cookieHeader.split(";").some((part) => part.trim().startsWith(`${name}=`))) {
    return none({ status: "none" });
  }

  let data: unknown;
  try {
    // A bad signature yields an empty session rather than an error; anything else is "unreadable".
    const session = await sessionStorage(request, context.settings).getSession(cookieHeader);
    data = session.data;
  } catch {
    return none({ status: "invalid", reason: "unreadable" });
  }
  const parsed = validate(sessionCookieData, data);
  if (!parsed.ok) return none({ status: "invalid", reason: "malformed" });

  const now = context.now();
  const sessionQuery = context.db
    .select({
      id: users.id,
      name: users.name,
      login: users.login,
      email: users.email,
      avatarUrl: users.avatarUrl,
      lastWorkspaceId: users.lastWorkspaceId,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      absoluteExpiresAt: sessions.absoluteExpiresAt,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, parsed.value.sid))
    .limit(1);
  let rows: Awaited<typeof sessionQuery>;
  let extra: Awaited<Q> | null = null;
  if (alongside) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [sessionRows, extraRows] = await context.db.batch([sessionQuery, alongside(parsed.value.sid) as any]);
    rows = sessionRows;
    extra = extraRows as Awaited<Q>;
  } else {
    rows = await sessionQuery;
  }
  const row = rows[0];
  if (!row) return none({ status: "invalid", reason: "unknown" });
  if (row.revokedAt) return none({ status: "invalid", reason: "revoked" });
  if (row.expiresAt <= now || row.absoluteExpiresAt <= now) return none({ status: "invalid", reason: "expired" });

  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.absoluteExpiresAt.getTime()));
    // Rolling expiry is bookkeeping: it must never slow down or fail the request.
    context.cloudflare.ctx.waitUntil(
      context.db
        .update(sessions)
        .set({ lastSeenAt: now, expiresAt })
        .where(eq(sessions.id, parsed.value.sid))
        .then(() => undefined)
        .catch((error: unknown) => context.logger.warn("session_touch_failed", { error: String(error) })),
    );
  }

  const read: SessionRead = {
    status: "signed_in",
    user: {
      id: row.id,
      name: row.name,
      login: row.login,
      email: row.email,
      avatarUrl: row.avatarUrl,
      lastWorkspaceId: row.lastWorkspaceId,
      sessionId: parsed.value.sid,
    },
  };
  return { read, alongside: extra };
}

/** Creates the session row; returns the Set-Cookie value that carries it. */
export async function createSession(
  request: Request,
  context: Ctx,
  userId: string,
  provider: SignInProvider,
): Promise<string> {
  const now = context.now();
  const id = newId("ses");
  await context.db.insert(sessions).values({
    id,
    userId,
    provider,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
    absoluteExpiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
    userAgent: request.headers.get("User-Agent")?.slice(0, 256) ?? null,
  });
  return sessionCookieFor(request, context, id);
}

export async function sessionCookieFor(
  request: Request,
  context: Pick<Ctx, "settings">,
  sessionId: string,
): Promise<string> {
  const storage = sessionStorage(request, context.settings);
  const session = await storage.getSession();
  session.set("v", 1);
  session.set("sid", sessionId);
  return storage.commitSession(session);
}

export async function clearSessionCookie(request: Request, context: Pick<Ctx, "settings">): Promise<string> {
  const storage = sessionStorage(request, context.settings);
  return storage.destroySession(await storage.getSession());
}

export async function revokeSession(context: Ctx, sessionId: string): Promise<void> {
  await context.db
    .update(sessions)
    .set({ revokedAt: context.now() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** "Sign out everywhere": every live session of the user. */
export async function revokeAllSessions(context: Ctx, userId: string): Promise<void> {
  await context.db
    .update(sessions)
    .set({ revokedAt: context.now() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.absoluteExpiresAt, context.now())));
}
