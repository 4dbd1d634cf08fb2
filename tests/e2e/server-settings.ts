/**
 * The settings the e2e `wrangler dev` runs with on top of wrangler.toml and .dev.vars, passed as
 * `--var KEY:VALUE` (wrangler applies --var last, so it wins over .dev.vars). Shared by
 * global-setup.ts (which starts the server) and the tests (which check what it shows).
 */
import type { FakeProvidersInfo } from "../fakes/server";
import type { CertifiedProviderInfo } from "./certified-op";

/** The name of the OIDC provider on the sign-in button ("Continue with Acme SSO"). */
export const E2E_OIDC_NAME = "Acme SSO";

/** Listed in OPERATOR_LOGINS: the seeded owner may operate the status page. */
export const E2E_OPERATOR_LOGIN = "acme-owner";

/**
 * OIDC is the certified OpenID provider (oidc-provider, tests/e2e/certified-op.ts), not the fake:
 * sign-in in the browser goes through a real implementation. GITHUB_URL/GITHUB_API_URL point at the
 * fake GitHub (github is not in AUTH_PROVIDERS, so it is never used for sign-in here).
 */
export function e2eServerVars(fakes: FakeProvidersInfo, oidc: CertifiedProviderInfo): Record<string, string> {
  return {
    AUTH_PROVIDERS: "dev,oidc",
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: E2E_OIDC_NAME,
    GITHUB_URL: fakes.githubUrl,
    GITHUB_API_URL: fakes.githubApiUrl,
    // The seeded owner operates the status page (/status/operator) in the e2e run.
    OPERATOR_LOGINS: E2E_OPERATOR_LOGIN,
    // The CLI's API (tests/e2e/contract.e2e.ts): GitHub Actions OIDC tokens from the fake issuer, and
    // the fake GitHub App for POST /api/v1/git/commit (the PEM folded to one line; the settings unfold "\n").
    GITHUB_OIDC_ISSUER: fakes.actionsIssuer,
    GITHUB_APP_ID: fakes.githubAppId,
    GITHUB_APP_PRIVATE_KEY: fakes.githubAppPrivateKey.trim().replace(/\n/g, "\\n"),
  };
}
