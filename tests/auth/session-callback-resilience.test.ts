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
import { control } from "../fakes/control";
import { atProvider, callback, providerRequests, signIn, start } from "./providers";

async function sessionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>())!.n;
}

type StoredIdentity = {
  email: string | null;
  email_verified: number;
  login: string | null;
  name: string;
  user_email: string | null;
};

/** What the sign-in stored for that provider subject: the identity and its user. */
async function storedIdentity(provider: string, subject: string): Promise<StoredIdentity | null> {
  return env.DB.prepare(
    `SELECT i.email, i.email_verified, i.login, u.name, u.email AS user_email
     FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = ? AND i.subject = ?`,
  )
    .bind(provider, subject)
    .first<StoredIdentity>();
}

async function userinfoRequests() {
  return (await providerRequests()).filter((request) => request.path === "/oidc/userinfo");
}

let bystander: string;

beforeEach(async () => {
  await control("reset");
  clearOidcCaches();
  await seedDatabase();
  bystander = await sessionCookieFor(SEED.memberId);
});

/** The whole contract of a failed sign-in. */
async function expectControlledFailure(
  response: Response,
  context: AppLoadContext,
  code: SignInErrorCode,
  provider: string,
  sessionsBefore: number,
) {
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe(`/login?error=${code}`);
  expect(response.headers.getSetCookie().some((cookie) => /^(__Host-)?atmos_session=[^;]/.test(cookie))).toBe(false);
  const lines = logRecords().filter((record) => record.requestId === context.requestId);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ event: "sign_in_failed", errorCode: code, provider, requestId: context.requestId });
  // No token, JWT or raw answer in the line.
  expect(JSON.stringify(lines[0])).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}|Bearer\s|<html/i);
  expect(await sessionCount()).toBe(sessionsBefore);
  // Somebody else's session still works.
  expect((await get("/dashboard/acme", { headers: { Cookie: bystander } })).status).toBe(200);
  return lines[0]!;
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
  return expectControlledFailure(response, context, code, "oidc", before);
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
  ] as const)("profile %o", async (faults, code) => {
    expectErrorLogs();
    await failGithubCallback(faults, code);
  });

  // Changed on purpose (issue 11): no verified primary email no longer refuses the sign-in.
  it("no verified primary email: signed in, with no email and nothing verified", async () => {
    await control("faults", { github: { emails: "no_verified" } });
    const before = await sessionCount();
    const { response } = await signIn("github");
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(await sessionCount()).toBe(before + 1);
    expect(await storedIdentity("github", "4242")).toMatchObject({
      email: null,
      email_verified: 0,
      user_email: null,
      login: "octo-dev",
      name: "Octo Dev",
    });
  });

  it("a verified primary email is stored as verified", async () => {
    await signIn("github");
    expect(await storedIdentity("github", "4242")).toMatchObject({ email: "octo@example.com", email_verified: 1 });
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

  it.each(["http_500", "invalid_json", "missing_endpoints", "issuer_mismatch"])(
    "discovery document %s",
    async (fault) => {
      expectErrorLogs();
      await control("faults", { oidc: { discovery: fault } });
      const before = await sessionCount();
      const context = testContext();
      const started = await start("oidc", { context });
      await expectControlledFailure(started.response, context, "discovery_failed", "oidc", before);
    },
  );

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

  it.each(["bad_signature", "unknown_kid", "wrong_iss", "wrong_aud", "expired", "wrong_nonce"])(
    "ID token %s",
    async (fault) => {
      expectErrorLogs();
      await failOidcCallback({ idToken: fault }, "id_token_invalid");
    },
  );

  it("JWKS unreachable", async () => {
    expectErrorLogs();
    await failOidcCallback({ jwks: "http_500" }, "id_token_invalid");
  });

  it("an `iss` on the callback that is not the provider's (RFC 9207)", async () => {
    expectErrorLogs();
    const line = await failOidcCallback({ issParam: "wrong" }, "issuer_mismatch");
    expect(line.detail).toBe("iss_differs");
    expect(await providerRequests()).not.toContainEqual(expect.objectContaining({ path: "/oidc/token" }));
  });

  it("no `iss` on the callback from a provider that promises one (RFC 9207)", async () => {
    expectErrorLogs();
    const line = await failOidcCallback({ issParam: "omitted" }, "issuer_mismatch");
    expect(line.detail).toBe("iss_missing");
    expect(await providerRequests()).not.toContainEqual(expect.objectContaining({ path: "/oidc/token" }));
  });

  it("accepts the provider's own `iss` when it promises one (RFC 9207)", async () => {
    await control("faults", { oidc: { issParam: "correct" } });
    const { response } = await signIn("oidc");
    expect(response.headers.get("location")).toBe("/dashboard");
  });
});

describe("session callback resilience: OpenID Connect UserInfo", () => {
  const ADA = { sub: "oidc-user-1", email: "ada@corp.example", name: "Ada Corp", preferred_username: "ada" };

  it("a complete ID token: no UserInfo request", async () => {
    await control("identity", { oidc: { preferred_username: ADA.preferred_username } });
    const { response } = await signIn("oidc");
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(await userinfoRequests()).toEqual([]);
  });

  it.each(["ok", "jwt"] as const)("claims only in UserInfo (%s answer): signed in with them", async (userinfo) => {
    await control("identity", { oidc: { preferred_username: ADA.preferred_username } });
    await control("faults", { oidc: { idToken: "sub_only", userinfo } });
    const before = await sessionCount();
    const { response } = await signIn("oidc", { returnTo: "/dashboard/acme" });
    expect(response.headers.get("location")).toBe("/dashboard/acme");
    expect(await sessionCount()).toBe(before + 1);
    expect(await storedIdentity("oidc", ADA.sub)).toEqual({
      email: ADA.email,
      email_verified: 1,
      login: ADA.preferred_username,
      name: ADA.name,
      user_email: ADA.email,
    });
    const asked = await userinfoRequests();
    expect(asked).toHaveLength(1);
    expect(asked[0]!.headers.authorization).toBe("Bearer");
  });

  it.each([
    ["unreachable", "userinfo_unavailable", "unreachable"],
    ["http_500", "userinfo_unavailable", "http_500"],
    ["http_401", "userinfo_unavailable", "http_401"],
    ["non_json", "userinfo_unavailable", "non_json"],
    ["wrong_shape", "userinfo_unavailable", /^shape:/],
    ["other_sub", "userinfo_invalid", "sub_mismatch"],
    ["jwt_bad_signature", "userinfo_invalid", /^jwt:/],
  ] as const)("UserInfo %s", async (userinfo, code, detail) => {
    expectErrorLogs();
    const line = await failOidcCallback({ idToken: "sub_only", userinfo }, code);
    expect(line.detail).toEqual(typeof detail === "string" ? detail : expect.stringMatching(detail));
    expect(await storedIdentity("oidc", ADA.sub)).toBeNull();
  });

  it("UserInfo too slow is bounded", async () => {
    expectErrorLogs();
    const startedAt = Date.now();
    const line = await failOidcCallback({ idToken: "sub_only", userinfo: "timeout" }, "userinfo_unavailable");
    expect(line.detail).toBe("timeout");
    expect(Date.now() - startedAt).toBeLessThan(12_000);
  }, 20_000);

  it("no `email_verified` claim anywhere: signed in, the email unverified", async () => {
    await control("identity", { oidc: { email_verified: null } });
    const { response } = await signIn("oidc");
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(await storedIdentity("oidc", ADA.sub)).toMatchObject({ email: ADA.email, email_verified: 0 });
    expect(await userinfoRequests()).toHaveLength(1);
  });

  it("a later sign-in brings the stored `email_verified` up to date, both ways", async () => {
    await control("identity", { oidc: { email_verified: true } });
    await signIn("oidc");
    expect(await storedIdentity("oidc", ADA.sub)).toMatchObject({ email_verified: 1 });
    await control("identity", { oidc: { email_verified: null } });
    await signIn("oidc");
    expect(await storedIdentity("oidc", ADA.sub)).toMatchObject({ email: ADA.email, email_verified: 0 });
    await control("identity", { oidc: { email_verified: true } });
    await signIn("oidc");
    expect(await storedIdentity("oidc", ADA.sub)).toMatchObject({ email_verified: 1 });
  });

  it("`email_verified: false`: signed in, the email unverified", async () => {
    await control("identity", { oidc: { email_verified: false, preferred_username: "ada" } });
    const { response } = await signIn("oidc");
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(await storedIdentity("oidc", ADA.sub)).toMatchObject({ email: ADA.email, email_verified: 0 });
  });

  it.each([
    ["no name: the username", { name: null, preferred_username: "ada" }, "ada"],
    ["no name, no username: the subject", { name: null, preferred_username: null }, ADA.sub],
  ] as const)("no email at all, %s as the name", async (_why, names, name) => {
    await control("identity", { oidc: { email: null, email_verified: null, ...names } });
    await control("faults", { oidc: { idToken: "sub_only" } });
    const before = await sessionCount();
    const { response } = await signIn("oidc");
    expect(response.headers.get("location")).toBe("/dashboard");
    expect(await sessionCount()).toBe(before + 1);
    expect(await storedIdentity("oidc", ADA.sub)).toEqual({
      email: null,
      email_verified: 0,
      login: names.preferred_username,
      name,
      user_email: null,
    });
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
