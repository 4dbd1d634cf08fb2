/**
 * Any OpenID Connect provider, given its issuer. The discovery document is fetched on first use
 * (never at module scope: workerd forbids I/O there), cached per isolate with a TTL and checked by
 * a schema. The ID token is verified with jose against the provider's JWKS (iss, aud, exp, nonce);
 * the claims we keep are checked by a schema.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { CodeChallengeMethod } from "remix-auth-oauth2";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { type, validate } from "../../validation";
import { SignInError } from "../sign-in-error";
import { BoundedOAuth2Strategy, fetchProviderJson } from "./oauth2.server";
import type { ProviderProfile } from "./profile";

const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const discoveryDocument = type({
  issuer: "string.url",
  authorization_endpoint: "string.url",
  token_endpoint: "string.url",
  jwks_uri: "string.url",
  "code_challenge_methods_supported?": "string[]",
});
export type DiscoveryDocument = typeof discoveryDocument.infer;

const idTokenClaims = type({
  sub: "string > 0",
  "email?": "string.email",
  "email_verified?": "boolean",
  "name?": "string",
  "preferred_username?": "string",
  "picture?": "string",
});

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
  if (trimSlash(checked.value.issuer) !== trimSlash(issuer)) throw new SignInError("discovery_failed", "issuer_mismatch");
  const methods = checked.value.code_challenge_methods_supported;
  if (methods && !methods.includes("S256")) throw new SignInError("discovery_failed", "no_s256");

  // Only a good document is cached: a failure is retried on the next sign-in.
  discoveryCache.set(issuer, { document: checked.value, expiresAt: now.getTime() + DISCOVERY_TTL_MS });
  return checked.value;
}

function jwksFor(uri: string): JWTVerifyGetKey {
  let jwks = jwksCache.get(uri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    jwksCache.set(uri, jwks);
  }
  return jwks;
}

export function oidcStrategy(
  settings: Settings,
  document: DiscoveryDocument,
  options: { redirectURI: string; cookie: { name: string; secure: boolean }; nonce: string; expectedNonce: string | null; now: Clock },
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
      cookie: { name: options.cookie.name, ...(options.cookie.secure ? { secure: true as const } : {}), httpOnly: true, sameSite: "Lax", path: "/", maxAge: 600 },
    },
    async ({ tokens }) => {
      let idToken: string;
      try {
        idToken = tokens.idToken();
      } catch {
        throw new SignInError("id_token_invalid", "missing");
      }
      return verifyIdToken(settings, document, idToken, options.expectedNonce, options.now());
    },
  );
  strategy.extraAuthorizationParams = { nonce: options.nonce };
  return strategy;
}

export async function verifyIdToken(
  settings: Settings,
  document: DiscoveryDocument,
  idToken: string,
  expectedNonce: string | null,
  now: Date,
): Promise<ProviderProfile> {
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(idToken, jwksFor(document.jwks_uri), {
      issuer: document.issuer,
      audience: settings.OIDC_CLIENT_ID,
      algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
      clockTolerance: 60,
      currentDate: now,
      requiredClaims: ["exp", "iat", "sub"],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (error) {
    const detail = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "verify_failed";
    throw new SignInError("id_token_invalid", detail);
  }
  if (!expectedNonce || payload.nonce !== expectedNonce) throw new SignInError("id_token_invalid", "nonce");

  const claims = validate(idTokenClaims, payload);
  if (!claims.ok) throw new SignInError("profile_unavailable", `claims:${claims.issues.map((i) => i.path).join(",")}`);
  if (!claims.value.email || claims.value.email_verified === false) throw new SignInError("email_unverified");

  return {
    provider: "oidc",
    issuer: document.issuer,
    subject: claims.value.sub,
    email: claims.value.email,
    name: claims.value.name || claims.value.preferred_username || claims.value.email,
    login: claims.value.preferred_username ?? null,
    avatarUrl: claims.value.picture ?? null,
  };
}
