/**
 * Our GitHub App as a client of GitHub's REST API (GITHUB_API_URL):
 *
 *   app JWT (RS256, GITHUB_APP_PRIVATE_KEY, iss = GITHUB_APP_ID, iat -60 s, exp +9 min)
 *     → GET  /repos/{owner}/{repo}/installation            which installation covers the repository
 *     → POST /app/installations/{id}/access_tokens           a token for that one repository, contents:write
 *     → the repository's endpoints with `Bearer <installation token>`
 *
 * Installation tokens (1 hour) are cached per isolate until 5 minutes before they expire; a 401 with a
 * cached token drops it and retries once with a fresh one. Every fetch is bounded (5 s), sends
 * `User-Agent: atmos-pro`, `Accept: application/vnd.github+json` and `X-GitHub-Api-Version`, does not
 * follow redirects, and every answer is checked by a schema before use. Failures are GithubErrors whose
 * messages are safe to show and log: never a token, a key or a JWT.
 */
import { SignJWT } from "jose";
import type { Clock } from "../clock";
import { fromBase64 } from "../encoding";
import type { Settings } from "../config/env.server";
import { type, validate } from "../validation";
import type { Type } from "../validation/arktype";

export const GITHUB_TIMEOUT_MS = 5_000;
export const GITHUB_API_VERSION = "2022-11-28";
const USER_AGENT = "atmos-pro";
const APP_JWT_BACKDATE_SECONDS = 60;
const APP_JWT_LIFETIME_SECONDS = 9 * 60;
/** A cached installation token is not used in its last 5 minutes. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_CACHED_TOKENS = 500;

export type GithubAppSettings = Pick<Settings, "GITHUB_API_URL" | "GITHUB_APP_ID" | "GITHUB_APP_PRIVATE_KEY">;
type ConfiguredApp = { apiUrl: string; appId: string; privateKeyPem: string };

export type GithubErrorKind =
  /** GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY are not set. */
  | "not_configured"
  /** GITHUB_APP_PRIVATE_KEY is PEM-shaped but not a usable RSA key. */
  | "bad_private_key"
  /** The App is not installed on the repository (or cannot see it). */
  | "not_installed"
  | "suspended"
  /** GitHub refused the App itself (bad JWT, wrong app id/key pair): a server configuration problem. */
  | "app_auth_failed"
  /** The installation does not grant the permissions a call asks for (e.g. contents: write). */
  | "permission_missing"
  | "branch_not_found"
  /** A tag, branch or sha that names no commit of the repository. */
  | "ref_not_found"
  /** The branch moved while we were committing (the ref update is never forced). */
  | "not_fast_forward"
  /** GitHub refused the changes themselves (e.g. deleting a path the branch does not have). */
  | "changes_refused"
  /** 429, or a 403 for a primary or secondary rate limit: retry after `retryAfterSeconds`. */
  | "rate_limited"
  | "timeout"
  | "unreachable"
  | "http"
  | "unexpected_response";

/** A failed call to GitHub. `message` is safe for clients and logs; `step` names the call. */
export class GithubError extends Error {
  constructor(
    readonly kind: GithubErrorKind,
    readonly step: string,
    message: string,
    readonly status: number | null = null,
    /** When GitHub said how long to wait (Retry-After, or x-ratelimit-reset): seconds. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "GithubError";
  }

  /** Worth another try later: GitHub unavailable, slow or rate limiting us. */
  get transient(): boolean {
    return (
      this.kind === "rate_limited" ||
      this.kind === "timeout" ||
      this.kind === "unreachable" ||
      (this.kind === "http" && this.status !== null && this.status >= 500)
    );
  }
}

/**
 * How long GitHub asks us to wait, in seconds: Retry-After, else the rate limit's reset time, else null.
 * Times are read against the answer's own Date header, so neither clock skew nor our clock matters.
 */
function retryAfter(response: Response): number | null {
  const header = response.headers.get("retry-after")?.trim() ?? null;
  if (header !== null && /^\d{1,6}$/.test(header)) return Number(header);
  const date = Date.parse(response.headers.get("date") ?? "");
  if (Number.isNaN(date)) return null;
  if (header !== null && !Number.isNaN(Date.parse(header)))
    return Math.max(0, Math.ceil((Date.parse(header) - date) / 1000));
  const reset = response.headers.get("x-ratelimit-reset");
  if (response.headers.get("x-ratelimit-remaining") === "0" && reset && /^\d{1,12}$/.test(reset))
    return Math.max(0, Number(reset) - Math.floor(date / 1000));
  return null;
}

export function githubAppConfigured(settings: GithubAppSettings): boolean {
  return Boolean(settings.GITHUB_APP_ID && settings.GITHUB_APP_PRIVATE_KEY);
}

function configuredApp(settings: GithubAppSettings): ConfiguredApp {
  if (!settings.GITHUB_APP_ID || !settings.GITHUB_APP_PRIVATE_KEY) {
    throw new GithubError("not_configured", "configuration", "GitHub App is not configured on this server");
  }
  return {
    apiUrl: settings.GITHUB_API_URL,
    appId: settings.GITHUB_APP_ID,
    privateKeyPem: settings.GITHUB_APP_PRIVATE_KEY,
  };
}

// ---------------------------------------------------------------------------------------------
// The private key and the app JWT
// ---------------------------------------------------------------------------------------------

function pemBody(pem: string): Uint8Array<ArrayBuffer> {
  const base64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  return fromBase64(base64);
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, ...parts: Array<Uint8Array | number[]>): Uint8Array<ArrayBuffer> {
  const content = parts.flatMap((part) => Array.from(part));
  return Uint8Array.from([tag, ...derLength(content.length), ...content]);
}

/**
 * PKCS#1 `RSAPrivateKey` (GitHub's download) wrapped as PKCS#8 `PrivateKeyInfo`, which WebCrypto
 * imports: SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING { pkcs1 } }.
 */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const version = [0x02, 0x01, 0x00];
  const rsaEncryption = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
  return der(0x30, version, rsaEncryption, der(0x04, pkcs1));
}

const signingKeys = new Map<string, Promise<CryptoKey>>();

async function importSigningKey(pem: string): Promise<CryptoKey> {
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = pemBody(pem);
  } catch {
    throw new GithubError("bad_private_key", "private_key", "GITHUB_APP_PRIVATE_KEY is not valid PEM");
  }
  const pkcs8 = pem.includes("BEGIN RSA PRIVATE KEY") ? pkcs1ToPkcs8(body) : body;
  try {
    return await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
      "sign",
    ]);
  } catch {
    throw new GithubError("bad_private_key", "private_key", "GITHUB_APP_PRIVATE_KEY is not a usable RSA private key");
  }
}

function signingKey(pem: string): Promise<CryptoKey> {
  let key = signingKeys.get(pem);
  if (!key) {
    key = importSigningKey(pem);
    // A failed import is not cached: a corrected secret takes effect without a restart.
    key.catch(() => signingKeys.delete(pem));
    signingKeys.set(pem, key);
  }
  return key;
}

/** The JWT GitHub wants for /app/… endpoints: RS256, iss = app id, backdated 60 s, 9 minutes long. */
export async function appJwt(settings: GithubAppSettings, now: Date): Promise<string> {
  const app = configuredApp(settings);
  const key = await signingKey(app.privateKeyPem);
  const issuedAt = Math.floor(now.getTime() / 1000) - APP_JWT_BACKDATE_SECONDS;
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(app.appId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + APP_JWT_BACKDATE_SECONDS + APP_JWT_LIFETIME_SECONDS)
    .sign(key);
}

// ---------------------------------------------------------------------------------------------
// Bounded, checked requests
// ---------------------------------------------------------------------------------------------

/** GitHub's error body: `{message, documentation_url?, status?}`. */
const githubErrorBody = type({ message: "string" });

export type GithubCall<S> = {
  method: "GET" | "POST" | "PATCH";
  /** Below GITHUB_API_URL, already encoded, e.g. `/repos/acme/infra/git/blobs`. */
  path: string;
  body?: unknown;
  schema: S;
  /** What this call is, for errors and logs: "get_ref", "create_tree", … */
  step: string;
};

/** What GitHub said, for our message: its `message`, shortened, or nothing. */
function githubSays(text: string): string {
  try {
    const parsed = validate(githubErrorBody, JSON.parse(text));
    if (parsed.ok) return parsed.value.message.replace(/\s+/g, " ").slice(0, 200);
  } catch {
    // not JSON
  }
  return "";
}

/** One request to GitHub: bounded in time, answer status-checked and schema-checked. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function githubRequest<S extends Type<any, any>>(
  settings: GithubAppSettings,
  authorization: string,
  call: GithubCall<S>,
): Promise<S["infer"]> {
  const headers = new Headers({
    Accept: "application/vnd.github+json",
    "User-Agent": USER_AGENT,
    "X-GitHub-Api-Version": GITHUB_API_VERSION,
    Authorization: authorization,
  });
  if (call.body !== undefined) headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(`${settings.GITHUB_API_URL}${call.path}`, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      redirect: "manual",
      signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw timedOut
      ? new GithubError(
          "timeout",
          call.step,
          `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000} s (${call.step})`,
        )
      : new GithubError("unreachable", call.step, `GitHub could not be reached (${call.step})`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new GithubError(
      "timeout",
      call.step,
      `GitHub's answer did not arrive within ${GITHUB_TIMEOUT_MS / 1000} s (${call.step})`,
      response.status,
    );
  }
  if (!response.ok) {
    const says = githubSays(text);
    const wait = retryAfter(response);
    const rateLimited =
      response.status === 429 ||
      (response.status === 403 &&
        (wait !== null || response.headers.get("x-ratelimit-remaining") === "0" || /rate limit/i.test(says)));
    if (rateLimited) {
      throw new GithubError(
        "rate_limited",
        call.step,
        `GitHub is rate limiting us (${call.step})${says ? `: ${says}` : ""}`,
        response.status,
        wait,
      );
    }
    throw new GithubError(
      "http",
      call.step,
      `GitHub answered ${response.status} (${call.step})${says ? `: ${says}` : ""}`,
      response.status,
    );
  }
  let json: unknown = null;
  try {
    // 204 No Content: the schema says whether null is an answer this call accepts.
    if (response.status !== 204) json = JSON.parse(text);
  } catch {
    throw new GithubError(
      "unexpected_response",
      call.step,
      `GitHub's answer was not JSON (${call.step})`,
      response.status,
    );
  }
  const checked = validate(call.schema, json);
  if (!checked.ok) {
    const fields = [...new Set(checked.issues.map((issue) => issue.path))].slice(0, 5).join(", ");
    throw new GithubError(
      "unexpected_response",
      call.step,
      `GitHub's answer had an unexpected shape (${call.step}: ${fields})`,
      response.status,
    );
  }
  return checked.value;
}

// ---------------------------------------------------------------------------------------------
// Installations and their tokens
// ---------------------------------------------------------------------------------------------

const installationAnswer = type({
  id: "number.integer > 0",
  "suspended_at?": "string | null",
});

const accessTokenAnswer = type({
  token: "string > 0",
  expires_at: "string.date.iso",
});

const segment = (value: string) => encodeURIComponent(value);

/** The installation of our App that covers owner/repo. */
export async function findInstallation(
  settings: GithubAppSettings,
  owner: string,
  repo: string,
  now: Clock,
): Promise<{ id: number }> {
  const jwt = await appJwt(settings, now());
  try {
    const installation = await githubRequest(settings, `Bearer ${jwt}`, {
      method: "GET",
      path: `/repos/${segment(owner)}/${segment(repo)}/installation`,
      schema: installationAnswer,
      step: "find_installation",
    });
    if (installation.suspended_at) {
      throw new GithubError(
        "suspended",
        "find_installation",
        `The GitHub App's installation on ${owner}/${repo} is suspended`,
      );
    }
    return { id: installation.id };
  } catch (error) {
    if (error instanceof GithubError && error.kind === "http" && error.status === 404) {
      throw new GithubError(
        "not_installed",
        "find_installation",
        `GitHub App not installed on ${owner}/${repo}: install it on the repository (or add the repository to its installation)`,
        404,
      );
    }
    throw appAuthFailure(error);
  }
}

/** 401 on an /app/… call means GitHub refused our JWT: wrong GITHUB_APP_ID for the key, or a revoked key. */
function appAuthFailure(error: unknown): unknown {
  if (error instanceof GithubError && error.kind === "http" && error.status === 401) {
    return new GithubError(
      "app_auth_failed",
      error.step,
      `GitHub refused the App's credentials (${error.step}): check that GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY belong together`,
      401,
    );
  }
  return error;
}

/** The App's permissions (its manifest's `default_permissions`) a token can be narrowed to. */
export type AppPermissions = Partial<
  Record<"actions" | "checks" | "contents" | "pull_requests" | "metadata", "read" | "write">
>;

/** "Contents: write, Pull requests: read": how GitHub's settings page names them. */
function describePermissions(permissions: AppPermissions): string {
  const label = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");
  return Object.entries(permissions)
    .map(([name, level]) => `${label(name)}: ${level}`)
    .join(", ");
}

type CachedToken = { token: string; expiresAt: number };
const installationTokens = new Map<string, CachedToken>();

function cacheKey(
  app: ConfiguredApp,
  installationId: number,
  repo: string | null,
  permissions: AppPermissions,
): string {
  const asked = Object.entries(permissions)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, level]) => `${name}:${level}`)
    .join(",");
  return `${app.apiUrl}\n${app.appId}\n${installationId}\n${repo?.toLowerCase() ?? "*"}\n${asked}`;
}

/** Forgets every cached key and token of this isolate (tests; a rotated key is picked up anyway). */
export function clearGithubAppCaches(): void {
  installationTokens.clear();
  signingKeys.clear();
}

/**
 * An installation token limited to one repository (null: every repository of the installation, for
 * installation-wide calls) and exactly the `permissions` the caller needs (least privilege: a leaked
 * token can do only that), cached until 5 min before expiry.
 */
export async function installationToken(
  settings: GithubAppSettings,
  installationId: number,
  repo: string | null,
  permissions: AppPermissions,
  clock: Clock,
  options: { fresh?: boolean } = {},
): Promise<{ token: string; cached: boolean }> {
  const app = configuredApp(settings);
  const key = cacheKey(app, installationId, repo, permissions);
  const now = clock().getTime();
  const cached = installationTokens.get(key);
  if (cached && !options.fresh && cached.expiresAt - TOKEN_REFRESH_MARGIN_MS > now)
    return { token: cached.token, cached: true };
  installationTokens.delete(key);

  const jwt = await appJwt(settings, new Date(now));
  let answer: typeof accessTokenAnswer.infer;
  try {
    answer = await githubRequest(settings, `Bearer ${jwt}`, {
      method: "POST",
      path: `/app/installations/${installationId}/access_tokens`,
      body: repo === null ? { permissions } : { repositories: [repo], permissions },
      schema: accessTokenAnswer,
      step: "installation_token",
    });
  } catch (error) {
    if (error instanceof GithubError && error.kind === "http" && error.status === 422) {
      throw new GithubError(
        "permission_missing",
        "installation_token",
        `The GitHub App's installation does not grant ${describePermissions(permissions)} on ${repo ?? `installation ${installationId}`} (accept the App's updated permissions, or add the repository to the installation)`,
        422,
      );
    }
    if (error instanceof GithubError && error.kind === "http" && error.status === 404) {
      throw new GithubError(
        "not_installed",
        "installation_token",
        `GitHub App not installed on ${repo ?? `installation ${installationId}`}`,
        404,
      );
    }
    if (error instanceof GithubError && error.kind === "http" && error.status === 403) {
      throw new GithubError(
        "suspended",
        "installation_token",
        `GitHub refused a token for the App's installation on ${repo ?? `installation ${installationId}`} (suspended?)`,
        403,
      );
    }
    throw appAuthFailure(error);
  }
  const expiresAt = Date.parse(answer.expires_at);
  for (const [entry, value] of installationTokens) {
    if (value.expiresAt - TOKEN_REFRESH_MARGIN_MS <= now || installationTokens.size >= MAX_CACHED_TOKENS)
      installationTokens.delete(entry);
  }
  installationTokens.set(key, { token: answer.token, expiresAt });
  return { token: answer.token, cached: false };
}

const installationRepositoriesAnswer = type({
  total_count: "number.integer >= 0",
  repositories: type({ id: "number.integer > 0", name: "string > 0", owner: { login: "string > 0" } }).array(),
});
const REPOSITORIES_PER_PAGE = 100;
/** 10,000 repositories: more than any installation we serve; beyond it the listing is refused, not cut. */
const MAX_REPOSITORY_PAGES = 100;

/**
 * Every repository an installation covers now, as GitHub says (GET /installation/repositories, all
 * pages), with a token of just Metadata: read. The truth to reconcile with when events may have
 * arrived out of order.
 */
export async function listInstallationRepositories(
  settings: GithubAppSettings,
  installationId: number,
  clock: Clock,
): Promise<Array<{ githubId: number; owner: string; name: string }>> {
  const { token } = await installationToken(settings, installationId, null, { metadata: "read" }, clock);
  const listed: Array<{ githubId: number; owner: string; name: string }> = [];
  for (let page = 1; page <= MAX_REPOSITORY_PAGES; page += 1) {
    const answer = await githubRequest(settings, `Bearer ${token}`, {
      method: "GET",
      path: `/installation/repositories?per_page=${REPOSITORIES_PER_PAGE}&page=${page}`,
      schema: installationRepositoriesAnswer,
      step: "list_installation_repositories",
    });
    for (const repo of answer.repositories)
      listed.push({ githubId: repo.id, owner: repo.owner.login, name: repo.name });
    if (answer.repositories.length < REPOSITORIES_PER_PAGE || listed.length >= answer.total_count) return listed;
  }
  throw new GithubError(
    "unexpected_response",
    "list_installation_repositories",
    `Installation ${installationId} lists more than ${REPOSITORIES_PER_PAGE * MAX_REPOSITORY_PAGES} repositories`,
  );
}

export type RepositoryClient = {
  owner: string;
  repo: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<S extends Type<any, any>>(call: GithubCall<S>): Promise<S["infer"]>;
};

/**
 * A client for one repository, authenticated as our App's installation on it with a token of just
 * `permissions`. Throws GithubError "not_configured" / "not_installed" before any repository call
 * when those are the case.
 */
export async function repositoryClient(
  settings: GithubAppSettings,
  owner: string,
  repo: string,
  permissions: AppPermissions,
  now: Clock,
  /** The installation covering it, when we know it already (webhooks told us): no lookup. */
  knownInstallationId: number | null = null,
): Promise<RepositoryClient> {
  configuredApp(settings);
  const installation =
    knownInstallationId === null ? await findInstallation(settings, owner, repo, now) : { id: knownInstallationId };
  let current = await installationToken(settings, installation.id, repo, permissions, now);
  return {
    owner,
    repo,
    async request(call) {
      try {
        return await githubRequest(settings, `Bearer ${current.token}`, call);
      } catch (error) {
        // A cached token GitHub no longer accepts (revoked, installation re-created): one fresh try.
        if (!(error instanceof GithubError && error.status === 401 && current.cached)) throw error;
        current = await installationToken(settings, installation.id, repo, permissions, now, { fresh: true });
        return githubRequest(settings, `Bearer ${current.token}`, call);
      }
    },
  };
}
