/**
 * The fake OpenID Connect provider (issuer {base}/oidc):
 *
 *   GET  /oidc/.well-known/openid-configuration, /oidc/authorize, POST /oidc/token, GET /oidc/jwks,
 *   GET|POST /oidc/userinfo
 *
 * ID tokens and signed UserInfo answers are RS256 with the key published at /oidc/jwks (`KID`); the
 * faults that need a key the JWKS does not list use the rogue key. Steered by POST
 * {controlUrl}/faults `{ oidc: OidcFaults }` and /identity `{ oidc }` (tests/fakes/server.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SignJWT } from "jose";
import { bearerToken, hold, send, sendHtml, sendText } from "./http";
import { answerAuthorize, authenticateClient, authorize, FAKE_CLIENT_ID, redeem, type Grant } from "./oauth";
import type { Ctx, FakeIdentity } from "./server";

export type OidcFaults = {
  authorize?: "ok" | "deny";
  /** no_s256: the document lists only "plain" in code_challenge_methods_supported. */
  discovery?: "ok" | "http_500" | "invalid_json" | "missing_endpoints" | "issuer_mismatch" | "no_s256";
  token?: "ok" | "http_500" | "timeout" | "non_json";
  /** sub_only: the ID token carries `sub` and the protocol claims only; the profile is in UserInfo (OIDC Core §5.4). */
  idToken?: "ok" | "bad_signature" | "wrong_iss" | "wrong_aud" | "expired" | "wrong_nonce" | "unknown_kid" | "sub_only";
  jwks?: "ok" | "http_500";
  /**
   * The UserInfo endpoint. unreachable: the discovery document names a closed port (connection
   * refused); timeout: answers after HOLD_MS; http_401: refuses the access token; wrong_shape: the
   * right `sub` with claims of the wrong types; other_sub: another person's `sub`; jwt: a signed
   * `application/jwt` answer (iss, aud = client id); jwt_bad_signature: the same, signed by a key
   * not in the JWKS.
   */
  userinfo?:
    | "ok"
    | "unreachable"
    | "http_500"
    | "timeout"
    | "http_401"
    | "non_json"
    | "wrong_shape"
    | "other_sub"
    | "jwt"
    | "jwt_bad_signature";
  /**
   * RFC 9207 `iss` on the authorization response. none: not sent, not advertised; correct: sent and
   * advertised (`authorization_response_iss_parameter_supported: true`); wrong: another issuer's
   * sent, not advertised; omitted: advertised but not sent.
   */
  issParam?: "none" | "correct" | "wrong" | "omitted";
};

export const DEFAULT_OIDC_FAULTS: Required<OidcFaults> = {
  authorize: "ok",
  discovery: "ok",
  token: "ok",
  idToken: "ok",
  jwks: "ok",
  userinfo: "ok",
  issParam: "none",
};

export const OIDC_FAULT_VALUES: { [K in keyof OidcFaults]-?: readonly NonNullable<OidcFaults[K]>[] } = {
  authorize: ["ok", "deny"],
  discovery: ["ok", "http_500", "invalid_json", "missing_endpoints", "issuer_mismatch", "no_s256"],
  token: ["ok", "http_500", "timeout", "non_json"],
  idToken: ["ok", "bad_signature", "wrong_iss", "wrong_aud", "expired", "wrong_nonce", "unknown_kid", "sub_only"],
  jwks: ["ok", "http_500"],
  userinfo: [
    "ok",
    "unreachable",
    "http_500",
    "timeout",
    "http_401",
    "non_json",
    "wrong_shape",
    "other_sub",
    "jwt",
    "jwt_bad_signature",
  ],
  issParam: ["none", "correct", "wrong", "omitted"],
};

/** The key id of the signing key the fake publishes (its JWKS, and the Actions issuer's). */
export const KID = "fake-oidc-key-1";
const UNKNOWN_KID = "fake-oidc-key-unknown";

// ---------------------------------------------------------------------------------------------
// OpenID Connect provider
// ---------------------------------------------------------------------------------------------

export function handleOidc(
  ctx: Ctx,
  method: string,
  sub: string,
  url: URL,
  req: IncomingMessage,
  form: URLSearchParams | null,
  res: ServerResponse,
): Promise<void> | void {
  if (method === "GET" && sub === "/.well-known/openid-configuration") return oidcDiscovery(ctx, res);
  if (method === "GET" && sub === "/authorize") {
    const iss = ctx.oidcFaults.issParam;
    const extra: Record<string, string> =
      iss === "correct" ? { iss: ctx.info.oidcIssuer } : iss === "wrong" ? { iss: `${ctx.base}/other-issuer` } : {};
    return answerAuthorize(
      res,
      authorize(
        ctx,
        "oidc",
        url,
        { error: "access_denied", error_description: "The resource owner denied the request." },
        extra,
      ),
    );
  }
  if (method === "POST" && sub === "/token") return oidcToken(ctx, req, form, res);
  if (method === "GET" && sub === "/jwks") {
    if (ctx.oidcFaults.jwks === "http_500") return send(res, 500, { error: "server_error" });
    return send(res, 200, { keys: [ctx.keys.publicJwk] }, { "cache-control": "public, max-age=300" });
  }
  if ((method === "GET" || method === "POST") && sub === "/userinfo") return oidcUserinfo(ctx, req, res);
  send(res, 404, { error: "not_found" });
}

function oidcDiscovery(ctx: Ctx, res: ServerResponse): void {
  const fault = ctx.oidcFaults.discovery;
  if (fault === "http_500") return send(res, 500, { error: "server_error" });
  const issuer = ctx.info.oidcIssuer;
  if (fault === "invalid_json") {
    const text = `{"issuer": "${issuer}", "authorization_endpoint": `;
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const document: Record<string, unknown> = {
    issuer: fault === "issuer_mismatch" ? `${ctx.base}/other-issuer` : issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint:
      ctx.oidcFaults.userinfo === "unreachable" ? "http://127.0.0.1:9/oidc/userinfo" : `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    scopes_supported: ["openid", "email", "profile"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    claims_supported: [
      "iss",
      "sub",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "nonce",
      "at_hash",
      "email",
      "email_verified",
      "name",
      "preferred_username",
      "picture",
    ],
    code_challenge_methods_supported: fault === "no_s256" ? ["plain"] : ["S256"],
    userinfo_signing_alg_values_supported: ["RS256"],
  };
  if (ctx.oidcFaults.issParam === "correct" || ctx.oidcFaults.issParam === "omitted")
    document.authorization_response_iss_parameter_supported = true;
  if (fault === "missing_endpoints") {
    delete document.token_endpoint;
    delete document.jwks_uri;
  }
  send(res, 200, document, { "cache-control": "public, max-age=300" });
}

async function oidcToken(
  ctx: Ctx,
  req: IncomingMessage,
  form: URLSearchParams | null,
  res: ServerResponse,
): Promise<void> {
  const fault = ctx.oidcFaults.token;
  if (fault === "http_500")
    return send(res, 500, { error: "server_error", error_description: "Fake fault: HTTP 500." });
  if (fault === "non_json")
    return sendHtml(res, 200, "<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>");

  let status: number;
  let answer: Record<string, unknown>;
  let extraHeaders: Record<string, string> = {};
  const fields = form;
  const client = fields ? authenticateClient(req, fields) : ({ ok: false, method: "none" } as const);
  if (!fields) {
    status = 400;
    answer = { error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded." };
  } else if (!client.ok) {
    status = 401;
    answer = { error: "invalid_client", error_description: "Client authentication failed." };
    if (client.method === "basic") extraHeaders = { "www-authenticate": 'Basic realm="fake-oidc"' };
  } else if (fields.get("grant_type") !== "authorization_code") {
    status = 400;
    answer = { error: "unsupported_grant_type", error_description: "Only authorization_code is supported." };
  } else {
    const result = redeem(ctx, "oidc", fields);
    if (!result.ok) {
      status = 400;
      const description =
        result.reason === "pkce"
          ? "PKCE verification failed."
          : result.reason === "redirect_uri_mismatch"
            ? "redirect_uri does not match the authorization request."
            : "The authorization code is invalid, expired or already used.";
      answer = { error: "invalid_grant", error_description: description };
    } else {
      const accessToken = randomBytes(32).toString("base64url");
      const grant = result.grant;
      ctx.tokens.set(accessToken, {
        provider: "oidc",
        scope: grant.scope,
        expiresAt: ctx.now().getTime() + 3_600_000,
        github: grant.github,
        oidc: grant.oidc,
      });
      status = 200;
      answer = {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: 3600,
        id_token: await idToken(ctx, grant, accessToken),
        scope: grant.scope,
      };
    }
  }
  const headers = { "cache-control": "no-store", pragma: "no-cache", ...extraHeaders };
  if (fault === "timeout") return hold(ctx, res, () => send(res, status, answer, headers));
  send(res, status, answer, headers);
}

async function idToken(ctx: Ctx, grant: Grant, accessToken: string): Promise<string> {
  const fault = ctx.oidcFaults.idToken;
  const now = Math.floor(ctx.now().getTime() / 1000);
  const iat = fault === "expired" ? now - 2 * 3600 : now;
  const exp = fault === "expired" ? now - 3600 : now + 600;
  const digest = createHash("sha256").update(accessToken, "ascii").digest();
  const claims: Record<string, unknown> = {
    auth_time: iat,
    at_hash: digest.subarray(0, digest.length / 2).toString("base64url"),
    ...(fault === "sub_only" ? {} : profileClaims(grant.oidc)),
  };
  if (fault === "wrong_nonce") claims.nonce = `wrong-${grant.nonce ?? "nonce"}-${randomBytes(4).toString("hex")}`;
  else if (grant.nonce !== null) claims.nonce = grant.nonce;

  const key = fault === "bad_signature" || fault === "unknown_kid" ? ctx.keys.roguePrivateKey : ctx.keys.privateKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: fault === "unknown_kid" ? UNKNOWN_KID : KID })
    .setIssuer(fault === "wrong_iss" ? `${ctx.base}/wrong-issuer` : ctx.info.oidcIssuer)
    .setSubject(grant.oidc.sub)
    .setAudience(fault === "wrong_aud" ? "some-other-client" : FAKE_CLIENT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
}

/** The profile claims of an identity; a null field is a claim the provider does not send. */
function profileClaims(who: FakeIdentity["oidc"]): Record<string, unknown> {
  const claims: Record<string, unknown> = { picture: who.picture };
  if (who.email !== null) claims.email = who.email;
  if (who.email_verified !== null) claims.email_verified = who.email_verified;
  if (who.name !== null) claims.name = who.name;
  if (who.preferred_username !== null) claims.preferred_username = who.preferred_username;
  return claims;
}

async function oidcUserinfo(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fault = ctx.oidcFaults.userinfo;
  const token = bearerToken(req, /^Bearer\s+(\S+)\s*$/i);
  const issued = token ? ctx.tokens.get(token) : undefined;
  if (fault === "http_401" || !issued || issued.provider !== "oidc" || issued.expiresAt < ctx.now().getTime()) {
    const challenge = token
      ? 'Bearer error="invalid_token", error_description="The access token is invalid"'
      : 'Bearer realm="fake-oidc"';
    return send(res, 401, { error: "invalid_token" }, { "www-authenticate": challenge });
  }
  if (fault === "http_500") return send(res, 500, { error: "server_error" });
  if (fault === "non_json")
    return sendHtml(res, 200, "<!DOCTYPE html><html><body>Profile service unavailable</body></html>");
  const who = issued.oidc;
  if (fault === "wrong_shape")
    return send(res, 200, { sub: who.sub, email: [who.email], email_verified: "yes", name: 42 });
  const claims = { sub: fault === "other_sub" ? "someone-else" : who.sub, ...profileClaims(who) };
  if (fault === "jwt" || fault === "jwt_bad_signature") {
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: KID })
      .setIssuer(ctx.info.oidcIssuer)
      .setAudience(FAKE_CLIENT_ID)
      .setIssuedAt(Math.floor(ctx.now().getTime() / 1000))
      .sign(fault === "jwt" ? ctx.keys.privateKey : ctx.keys.roguePrivateKey);
    return sendText(res, 200, jwt, "application/jwt");
  }
  if (fault === "timeout") return hold(ctx, res, () => send(res, 200, claims));
  send(res, 200, claims);
}
