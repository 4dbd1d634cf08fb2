/**
 * Unit and integration tests run inside workerd (@cloudflare/vitest-pool-workers), against a
 * local D1 with the real migrations applied (tests/setup.ts). Integration tests call the built
 * Worker (`SELF`), so `npm test` builds first.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import type { FakeProvidersInfo } from "./tests/fakes/server";
import { TEST_SETTINGS, TEST_WEBHOOK_SECRETS } from "./tests/settings";

/** Sign-in settings pointing at the local fake GitHub and OpenID provider (tests/fakes). */
function providerSettings(fakes: FakeProvidersInfo) {
  return {
    AUTH_PROVIDERS: "github,oidc,dev",
    GITHUB_CLIENT_ID: fakes.clientId,
    GITHUB_CLIENT_SECRET: fakes.clientSecret,
    GITHUB_URL: fakes.githubUrl,
    GITHUB_API_URL: fakes.githubApiUrl,
    OIDC_ISSUER: fakes.oidcIssuer,
    OIDC_CLIENT_ID: fakes.clientId,
    OIDC_CLIENT_SECRET: fakes.clientSecret,
    OIDC_NAME: "Acme SSO",
    GITHUB_OIDC_ISSUER: fakes.actionsIssuer,
    GITHUB_APP_ID: fakes.githubAppId,
    GITHUB_APP_PRIVATE_KEY: fakes.githubAppPrivateKey,
  };
}

export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      main: "./build/index.js",
      remoteBindings: false,
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ...TEST_SETTINGS,
          ...providerSettings(inject("fakeProviders")),
          // The run's clock (tests/run-clock.ts): the Worker runs at FIXED_NOW, as the tests' data does.
          CLOCK_OFFSET_MS: String(inject("runClock").offsetMs),
          TEST_FIXED_NOW: inject("runClock").fixedNow,
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL("./db/migrations", import.meta.url))),
          GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRETS.join(","),
          GITHUB_APP_SLUG: "atmos-pro-test",
          // Retries at once: the tests wait for the dead-letter queue, not for backoff.
          WEBHOOK_RETRY_BASE_SECONDS: "0",
        },
        // The same consumers as wrangler.toml, delivering at once. An entry here replaces that queue's
        // whole wrangler.toml block, so retries and the dead-letter queue are repeated.
        queueConsumers: {
          "atmos-pro-webhooks": {
            maxBatchTimeout: 0,
            maxRetries: 4,
            deadLetterQueue: "atmos-pro-webhooks-dlq",
            retryDelay: 0,
          },
          "atmos-pro-webhooks-dlq": { maxBatchTimeout: 0, maxRetries: 0 },
          "atmos-pro-deployments": { maxBatchTimeout: 0, maxRetries: 10, retryDelay: 0 },
        },
      },
    })),
  ],
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["app/**/*.test.{ts,tsx}", "tests/**/*.test.{ts,tsx}"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    setupFiles: ["./tests/setup.ts"],
    globalSetup: ["./tests/fakes/global-setup.ts"],
    testTimeout: 20_000,
    // Remix's CommonJS packages have circular requires that the module fallback cannot load
    // piecemeal: pre-bundle them with esbuild as the real build does.
    deps: {
      optimizer: {
        ssr: { enabled: true, include: ["@remix-run/cloudflare", "@remix-run/server-runtime", "@remix-run/react"] },
      },
    },
  },
});
