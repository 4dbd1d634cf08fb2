import { env } from "cloudflare:test";
import { createCookieSessionStorage } from "@remix-run/cloudflare";
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { setCookies, sessionCookieFor } from "../auth";
import { FIXED_NOW, seedDatabase } from "../db";
import { get } from "../http";
import { TEST_SETTINGS } from "../settings";
import { form, location, request, signInWithDev } from "./sign-in";

function expectCleared(response: Response, name = "atmos_session") {
  const header = setCookies(response).get(name);
  expect(header, `${name} should be cleared`).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
}

async function sessionIdOf(cookie: string): Promise<string> {
  const row = await env.DB.prepare("SELECT id FROM sessions ORDER BY created_at DESC LIMIT 1").first<{ id: string }>();
  expect(cookie).toContain("atmos_session=");
  return row!.id;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** An instant relative to the run's clock (the app under test runs at FIXED_NOW too). */
const at = (offsetMs: number) => new Date(FIXED_NOW.getTime() + offsetMs);

type SessionRow = {
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  absolute_expires_at: number;
  revoked_at: number | null;
};

/** Sets the times of the (one) session row. */
async function setSession(times: { createdAt?: Date; lastSeenAt: Date; expiresAt: Date; absoluteExpiresAt: Date }) {
  await env.DB.prepare(
    "UPDATE sessions SET created_at = coalesce(?, created_at), last_seen_at = ?, expires_at = ?, absolute_expires_at = ?",
  )
    .bind(
      times.createdAt?.getTime() ?? null,
      times.lastSeenAt.getTime(),
      times.expiresAt.getTime(),
      times.absoluteExpiresAt.getTime(),
    )
    .run();
}

async function sessionRow(): Promise<SessionRow> {
  const rows = await env.DB.prepare(
    "SELECT created_at, last_seen_at, expires_at, absolute_expires_at, revoked_at FROM sessions",
  ).all<SessionRow>();
  expect(rows.results).toHaveLength(1);
  return rows.results[0]!;
}

/** The session row once `ready` holds (the rolling expiry is written in waitUntil, after the response). */
async function waitForSession(ready: (row: SessionRow) => boolean): Promise<SessionRow> {
  let row = await sessionRow();
  for (let i = 0; i < 40 && !ready(row); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    row = await sessionRow();
  }
  return row;
}

describe("sessions", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("signs in with the dev provider through the shared callback and lands on returnTo", async () => {
    const done = await signInWithDev(SEED.ownerLogin, "Ada Owner", "/dashboard/acme?from=login");
    expect(done.response.status).toBe(302);
    expect(location(done.response)).toBe("/dashboard/acme?from=login");
    const cookie = setCookies(done.response).get("atmos_session")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    // The flow cookie is gone once it has served.
    expect(done.jar).not.toContain("atmos_signin=");
    const page = await request("/dashboard/acme", done.jar);
    expect(page.response.status).toBe(200);
    expect(await page.response.text()).toContain("Ada Owner");
  });

  it("creates a new user on first sign-in with a new demo identity", async () => {
    const done = await signInWithDev("new-person", "New Person");
    expect(location(done.response)).toBe("/dashboard");
    const user = await env.DB.prepare(
      "SELECT u.name FROM users u JOIN identities i ON i.user_id = u.id WHERE i.subject = 'new-person'",
    ).first<{ name: string }>();
    expect(user?.name).toBe("New Person");
  });

  it("refuses an open redirect in returnTo and lands on the dashboard instead", async () => {
    for (const evil of ["//evil.example", "https://evil.example/x", "/%2F%2Fevil.example", "javascript:alert(1)"]) {
      const done = await signInWithDev(SEED.ownerLogin, "Ada Owner", evil);
      expect(location(done.response)).toBe("/dashboard");
    }
  });

  it("uses a __Host- Secure cookie on https", async () => {
    const origin = "https://localhost";
    const done = await signInWithDev(SEED.ownerLogin, "Ada Owner", "/dashboard", origin);
    const cookie = setCookies(done.response).get("__Host-atmos_session");
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("treats a tampered cookie as signed out and clears it", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    const tampered = cookie.slice(0, -3) + (cookie.endsWith("A") ? "BBB" : "AAA");
    const response = await get("/dashboard/acme", { headers: { Cookie: tampered } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/login\?returnTo=/);
    expectCleared(response);
  });

  it("treats an old-format cookie (validly signed, wrong shape) as signed out and clears it", async () => {
    const storage = createCookieSessionStorage({
      cookie: { name: "atmos_session", secrets: [TEST_SETTINGS.SESSION_SECRET] },
    });
    const session = await storage.getSession();
    session.set("userId", SEED.ownerId); // what an older release might have stored
    const oldCookie = (await storage.commitSession(session)).split(";")[0]!;
    const response = await get("/dashboard/acme", { headers: { Cookie: oldCookie } });
    expect(response.status).toBe(302);
    expectCleared(response);
  });

  it("a session last seen just under 7 days ago still works, and its idle expiry is pushed 7 days on", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    // Signed in 10 days ago, last seen 7 days less an hour ago: its idle expiry is an hour from now.
    await setSession({
      createdAt: at(-10 * DAY),
      lastSeenAt: at(-7 * DAY + HOUR),
      expiresAt: at(HOUR),
      absoluteExpiresAt: at(20 * DAY),
    });
    const response = await get("/dashboard/acme", { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    await response.text();
    // The touch runs in waitUntil: wait for it.
    const row = await waitForSession((r) => r.last_seen_at >= FIXED_NOW.getTime());
    // Seen now (the app's clock: FIXED_NOW plus the run's elapsed time), idle expiry 7 days after that.
    expect(row.last_seen_at).toBeLessThan(at(HOUR).getTime());
    expect(row.expires_at - row.last_seen_at).toBe(7 * DAY);
    expect(row.absolute_expires_at).toBe(at(20 * DAY).getTime());
    expect((await get("/dashboard/acme", { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it("a session whose 7-day idle expiry has passed is refused: sign in again; its row is not revived", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    // Last seen 7 days and an hour ago: idle-expired an hour ago, long before its absolute maximum.
    await setSession({
      createdAt: at(-10 * DAY),
      lastSeenAt: at(-7 * DAY - HOUR),
      expiresAt: at(-HOUR),
      absoluteExpiresAt: at(20 * DAY),
    });
    const before = await sessionRow();
    const response = await get("/dashboard/acme", { headers: { Cookie: cookie } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/login?returnTo=${encodeURIComponent("/dashboard/acme")}`);
    expectCleared(response);
    // Not extended by the attempt (no touch), and refused again the next time.
    expect(await sessionRow()).toEqual(before);
    expect((await get("/dashboard/acme", { headers: { Cookie: cookie } })).status).toBe(302);
    expect(await sessionRow()).toEqual(before);
  });

  it("enforces the absolute maximum even while the session is in use", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    // Seen a minute ago, idle expiry days away, but 30 days since sign-in ended an hour ago.
    await setSession({
      createdAt: at(-30 * DAY - HOUR),
      lastSeenAt: at(-MINUTE),
      expiresAt: at(7 * DAY),
      absoluteExpiresAt: at(-HOUR),
    });
    const response = await get("/dashboard/acme", { headers: { Cookie: cookie } });
    expect(response.status).toBe(302);
    expectCleared(response);
  });

  it("rolls the idle expiry forward on use, never past the absolute maximum", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    const absolute = at(2 * DAY).getTime();
    await setSession({ lastSeenAt: at(-2 * HOUR), expiresAt: at(HOUR), absoluteExpiresAt: at(2 * DAY) });
    const response = await get("/dashboard/acme", { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    await response.text();
    const row = await waitForSession((r) => r.expires_at === absolute);
    expect(row.expires_at).toBe(absolute);
  });

  it("sign out revokes this session only", async () => {
    const first = await sessionCookieFor(SEED.ownerId);
    const firstId = await sessionIdOf(first);
    const second = await sessionCookieFor(SEED.ownerId);
    const out = await request("/logout", first, form({}));
    expect(out.response.status).toBe(302);
    expectCleared(out.response);
    const revoked = await env.DB.prepare("SELECT revoked_at FROM sessions WHERE id = ?")
      .bind(firstId)
      .first<{ revoked_at: number | null }>();
    expect(revoked?.revoked_at).not.toBeNull();
    expect((await get("/dashboard/acme", { headers: { Cookie: first } })).status).toBe(302);
    expect((await get("/dashboard/acme", { headers: { Cookie: second } })).status).toBe(200);
  });

  it("sign out everywhere revokes every session of the user, and nobody else's", async () => {
    const mine = [await sessionCookieFor(SEED.ownerId), await sessionCookieFor(SEED.ownerId)];
    const theirs = await sessionCookieFor(SEED.memberId);
    await request("/logout", mine[0]!, form({ scope: "everywhere" }));
    for (const cookie of mine) expect((await get("/dashboard/acme", { headers: { Cookie: cookie } })).status).toBe(302);
    expect((await get("/dashboard/acme", { headers: { Cookie: theirs } })).status).toBe(200);
  });

  it("refuses a cross-site form post and changes nothing", async () => {
    const cookie = await sessionCookieFor(SEED.ownerId);
    const out = await request("/logout", cookie, form({ scope: "everywhere" }, "https://evil.example"));
    expect(out.response.status).toBe(403);
    expect((await get("/dashboard/acme", { headers: { Cookie: cookie } })).status).toBe(200);
  });
});

describe("the dev provider exists only for local development", () => {
  it("404s on a host that is not localhost", async () => {
    const page = await request("/auth/dev/authorize?state=x", "", {}, "https://atmos.example.com");
    expect(page.response.status).toBe(404);
    const start = await request("/auth/dev", "", form({}, "https://atmos.example.com"), "https://atmos.example.com");
    expect(start.response.status).toBe(302);
    expect(location(start.response)).toBe("/login?error=provider_unavailable");
  });

  it("re-renders the picker with a field message for a bad login and creates nothing", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>();
    const bad = await request("/auth/dev/authorize", "", form({ state: "s", login: "Not Valid!", name: "x" }));
    expect(bad.response.status).toBe(400);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});
