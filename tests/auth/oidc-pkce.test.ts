/**
 * An OpenID provider whose discovery document does not offer PKCE with S256
 * (`code_challenge_methods_supported` without "S256"). We only sign in with S256, so the app must
 * not start a flow the provider cannot complete safely (no fallback to "plain", no flow without
 * PKCE): sign-in fails at once with /login?error=discovery_failed, the browser is never sent to the
 * provider, and no session is written.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { clearOidcCaches } from "~/auth/providers/oidc.server";
import { SIGN_IN_ERRORS } from "~/auth/sign-in-error";
import { testContext } from "../context";
import { seedDatabase } from "../db";
import { get } from "../http";
import { logRecords } from "../logs";
import { control } from "../fakes/control";
import { providerRequests, signIn, start } from "./providers";

async function sessionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>())!.n;
}

beforeEach(async () => {
  await control("reset");
  clearOidcCaches();
  await seedDatabase();
});

describe("OIDC discovery without S256", () => {
  it("refuses to start the sign-in: /login?error=discovery_failed, no redirect to the provider, no session", async () => {
    await control("faults", { oidc: { discovery: "no_s256" } });
    const before = await sessionCount();
    const context = testContext();
    const started = await start("oidc", { context, returnTo: "/dashboard/acme" });

    expect(started.response.status).toBe(302);
    expect(started.response.headers.get("location")).toBe("/login?error=discovery_failed");
    // No flow was begun: no sign-in or session cookie, and nothing asked of the provider beyond its document.
    expect(
      started.response.headers.getSetCookie().filter((cookie) => /^(__Host-)?atmos_(session|signin)=[^;]/.test(cookie)),
    ).toEqual([]);
    const requests = await providerRequests();
    expect(requests.map((request) => request.path)).toEqual(["/oidc/.well-known/openid-configuration"]);
    expect(await sessionCount()).toBe(before);

    // One warning says why, for the operator (a provider's setup, not our error: no console.error).
    const lines = logRecords().filter((record) => record.requestId === context.requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "warn",
      event: "sign_in_failed",
      errorCode: "discovery_failed",
      provider: "oidc",
      detail: "no_s256",
    });
  });

  it("the login page it lands on says what went wrong", async () => {
    const page = await get("/login?error=discovery_failed");
    expect(page.status).toBe(200);
    const html = await page.text();
    const message = SIGN_IN_ERRORS.discovery_failed.replace(/'/g, "&#x27;");
    expect(html).toContain(`data-testid="login-error">${message}</p>`);
  });

  it("is not cached: once the provider offers S256 again, sign-in works", async () => {
    await control("faults", { oidc: { discovery: "no_s256" } });
    expect((await start("oidc")).response.headers.get("location")).toBe("/login?error=discovery_failed");
    await control("faults", { oidc: { discovery: "ok" } });
    const before = await sessionCount();
    const { response } = await signIn("oidc", { returnTo: "/dashboard/acme" });
    expect(response.headers.get("location")).toBe("/dashboard/acme");
    expect(await sessionCount()).toBe(before + 1);
    const authorize = (await providerRequests()).find((request) => request.path === "/oidc/authorize");
    expect(authorize?.query.code_challenge_method).toBe("S256");
  });
});
