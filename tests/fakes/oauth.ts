/**
 * What the fake GitHub (tests/fakes/github-oauth.ts) and the fake OpenID provider
 * (tests/fakes/oidc.ts) share as OAuth 2.0 authorization servers: the one registered client, the
 * authorization endpoint's checks, client authentication and single-use code redemption.
 *
 * Stricter than the real providers on purpose: PKCE (S256) is required by both authorize
 * endpoints, and redirect_uri is required at authorize and must be repeated verbatim at the token
 * endpoint. Codes are single use (consumed on first presentation by the right client) and live 10 min.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { clone, safeEqual, sendText } from "./http";
import type { Ctx, FakeIdentity } from "./server";

export const FAKE_CLIENT_ID = "fake-client-id";
export const FAKE_CLIENT_SECRET = "fake-client-secret-0123456789";

const CODE_TTL_MS = 10 * 60_000;

export type Grant = {
  provider: "github" | "oidc";
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  expiresAt: number;
  github: FakeIdentity["github"];
  oidc: FakeIdentity["oidc"];
};
export type IssuedToken = {
  provider: "github" | "oidc";
  scope: string;
  expiresAt: number;
  github: FakeIdentity["github"];
  oidc: FakeIdentity["oidc"];
};

type AuthorizeOutcome = { redirect: URL } | { status: number; text: string };

/**
 * Validates an authorization request. Errors that cannot be trusted to go back to the client
 * (unknown client, unusable redirect_uri) are answered here; the others are redirected.
 */
export function authorize(
  ctx: Ctx,
  provider: "github" | "oidc",
  url: URL,
  deny: { error: string; error_description: string; error_uri?: string },
  extraResponseParams: Record<string, string>,
): AuthorizeOutcome {
  const q = url.searchParams;
  const clientId = q.get("client_id");
  if (clientId !== FAKE_CLIENT_ID)
    return { status: 404, text: `Unknown client_id (this fake knows only "${FAKE_CLIENT_ID}").` };
  const redirectUri = q.get("redirect_uri");
  let redirect: URL;
  try {
    if (!redirectUri) throw new Error("missing");
    redirect = new URL(redirectUri);
    if (redirect.protocol !== "http:" && redirect.protocol !== "https:") throw new Error("scheme");
  } catch {
    return { status: 400, text: "The redirect_uri is missing or is not an absolute http(s) URL." };
  }
  const state = q.get("state");
  const back = (params: Record<string, string>): AuthorizeOutcome => {
    for (const [key, value] of Object.entries(params)) redirect.searchParams.set(key, value);
    if (state !== null) redirect.searchParams.set("state", state);
    for (const [key, value] of Object.entries(extraResponseParams)) redirect.searchParams.set(key, value);
    return { redirect };
  };

  if (provider === "oidc" && q.get("response_type") !== "code") {
    return back({ error: "unsupported_response_type", error_description: "Only response_type=code is supported." });
  }
  const scope = q.get("scope") ?? "";
  if (provider === "oidc" && !scope.split(/\s+/).includes("openid")) {
    return back({ error: "invalid_scope", error_description: "The openid scope is required." });
  }
  const challenge = q.get("code_challenge");
  const method = q.get("code_challenge_method");
  if (!challenge) return back({ error: "invalid_request", error_description: "code_challenge is required (PKCE)." });
  if (method !== "S256")
    return back({ error: "invalid_request", error_description: "Only code_challenge_method=S256 is supported." });
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
    return back({ error: "invalid_request", error_description: "code_challenge is malformed." });

  const fault = provider === "github" ? ctx.githubFaults.authorize : ctx.oidcFaults.authorize;
  if (fault === "deny") return back({ ...deny });

  const code = provider === "github" ? randomBytes(10).toString("hex") : randomBytes(24).toString("base64url");
  ctx.codes.set(code, {
    provider,
    clientId,
    redirectUri: redirectUri!,
    codeChallenge: challenge,
    scope,
    nonce: q.get("nonce"),
    expiresAt: ctx.now().getTime() + CODE_TTL_MS,
    github: clone(ctx.identity.github),
    oidc: clone(ctx.identity.oidc),
  });
  return back({ code });
}

export function answerAuthorize(res: ServerResponse, outcome: AuthorizeOutcome): void {
  if ("redirect" in outcome) {
    res.writeHead(302, { location: outcome.redirect.toString(), "cache-control": "no-store", "content-length": "0" });
    res.end();
    return;
  }
  sendText(res, outcome.status, outcome.text);
}

type ClientAuth = { ok: true; method: "basic" | "post" } | { ok: false; method: "basic" | "post" | "none" };

/** Client authentication: HTTP Basic (client_secret_basic) or body fields (client_secret_post). */
export function authenticateClient(req: IncomingMessage, form: URLSearchParams): ClientAuth {
  const header = req.headers.authorization;
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (header !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match?.[1]) return { ok: false, method: "basic" };
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { ok: false, method: "basic" };
    // RFC 6749 §2.3.1 form-encodes both parts; arctic does not. Accept either.
    const formDecode = (value: string) => {
      try {
        return decodeURIComponent(value.replace(/\+/g, " "));
      } catch {
        return value;
      }
    };
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const good =
      (id === FAKE_CLIENT_ID || formDecode(id) === FAKE_CLIENT_ID) &&
      (safeEqual(secret, FAKE_CLIENT_SECRET) || safeEqual(formDecode(secret), FAKE_CLIENT_SECRET)) &&
      (bodyId === null || bodyId === FAKE_CLIENT_ID) &&
      bodySecret === null;
    return { ok: good, method: "basic" };
  }
  if (bodyId === null && bodySecret === null) return { ok: false, method: "none" };
  return {
    ok: bodyId === FAKE_CLIENT_ID && bodySecret !== null && safeEqual(bodySecret, FAKE_CLIENT_SECRET),
    method: "post",
  };
}

type Redemption = { ok: true; grant: Grant } | { ok: false; reason: "bad_code" | "redirect_uri_mismatch" | "pkce" };

/** Looks the code up and consumes it (single use), then checks redirect_uri and PKCE. */
export function redeem(ctx: Ctx, provider: "github" | "oidc", form: URLSearchParams): Redemption {
  const code = form.get("code");
  const grant = code ? ctx.codes.get(code) : undefined;
  if (!code || !grant || grant.provider !== provider || grant.clientId !== FAKE_CLIENT_ID)
    return { ok: false, reason: "bad_code" };
  ctx.codes.delete(code);
  if (grant.expiresAt < ctx.now().getTime()) return { ok: false, reason: "bad_code" };
  if (form.get("redirect_uri") !== grant.redirectUri) return { ok: false, reason: "redirect_uri_mismatch" };
  const verifier = form.get("code_verifier");
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return { ok: false, reason: "pkce" };
  const computed = createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (!safeEqual(computed, grant.codeChallenge)) return { ok: false, reason: "pkce" };
  return { ok: true, grant };
}
