/**
 * The settings the e2e `wrangler dev` runs with on top of wrangler.toml and .dev.vars, passed as
 * `--var KEY:VALUE` (wrangler applies --var last, so it wins over .dev.vars). Shared by
 * global-setup.ts (which starts the server) and the tests (which check what it shows).
 */
import type { FakeProvidersInfo } from "../fakes/providers";

/** The name of the OIDC provider on the sign-in button ("Continue with Acme SSO"). */
export const E2E_OIDC_NAME = "Acme SSO";

/** Listed in OPERATOR_LOGINS: the seeded owner may operate the status page. */
export const E2E_OPERATOR_LOGIN = "acme-owner";

/**
 * GITHUB_URL/GITHUB_API_URL point at the fake GitHub too (github is not in AUTH_PROVIDERS, so it is
 * never used here). The fake GitHub and the fake OpenID provider share one host:port but not a path
 * (/github vs /oidc), which the settings check accepts (it refuses an OIDC_ISSUER *under* GITHUB_URL).
 */
export function e2eServerVars(fakes: FakeProvidersInfo): Record<string, string> {
  return {
    AUTH_PROVIDERS: "dev,oidc",
    OIDC_ISSUER: fakes.oidcIssuer,
    OIDC_CLIENT_ID: fakes.clientId,
    OIDC_CLIENT_SECRET: fakes.clientSecret,
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
