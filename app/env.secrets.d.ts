// Settings that are secrets in production, or optional and absent from wrangler.toml and .dev.vars, so `wrangler types`
// (which reads wrangler.toml and .dev.vars) cannot see them. Keep in step with config/env.server.ts.
declare namespace Cloudflare {
  interface Env {
    SENTRY_DSN?: string;
    /** GitHub's web and API URLs (defaults: github.com). */
    GITHUB_URL?: string;
    GITHUB_API_URL?: string;
    /** The GitHub App that commits for the CLI (POST /api/v1/git/commit); set both or neither. */
    GITHUB_APP_ID?: string;
    GITHUB_APP_PRIVATE_KEY?: string;
    /** The App's slug: the install link is <GITHUB_URL>/apps/<slug>/installations/new. */
    GITHUB_APP_SLUG?: string;
    /** Verifies webhook deliveries (X-Hub-Signature-256); a comma list while rotating. */
    GITHUB_WEBHOOK_SECRET?: string;
    /** Development and tests only: moves the app's clock (app/clock.ts). */
    CLOCK_OFFSET_MS?: string;
  }
}
