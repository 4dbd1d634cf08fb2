/**
 * Any OpenID Connect provider, given its issuer. The discovery document is fetched on first use
 * (never at module scope: workerd forbids I/O there), cached per isolate with a TTL and checked by
 * a schema. The ID token is verified with jose against the provider's JWKS (iss, aud, exp, nonce);
 * the claims we keep are checked by a schema. Many providers put only `sub` in the ID token and the
 * profile in the UserInfo answer (OIDC Core §5.4), so when the ID token lacks a claim we keep we ask
 * UserInfo too: bounded, checked by the same schema, for the same `sub` (Core §5.3.2), and verified
 * like an ID token when it answers with a signed JWT.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { CodeChallengeMethod } from "remix-auth-oauth2";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { type, validate } from "../../validation";
import { SignInError } from "../sign-in-error";
import { BoundedOAuth2Strategy, fetchProviderJson, fetchProviderText } from "./oauth2.server";
import type { ProviderProfile } from "./profile";

const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const discoveryDocument = type({
  issuer: "string.url",
  authorization_endpoint: "string.url",
  token_endpoint: "string.url",
  jwks_uri: "string.url",
  "userinfo_endpoint?": "string.url",
  "code_challenge_methods_supported?": "string[]",
  /** RFC 9207: the provider puts `iss` on every authorization response. */
  "authorization_response_iss_parameter_supported?": "boolean",
});
export type DiscoveryDocument = typeof discoveryDocument.infer;

/** The claims we keep, as an ID token or a UserInfo answer carries them. */
const profileClaims = type({
  sub: "string > 0",
  "email?": "string.email",
  "email_verified?": "boolean",
  "name?": "string",
  "preferred_username?": "string",
  "picture?": "string",
});
type ProfileClaims = typeof profileClaims.infer;

/** Missing any of these in the ID token sends us to UserInfo (when the provider has one). */
const USERINFO_CLAIMS = ["email", "email_verified", "name", "preferred_username"] as const;

const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

const discoveryCache = new Map<string, { document: DiscoveryDocument; expiresAt: number }>();
const jwksCache = new Map<string, JWTVerifyGetKey>();

/** Test hook and operator escape hatch: forget what this isolate learnt about providers. */
export function clearOidcCaches(): void {
  discoveryCache.clear();
  jwksCache.clear();
}

const trimSlash = (value: string) => value.replace(/\/+$/, "");

export async function discover(issuer: string, now: Date): Promise<DiscoveryDocument> {
  const cached = discoveryCache.get(issuer);
  if (cached && cached.expiresAt > now.getTime()) return cached.document;

  const body = await fetchProviderJson(
    `${trimSlash(issuer)}/.well-known/openid-configuration`,
    { headers: { Accept: "application/json" } },
    "discovery_failed",
  );
  const checked = validate(discoveryDocument, body);
  if (!checked.ok) throw new SignInError("discovery_failed", `shape:${checked.issues.map((i) => i.path).join(",")}`);
  if (trimSlash(checked.value.issuer) !== trimSlash(issuer))
    throw new SignInError("discovery_failed", "issuer_mismatch");
  const methods = checked.value.code_challenge_methods_supported;
  if (methods && !methods.includes("S256")) throw new SignInError("discovery_failed", "no_s256");

  // Only a good document is cached: a failure is retried on the next sign-in.
  discoveryCache.set(issuer, { document: checked.value, expiresAt: now.getTime() + DISCOVERY_TTL_MS });
  return checked.value;
}

function jwksFor(uri: string): JWTVerifyGetKey {
  let jwks = jwksCache.get(uri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    jwksCache.set(uri, jwks);
  }
  return jwks;
}

export function oidcStrategy(
  settings: Settings,
  document: DiscoveryDocument,
  options: {
    redirectURI: string;
    cookie: { name: string; secure: boolean };
    nonce: string;
    expectedNonce: string | null;
    now: Clock;
  },
) {
  const strategy = new BoundedOAuth2Strategy<ProviderProfile>(
    {
      clientId: settings.OIDC_CLIENT_ID ?? "",
      clientSecret: settings.OIDC_CLIENT_SECRET ?? "",
      authorizationEndpoint: document.authorization_endpoint,
      tokenEndpoint: document.token_endpoint,
      redirectURI: options.redirectURI,
      scopes: settings.OIDC_SCOPES.split(/\s+/).filter(Boolean),
      codeChallengeMethod: CodeChallengeMethod.S256,
      cookie: {
        name: options.cookie.name,
        ...(options.cookie.secure ? { secure: true as const } : {}),
        httpOnly: true,
        sameSite: "Lax",
        path: "/",
        maxAge: 600,
      },
    },
    async ({ tokens }) => {
      let idToken: string;
      try {
        idToken = tokens.idToken();
      } catch {
        throw new SignInError("id_token_invalid", "missing");
      }
      const now = options.now();
      const claims = await verifyIdToken(settings, document, idToken, options.expectedNonce, now);
      const lacking = USERINFO_CLAIMS.some((claim) => claims[claim] === undefined);
      if (!lacking || !document.userinfo_endpoint) return oidcProfile(document, claims);
      const userinfo = await fetchUserinfo(settings, document, document.userinfo_endpoint, tokens.accessToken(), now);
      if (userinfo.sub !== claims.sub) throw new SignInError("userinfo_invalid", "sub_mismatch");
      return oidcProfile(document, fillFromUserinfo(claims, userinfo));
    },
  );
  strategy.extraAuthorizationParams = { nonce: options.nonce };
  return strategy;
}

/** Verifies the ID token and returns the claims we keep. */
export async function verifyIdToken(
  settings: Settings,
  document: DiscoveryDocument,
  idToken: string,
  expectedNonce: string | null,
  now: Date,
): Promise<ProfileClaims> {
  let payload: JWTPayload;
  try {
    const verified = await jwtVerify(idToken, jwksFor(document.jwks_uri), {
      issuer: document.issuer,
      audience: settings.OIDC_CLIENT_ID,
      algorithms: JWT_ALGORITHMS,
      clockTolerance: 60,
      currentDate: now,
      requiredClaims: ["exp", "iat", "sub"],
    });
    payload = verified.payload;
  } catch (error) {
    throw new SignInError("id_token_invalid", joseDetail(error));
  }
  if (!expectedNonce || payload.nonce !== expectedNonce) throw new SignInError("id_token_invalid", "nonce");

  const claims = validate(profileClaims, payload);
  if (!claims.ok) throw new SignInError("profile_unavailable", `claims:${claims.issues.map((i) => i.path).join(",")}`);
  return claims.value;
}

function joseDetail(error: unknown): string {
  return error && typeof error === "object" && "code" in error
    ? String((error as { code: unknown }).code)
    : "verify_failed";
}

/**
 * The UserInfo answer for this access token: JSON, or a JWT signed with the provider's keys for us
 * (same JWKS, issuer and audience as the ID token; no nonce). Every failure is a SignInError:
 * `userinfo_unavailable` when the provider could not answer usefully, `userinfo_invalid` when it
 * answered something we must not trust.
 */
export async function fetchUserinfo(
  settings: Settings,
  document: DiscoveryDocument,
  endpoint: string,
  accessToken: string,
  now: Date,
): Promise<ProfileClaims> {
  const { contentType, text } = await fetchProviderText(
    endpoint,
    { headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json, application/jwt" } },
    "userinfo_unavailable",
  );
  let body: unknown;
  if (contentType === "application/jwt") {
    try {
      const verified = await jwtVerify(text.trim(), jwksFor(document.jwks_uri), {
        issuer: document.issuer,
        audience: settings.OIDC_CLIENT_ID,
        algorithms: JWT_ALGORITHMS,
        clockTolerance: 60,
        currentDate: now,
      });
      body = verified.payload;
    } catch (error) {
      throw new SignInError("userinfo_invalid", `jwt:${joseDetail(error)}`);
    }
  } else {
    try {
      body = JSON.parse(text);
    } catch {
      throw new SignInError("userinfo_unavailable", "non_json");
    }
  }
  const claims = validate(profileClaims, body);
  if (!claims.ok) throw new SignInError("userinfo_unavailable", `shape:${claims.issues.map((i) => i.path).join(",")}`);
  return claims.value;
}

/**
 * UserInfo fills what the ID token lacks; the ID token wins where both speak. `email` and
 * `email_verified` travel as a pair: a UserInfo `email_verified` counts for the ID token's email
 * only when UserInfo names the same address.
 */
export function fillFromUserinfo(idToken: ProfileClaims, userinfo: ProfileClaims): ProfileClaims {
  const filled: ProfileClaims = { ...idToken };
  filled.name ??= userinfo.name;
  filled.preferred_username ??= userinfo.preferred_username;
  filled.picture ??= userinfo.picture;
  if (idToken.email === undefined) {
    filled.email = userinfo.email;
    filled.email_verified = userinfo.email_verified;
  } else if (idToken.email_verified === undefined && userinfo.email === idToken.email) {
    filled.email_verified = userinfo.email_verified;
  }
  return filled;
}

/**
 * Our profile from the claims. An email counts as verified only when the provider says so
 * (`email_verified: true`); people with no email, or an unverified one, still sign in. The name
 * falls back to the username, then the subject — never to the email.
 */
export function oidcProfile(document: DiscoveryDocument, claims: ProfileClaims): ProviderProfile {
  const email = claims.email ?? null;
  return {
    provider: "oidc",
    issuer: document.issuer,
    subject: claims.sub,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    name: claims.name || claims.preferred_username || claims.sub,
    login: claims.preferred_username ?? null,
    avatarUrl: claims.picture ?? null,
  };
}
