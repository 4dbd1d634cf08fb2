/**
 * "session callback resilience" — the incident's first defect. Every failure of any part of
 * sign-in ends in a 302 to /login?error=<code>, exactly one structured log line (code, provider,
 * request id; no secrets), no session written, and other people's sessions untouched.
 */
import { env } from "cloudflare:test";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { beforeEach, describe, expect, it } from "vitest";
import { clearOidcCaches } from "~/auth/providers/oidc.server";
import type { SignInErrorCode } from "~/auth/sign-in-error";
import { createDatabase } from "../../db/client";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { testContext } from "../context";
import { seedDatabase } from "../db";
import { get } from "../http";
import { expectErrorLogs, logRecords } from "../logs";
import { atProvider, callback, control, providerRequests, signIn, start } from "./providers";

async function sessionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>())!.n;
}

let bystander: string;

beforeEach(async () => {
  await control("reset");
  clearOidcCaches();
  await seedDatabase();
  bystander = await sessionCookieFor(SEED.memberId);
});

/** The whole contract of a failed sign-in. */
async function expectControlledFailure(response: Response, context: AppLoadContext, code: SignInErrorCode, provider: string, sessionsBefore: number) {
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe(`/login?error=${code}`);
  expect(response.headers.getSetCookie().some((cookie) => /^(__Host-)?atmos_session=[^;]/.test(cookie))).toBe(false);
  const lines = logRecords().filter((record) => record.requestId === context.requestId);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ event: "sign_in_failed", errorCode: code, provider, requestId: context.requestId });
  expect(await sessionCount()).toBe(sessionsBefore);
  // Somebody else's session still works.
  expect((await get("/dashboard/acme", { headers: { Cookie: bystander } })).status).toBe(200);
}

async function failGithubCallback(faults: Record<string, string>, code: SignInErrorCode) {
  await control("faults", { github: faults });
  const before = await sessionCount();
  const context = testContext();
  const started = await start("github");
  const back = await atProvider(started.authorizeUrl);
  const { response } = await callback("github", back, started.jar, context);
  await expectControlledFailure(response, context, code, "github", before);
}

async function failOidcCallback(faults: Record<string, string>, code: SignInErrorCode) {
  await control("faults", { oidc: faults });
  const before = await sessionCount();
  const context = testContext();
  const started = await start("oidc");
  const back = await atProvider(started.authorizeUrl);
  const { response } = await callback("oidc", back, started.jar, context);
  await expectControlledFailure(response, context, code, "oidc", before);
}

describe("session callback resilience: GitHub", () => {
  it("signs in when everything works, with PKCE S256 and no discovery", async () => {
    const before = await sessionCount();
    const { response } = await signIn("github", { returnTo: "/dashboard/acme" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/dashboard/acme");
    expect(await sessionCount()).toBe(before + 1);
    const requests = await providerRequests();
    const authorize = requests.find((r) => r.path.endsWith("/login/oauth/authorize"));
    expect(authorize?.query.code_challenge_method).toBe("S256");
    expect(requests.some((r) => r.path.includes(".well-known"))).toBe(false);
  });

  it("denied consent", async () => {
    expectErrorLogs();
    await failGithubCallback({ authorize: "deny" }, "access_denied");
  });

  it("missing state cookie", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const context = testContext();
    const started = await start("github");
    const back = await atProvider(started.authorizeUrl);
    const { response } = await callback("github", back, "", context);
    await expectControlledFailure(response, context, "state_missing", "github", before);
  });

  it("state mismatch", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const context = testContext();
    const started = await start("github");
    const back = await atProvider(started.authorizeUrl);
    back.searchParams.set("state", "forged-state");
    const { response } = await callback("github", back, started.jar, context);
    await expectControlledFailure(response, context, "state_mismatch", "github", before);
  });

  it("missing code", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const context = testContext();
    const started = await start("github");
    const back = await atProvider(started.authorizeUrl);
    back.searchParams.delete("code");
    const { response } = await callback("github", back, started.jar, context);
    await expectControlledFailure(response, context, "code_missing", "github", before);
  });

  it.each(["http_400", "http_500", "non_json", "error_200"])("token endpoint %s", async (fault) => {
    expectErrorLogs();
    await failGithubCallback({ token: fault }, "token_exchange_failed");
  });

  it("token endpoint timeout is bounded", async () => {
    expectErrorLogs();
    const startedAt = Date.now();
    await failGithubCallback({ token: "timeout" }, "token_exchange_failed");
    expect(Date.now() - startedAt).toBeLessThan(12_000);
  }, 20_000);

  it.each([
    [{ user: "http_500" }, "profile_unavailable"],
    [{ user: "wrong_shape" }, "profile_unavailable"],
    [{ emails: "http_500" }, "profile_unavailable"],
    [{ emails: "wrong_shape" }, "profile_unavailable"],
    [{ emails: "no_verified" }, "email_unverified"],
  ] as const)("profile %o", async (faults, code) => {
    expectErrorLogs();
    await failGithubCallback(faults, code);
  });

  it("an `iss` on the callback that is not GitHub's", async () => {
    expectErrorLogs();
    await failGithubCallback({ issParam: "wrong" }, "issuer_mismatch");
  });

  it("accepts GitHub's own `iss` (RFC 9207)", async () => {
    await control("faults", { github: { issParam: "correct" } });
    const { response } = await signIn("github");
    expect(response.headers.get("location")).toBe("/dashboard");
  });
});

describe("session callback resilience: OpenID Connect", () => {
  it("signs in when everything works", async () => {
    const { response } = await signIn("oidc", { returnTo: "/dashboard/acme" });
    expect(response.headers.get("location")).toBe("/dashboard/acme");
  });

  it.each(["http_500", "invalid_json", "missing_endpoints", "issuer_mismatch"])("discovery document %s", async (fault) => {
    expectErrorLogs();
    await control("faults", { oidc: { discovery: fault } });
    const before = await sessionCount();
    const context = testContext();
    const started = await start("oidc", { context });
    await expectControlledFailure(started.response, context, "discovery_failed", "oidc", before);
  });

  it("discovery document unreachable", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const context = testContext({}, { OIDC_ISSUER: "http://127.0.0.1:9/oidc" });
    const started = await start("oidc", { context });
    await expectControlledFailure(started.response, context, "discovery_failed", "oidc", before);
  });

  it("denied consent", async () => {
    expectErrorLogs();
    await failOidcCallback({ authorize: "deny" }, "access_denied");
  });

  it.each(["http_500", "non_json"])("token endpoint %s", async (fault) => {
    expectErrorLogs();
    await failOidcCallback({ token: fault }, "token_exchange_failed");
  });

  it.each(["bad_signature", "unknown_kid", "wrong_iss", "wrong_aud", "expired", "wrong_nonce"])("ID token %s", async (fault) => {
    expectErrorLogs();
    await failOidcCallback({ idToken: fault }, "id_token_invalid");
  });

  it("JWKS unreachable", async () => {
    expectErrorLogs();
    await failOidcCallback({ jwks: "http_500" }, "id_token_invalid");
  });
});

describe("session callback resilience: our own side", () => {
  it("D1 failing during the user upsert", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const started = await start("github");
    const back = await atProvider(started.authorizeUrl);
    const broken = new Proxy(env.DB, {
      get(target, property) {
        if (property === "prepare" || property === "batch" || property === "exec") {
          return () => {
            throw new Error("D1_ERROR: Network connection lost.");
          };
        }
        return Reflect.get(target, property);
      },
    });
    const context = testContext({ db: createDatabase(broken) });
    const { response } = await callback("github", back, started.jar, context);
    await expectControlledFailure(response, context, "account_unavailable", "github", before);
  });

  it("an unknown provider name", async () => {
    expectErrorLogs();
    const before = await sessionCount();
    const context = testContext();
    const started = await start("saml", { context });
    await expectControlledFailure(started.response, context, "provider_unavailable", "saml", before);
  });

  it("existing sessions keep working while the providers are down", async () => {
    await control("faults", { github: { token: "http_500", user: "http_500" }, oidc: { discovery: "http_500" } });
    const mine = await sessionCookieFor(SEED.ownerId);
    const page = await get("/dashboard/acme", { headers: { Cookie: mine } });
    expect(page.status).toBe(200);
    expect((await get("/login")).status).toBe(200);
  });
});
