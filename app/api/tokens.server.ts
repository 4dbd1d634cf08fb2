/**
 * CI identity. The atmos CLI sends a GitHub Actions OIDC token (RS256, from GITHUB_OIDC_ISSUER);
 * we verify it with jose against the issuer's JWKS and answer with our own short-lived API token
 * (HS256 with API_TOKEN_SECRET, 1 hour, scope `ws:gh:action`) carrying what later checks need.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import type { Settings } from "../config/env.server";
import { type, validate } from "../validation";
import { ApiError } from "./envelope";

export const API_TOKEN_TTL_SECONDS = 3600;
const API_TOKEN_ISSUER = "atmos-pro";
const API_TOKEN_AUDIENCE = "atmos-pro-api";
export const API_TOKEN_SCOPE = "ws:gh:action";

/** The GitHub Actions claims we rely on (others are ignored). */
export const githubActionsClaims = type({
  iss: "string",
  jti: "string > 0",
  exp: "number",
  repository: /^[^/\s]+\/[^/\s]+$/,
  "repository_owner?": "string",
  "ref?": "string",
  "head_ref?": "string",
  "workflow_ref?": "string",
  "job_workflow_ref?": "string",
  "environment?": "string",
  "actor?": "string",
  "event_name?": "string",
  "sha?": "string",
});
export type GithubActionsClaims = typeof githubActionsClaims.infer;

const jwksCache = new Map<string, JWTVerifyGetKey>();

function issuerJwks(issuer: string): JWTVerifyGetKey {
  let jwks = jwksCache.get(issuer);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    jwksCache.set(issuer, jwks);
  }
  return jwks;
}

export async function verifyGithubActionsToken(
  settings: Settings,
  token: string,
  now: Date,
): Promise<GithubActionsClaims> {
  let payload: unknown;
  try {
    const verified = await jwtVerify(token, issuerJwks(settings.GITHUB_OIDC_ISSUER), {
      issuer: settings.GITHUB_OIDC_ISSUER,
      audience: settings.ATMOS_PRO_AUDIENCE,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "jti", "iat"],
      clockTolerance: 30,
      currentDate: now,
    });
    payload = verified.payload;
  } catch (error) {
    const reason =
      error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "invalid";
    throw new ApiError(401, "InvalidOIDCToken", `The GitHub OIDC token was refused (${reason}).`);
  }
  const claims = validate(githubActionsClaims, payload);
  if (!claims.ok)
    throw new ApiError(
      401,
      "InvalidOIDCToken",
      `The GitHub OIDC token lacks required claims: ${claims.issues.map((i) => i.path).join(", ")}.`,
    );
  return claims.value;
}

/** What a CI workflow is, in the terms repository permissions are written in. */
export type WorkflowIdentity = {
  workflow: string;
  branch: string;
  environment: string;
  pullRequest: number | null;
  headRef: string | null;
  actor: string | null;
};

export function workflowIdentity(claims: GithubActionsClaims): WorkflowIdentity {
  const workflowRef = claims.job_workflow_ref ?? claims.workflow_ref ?? "";
  // "owner/repo/.github/workflows/plan.yaml@refs/heads/main" → ".github/workflows/plan.yaml"
  const workflowPath = workflowRef.replace(/^[^/]+\/[^/]+\//, "").replace(/@.*$/, "");
  const ref = claims.ref ?? "";
  const pull = ref.match(/^refs\/pull\/(\d+)\//);
  const branch = claims.head_ref || ref.replace(/^refs\/heads\//, "");
  return {
    workflow: workflowPath,
    branch,
    environment: claims.environment ?? "",
    pullRequest: pull ? Number(pull[1]) : null,
    headRef: claims.head_ref || null,
    actor: claims.actor ?? null,
  };
}

export const apiTokenClaims = type({
  scope: `'${API_TOKEN_SCOPE}'`,
  ws: "string",
  repo: "string",
  rid: "string",
  wf: "string",
  br: "string",
  env: "string",
  pr: "number | null",
  href: "string | null",
  actor: "string | null",
});
export type ApiTokenClaims = typeof apiTokenClaims.infer;

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signApiToken(
  settings: Settings,
  claims: ApiTokenClaims,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(API_TOKEN_ISSUER)
    .setAudience(API_TOKEN_AUDIENCE)
    .setSubject(`repo:${claims.repo}`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + API_TOKEN_TTL_SECONDS)
    .sign(key(settings.API_TOKEN_SECRET[0]!));
  return { token, expiresAt: new Date((issuedAt + API_TOKEN_TTL_SECONDS) * 1000) };
}

/** Checks `Authorization: Bearer …` against every API_TOKEN_SECRET (rotation). 401 otherwise. */
export async function requireApiToken(settings: Settings, request: Request, now: Date): Promise<ApiTokenClaims> {
  const header = request.headers.get("Authorization") ?? "";
  const match = header.match(/^Bearer\s+(\S+)$/i);
  if (!match)
    throw new ApiError(
      401,
      "Unauthorized",
      "Send `Authorization: Bearer <token>` with the token from /api/v1/auth/github-oidc.",
    );
  for (const secret of settings.API_TOKEN_SECRET) {
    try {
      const { payload } = await jwtVerify(match[1]!, key(secret), {
        issuer: API_TOKEN_ISSUER,
        audience: API_TOKEN_AUDIENCE,
        algorithms: ["HS256"],
        currentDate: now,
      });
      const claims = validate(apiTokenClaims, payload);
      if (claims.ok) return claims.value;
      break;
    } catch (error) {
      const code = error && typeof error === "object" && "code" in error ? (error as { code: unknown }).code : null;
      if (code === "ERR_JWT_EXPIRED" || code === "ERR_JWT_CLAIM_VALIDATION_FAILED") break;
    }
  }
  throw new ApiError(401, "Unauthorized", "The API token is invalid or expired. Exchange a fresh GitHub OIDC token.");
}
