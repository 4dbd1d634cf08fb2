/** The settings the workerd test runtime starts with (tests override per case). Not secrets. */
export const TEST_SETTINGS = {
  ENVIRONMENT: "development",
  SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
  LOG_LEVEL: "info",
  API_TOKEN_SECRET: "test-api-token-secret-0123456789abcdef012345",
  AUTH_PROVIDERS: "dev",
} as const;
