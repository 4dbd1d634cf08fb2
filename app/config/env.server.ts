/**
 * Every setting the Worker reads, checked by one schema at the start of each request and cached
 * per isolate (per env object). A bad or missing setting fails closed: see worker/fetch.server.ts.
 * Names are part of the contract: the README's settings table lists each one.
 */
import { type, validate, type Issue } from "~/validation";

const environment = type("'development' | 'test' | 'preview' | 'production'");
export const SIGN_IN_PROVIDERS = ["github", "oidc", "dev"] as const;
export type SignInProvider = (typeof SIGN_IN_PROVIDERS)[number];

/** A comma list of secrets, each at least `minLength` characters: the first signs, all verify (rotation). */
const secretListOf = (minLength: number, what: string) =>
  type("string")
    .pipe((raw) =>
      raw
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .narrow((parts, ctx) =>
      parts.length > 0 && parts.every((part) => part.length >= minLength)
        ? true
        : ctx.mustBe(`a comma list of ${what} of at least ${minLength} characters each`),
    );

const secretList = secretListOf(32, "secrets");

const providerList = type("string")
  .pipe((raw) => [
    ...new Set(
      raw
        .split(",")
        .map((part) => part.trim().toLowerCase())
        .filter(Boolean),
    ),
  ])
  .narrow((parts, ctx) =>
    parts.length > 0 && parts.every((part) => (SIGN_IN_PROVIDERS as readonly string[]).includes(part))
      ? true
      : ctx.mustBe("a comma list of github, oidc and dev"),
  )
  .pipe((parts) => parts as SignInProvider[]);

/** Logins (GitHub or dev) allowed to operate the status page; compared case-insensitively. */
const loginList = type("string")
  .pipe((raw) => [
    ...new Set(
      raw
        .split(",")
        .map((part) => part.trim().toLowerCase())
        .filter(Boolean),
    ),
  ])
  .narrow((parts, ctx) =>
    parts.every((part) => /^[a-z0-9][a-z0-9._-]{0,99}$/.test(part)) ? true : ctx.mustBe("a comma list of logins"),
  );

const baseUrl = type("string.url").pipe((raw) => raw.replace(/\/+$/, ""));

/** A GitHub App's id ("123456") or client id ("Iv23li…"): both are accepted as the app JWT's `iss`. */
const githubAppId = type(/^(?:\d{1,20}|Iv[0-9A-Za-z.]{2,60})$/);

/**
 * An unencrypted RSA private key in PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub's "Generate a
 * private key" downloads) or PKCS#8 (`BEGIN PRIVATE KEY`). A one-line value with literal `\n` (as
 * .dev.vars and `wrangler secret put` often get it) is unfolded. Never quoted in a message.
 */
const privateKeyPem = type("string")
  .pipe((raw) => raw.replace(/\\n/g, "\n").replace(/\r\n?/g, "\n").trim())
  .narrow((pem, ctx) =>
    /^-----BEGIN (RSA )?PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END \1PRIVATE KEY-----$/.test(pem)
      ? true
      : ctx.mustBe("an unencrypted PEM private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)"),
  );

/** GitHub webhook secrets: every one verifies (add the new one, rotate, then drop the old). */
const webhookSecretList = secretListOf(16, "webhook secrets");

/** A GitHub App's slug, as in https://github.com/apps/<slug>. */
const githubAppSlug = type(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/);

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const isLocal = (url: string) => LOCAL_HOSTS.has(new URL(url).hostname);

const fields = type({
  ENVIRONMENT: environment,
  SESSION_SECRET: secretList,
  AUTH_PROVIDERS: providerList,
  "GITHUB_CLIENT_ID?": "string > 0",
  "GITHUB_CLIENT_SECRET?": "string > 0",
  /** Where this Atmos Pro is served: the links it puts on GitHub (check runs, PR comments) point here. */
  APP_URL: baseUrl.default("https://atmos-pro.com"),
  GITHUB_URL: baseUrl.default("https://github.com"),
  GITHUB_API_URL: baseUrl.default("https://api.github.com"),
  "OIDC_ISSUER?": baseUrl,
  "OIDC_CLIENT_ID?": "string > 0",
  "OIDC_CLIENT_SECRET?": "string > 0",
  OIDC_SCOPES: type("string > 0").default("openid profile email"),
  OIDC_NAME: type("string > 0").default("Single sign-on"),
  API_TOKEN_SECRET: secretList,
  GITHUB_OIDC_ISSUER: baseUrl.default("https://token.actions.githubusercontent.com"),
  ATMOS_PRO_AUDIENCE: type("string > 0").default("atmos-pro.com"),
  OPERATOR_LOGINS: loginList.default(""),
  "GITHUB_APP_ID?": githubAppId,
  "GITHUB_APP_PRIVATE_KEY?": privateKeyPem,
  "GITHUB_APP_SLUG?": githubAppSlug,
  "GITHUB_WEBHOOK_SECRET?": webhookSecretList,
  /** The first retry's delay for a webhook delivery whose processing failed; each next one doubles. */
  WEBHOOK_RETRY_BASE_SECONDS: type("string.integer.parse | number.integer")
    .pipe((n) => Number(n))
    .narrow((n, ctx) => (n >= 0 && n <= 300 ? true : ctx.mustBe("between 0 and 300")))
    .default("10"),
  /** At most this many jobs of one batch in flight (dispatched and not finished) at once. */
  DEPLOYMENT_MAX_IN_FLIGHT: type("string.integer.parse | number.integer")
    .pipe((n) => Number(n))
    .narrow((n, ctx) => (n >= 1 && n <= 100 ? true : ctx.mustBe("between 1 and 100")))
    .default("10"),
  /** How long a merge group waits for its affected-stacks upload before its check run says there is none. */
  MERGE_GROUP_WAIT_SECONDS: type("string.integer.parse | number.integer")
    .pipe((n) => Number(n))
    .narrow((n, ctx) => (n >= 60 && n <= 3600 ? true : ctx.mustBe("between 60 and 3600")))
    .default("600"),
  /** A drift schedule's detect jobs start spread over this many seconds, not all at once. */
  DRIFT_SPREAD_SECONDS: type("string.integer.parse | number.integer")
    .pipe((n) => Number(n))
    .narrow((n, ctx) => (n >= 0 && n <= 3600 ? true : ctx.mustBe("between 0 and 3600")))
    .default("600"),
  "LOG_LEVEL?": type("'debug' | 'info' | 'warn' | 'error'"),
  "SENTRY_DSN?": type("string.url"),
  /** Development and tests only: milliseconds added to the wall clock (app/clock.ts). */
  "CLOCK_OFFSET_MS?": type("string.integer.parse | number.integer"),
  DB: type("object"),
});

type Fields = typeof fields.infer;
type Problem = { setting: string; message: string };

/** Settings that are each valid alone but contradict each other; each message says what to change. */
export function contradictions(s: Fields): Problem[] {
  const problems: Problem[] = [];
  const listed = new Set(s.AUTH_PROVIDERS);
  if (listed.has("github")) {
    if (!s.GITHUB_CLIENT_ID)
      problems.push({
        setting: "GITHUB_CLIENT_ID",
        message: "GITHUB_CLIENT_ID is required when AUTH_PROVIDERS includes github (from your GitHub OAuth app)",
      });
    if (!s.GITHUB_CLIENT_SECRET)
      problems.push({
        setting: "GITHUB_CLIENT_SECRET",
        message: "GITHUB_CLIENT_SECRET is required when AUTH_PROVIDERS includes github (from your GitHub OAuth app)",
      });
  }
  if (listed.has("oidc")) {
    for (const name of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const) {
      if (!s[name]) problems.push({ setting: name, message: `${name} is required when AUTH_PROVIDERS includes oidc` });
    }
  }
  if (s.OIDC_ISSUER) {
    const issuer = new URL(s.OIDC_ISSUER);
    const github = new URL(s.GITHUB_URL);
    const underGithub =
      issuer.host === github.host && `${issuer.pathname}/`.startsWith(`${github.pathname.replace(/\/$/, "")}/`);
    if (issuer.host === "github.com" || underGithub) {
      problems.push({
        setting: "OIDC_ISSUER",
        message:
          "OIDC_ISSUER points at GitHub, which is not an OpenID Connect provider and has no discovery document: remove it and list github in AUTH_PROVIDERS instead",
      });
    }
  }
  for (const name of ["OIDC_ISSUER", "GITHUB_URL", "GITHUB_API_URL", "GITHUB_OIDC_ISSUER"] as const) {
    const value = s[name];
    if (value && new URL(value).protocol !== "https:" && !isLocal(value)) {
      problems.push({ setting: name, message: `${name} must use https (http is accepted for localhost only)` });
    }
  }
  // The GitHub App (commits from the CLI's POST /api/v1/git/commit): both settings or neither.
  if (s.GITHUB_APP_ID && !s.GITHUB_APP_PRIVATE_KEY) {
    problems.push({
      setting: "GITHUB_APP_PRIVATE_KEY",
      message:
        "GITHUB_APP_PRIVATE_KEY is required when GITHUB_APP_ID is set (a private key generated in your GitHub App's settings)",
    });
  }
  if (s.GITHUB_APP_PRIVATE_KEY && !s.GITHUB_APP_ID) {
    problems.push({
      setting: "GITHUB_APP_ID",
      message:
        "GITHUB_APP_ID is required when GITHUB_APP_PRIVATE_KEY is set (the App ID or Client ID from your GitHub App's settings)",
    });
  }
  if (listed.has("dev") && s.ENVIRONMENT !== "development" && s.ENVIRONMENT !== "test") {
    problems.push({
      setting: "AUTH_PROVIDERS",
      message: "AUTH_PROVIDERS may include dev only when ENVIRONMENT is development: remove dev",
    });
  }
  if (s.CLOCK_OFFSET_MS !== undefined && s.ENVIRONMENT !== "development" && s.ENVIRONMENT !== "test") {
    problems.push({
      setting: "CLOCK_OFFSET_MS",
      message: "CLOCK_OFFSET_MS moves the clock for development and tests only: remove it",
    });
  }
  return problems;
}

export const settingsSchema = fields.narrow((settings, ctx) => {
  const problems = contradictions(settings);
  for (const problem of problems) ctx.reject({ path: [problem.setting], message: problem.message });
  return problems.length === 0;
});

export type Settings = Omit<typeof settingsSchema.infer, "DB"> & { DB: D1Database };

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; invalid: string[]; messages: string[] };

/**
 * The last env read and its outcome, reused while the values stay the same: by value, not by object,
 * because wrangler's dev middleware hands each request a new env object.
 */
let last: { values: Record<string, unknown>; outcome: SettingsResult } | undefined;

function sameValues(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** Empty strings count as missing: `FOO=` in .dev.vars is not a value. */
function withoutBlanks(env: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!(typeof value === "string" && value.trim() === "")) out[key] = value;
  }
  return out;
}

export function readSettings(env: object): SettingsResult {
  const values = env as Record<string, unknown>;
  if (last && sameValues(last.values, values)) return last.outcome;
  const result = validate(settingsSchema, withoutBlanks(values));
  const outcome: SettingsResult = result.ok
    ? { ok: true, settings: result.value as Settings }
    : { ok: false, invalid: invalidSettingNames(result.issues), messages: safeMessages(result.issues) };
  last = { values: { ...values }, outcome };
  return outcome;
}

/** The names of the settings that failed: the top-level key of each issue, never a value. */
export function invalidSettingNames(issues: Issue[]): string[] {
  return [...new Set(issues.map((issue) => issue.path.split(".")[0] ?? "(root)"))].sort();
}

/**
 * What to tell an operator. Only our own contradiction messages are shown verbatim; arktype's
 * messages can quote the offending value ("was …"), so for those we say which setting and what it
 * must be, without the "(was …)" part.
 */
function safeMessages(issues: Issue[]): string[] {
  return [...new Set(issues.map((issue) => issue.message.replace(/\s*\(was [\s\S]*\)$/, "")))].sort();
}
