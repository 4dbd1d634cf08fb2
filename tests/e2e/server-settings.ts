/**
 * The settings the e2e `wrangler dev` runs with on top of wrangler.toml and .dev.vars, passed as
 * `--var KEY:VALUE` (wrangler applies --var last, so it wins over .dev.vars). Shared by
 * global-setup.ts (which starts the server) and the tests (which check what it shows).
 */
import type { FakeProvidersInfo } from "../fakes/providers";

/** The name of the OIDC provider on the sign-in button ("Continue with Acme SSO"). */
export const E2E_OIDC_NAME = "Acme SSO";

/**
 * GITHUB_URL is deliberately not pointed at the fakes: the fake GitHub and the fake OpenID provider
 * share one host:port, and the settings check refuses an OIDC_ISSUER on GitHub's host ("points at
 * GitHub"), which would fail every request with the settings page. github is not in AUTH_PROVIDERS
 * here anyway; GITHUB_API_URL has no such check.
 */
export function e2eServerVars(fakes: FakeProvidersInfo): Record<string, string> {
  return {
    AUTH_PROVIDERS: "dev,oidc",
    OIDC_ISSUER: fakes.oidcIssuer,
    OIDC_CLIENT_ID: fakes.clientId,
    OIDC_CLIENT_SECRET: fakes.clientSecret,
    OIDC_NAME: E2E_OIDC_NAME,
    GITHUB_API_URL: fakes.githubApiUrl,
  };
}
