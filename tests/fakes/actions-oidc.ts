/**
 * The fake GitHub Actions OIDC issuer (GITHUB_OIDC_ISSUER = {base}/actions): what
 * `ACTIONS_ID_TOKEN_REQUEST_URL` hands a workflow. It publishes the OIDC fake's key
 * (tests/fakes/oidc.ts) at GET /actions/.well-known/jwks; tests mint tokens through
 * POST {controlUrl}/actions-token (tests/fakes/server.ts).
 */
import type { ServerResponse } from "node:http";
import { SignJWT } from "jose";
import { send } from "./http";
import { KID } from "./oidc";
import type { Ctx } from "./server";

/** GET /actions/.well-known/jwks */
export function actionsJwks(ctx: Ctx, res: ServerResponse): void {
  return send(res, 200, { keys: [ctx.keys.publicJwk] });
}

/**
 * POST {controlUrl}/actions-token `{ claims?: {...overrides}, sign?: "main" | "rogue", kid?: string }`
 * → `{ token }`: an RS256 JWT like GitHub Actions issues, for repository acme/infra by default.
 * A claim set to null is left out.
 */
export async function mintActionsToken(ctx: Ctx, raw: string): Promise<string> {
  const body =
    raw.trim() === "" ? {} : (JSON.parse(raw) as { claims?: Record<string, unknown>; sign?: string; kid?: string });
  const now = Math.floor(ctx.now().getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: ctx.info.actionsIssuer,
    aud: "atmos-pro.com",
    sub: "repo:acme/infra:ref:refs/heads/main",
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    jti: crypto.randomUUID(),
    repository: "acme/infra",
    repository_owner: "acme",
    ref: "refs/heads/main",
    sha: "abc123def456",
    workflow_ref: "acme/infra/.github/workflows/atmos-pro.yaml@refs/heads/main",
    job_workflow_ref: "acme/infra/.github/workflows/atmos-pro.yaml@refs/heads/main",
    environment: "",
    actor: "octocat",
    event_name: "push",
    ...body.claims,
  };
  for (const [key, value] of Object.entries(claims)) if (value === null) delete claims[key];
  const key = body.sign === "rogue" ? ctx.keys.roguePrivateKey : ctx.keys.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: body.kid ?? KID, typ: "JWT" }).sign(key);
}
