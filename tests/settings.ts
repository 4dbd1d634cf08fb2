/**
 * The settings the workerd test runtime starts with (tests override per case). Not secrets.
 * Every setting a developer may have in their own `.dev.vars` (which wrangler also reads) is set here
 * to its default, so that the tests do not depend on it: after `npm run dev` has copied
 * OPERATOR_LOGINS from the example, the tests still start with no operators.
 */
export const TEST_SETTINGS = {
  ENVIRONMENT: "development",
  SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
  LOG_LEVEL: "info",
  API_TOKEN_SECRET: "test-api-token-secret-0123456789abcdef012345",
  AUTH_PROVIDERS: "dev",
  OPERATOR_LOGINS: "",
  OIDC_SCOPES: "openid profile email",
  ATMOS_PRO_AUDIENCE: "atmos-pro.com",
} as const;

/** The webhook secrets the tests' Worker verifies with: the current one and the one being rotated out. */
export const TEST_WEBHOOK_SECRETS = ["test-webhook-secret-current-0123", "test-webhook-secret-previous-456"] as const;
