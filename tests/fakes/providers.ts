/**
 * Local fake identity providers for tests: a GitHub OAuth app (github.com + api.github.com) and an
 * OpenID Connect provider, speaking the real HTTP of each, on one node:http server bound to
 * 127.0.0.1. Integration tests (inside workerd) and browser e2e tests reach them over
 * http://127.0.0.1:<port>; tests steer them through plain-JSON control endpoints:
 *
 *   POST {controlUrl}/faults    { github?: GithubFaults, oidc?: OidcFaults }     merged into the current faults
 *   POST {controlUrl}/identity  { github?: Partial<...>, oidc?: Partial<...> }  merged into the current identities
 *                               (oidc: a null email, email_verified, name or preferred_username leaves that claim out)
 *   POST {controlUrl}/reset     faults, identities, codes, tokens and the request log back to defaults
 *   GET  {controlUrl}/requests  every provider request received since the last reset (control calls excluded)
 *   GET  {controlUrl}/state     the current faults and identities
 *
 * Paths served:
 *   GET  /github/login/oauth/authorize            302 back to redirect_uri with code & state (or an error)
 *   POST /github/login/oauth/access_token         code -> gho_ token; errors as HTTP 200 + `error` body, like GitHub
 *   GET  /github-api/user, /github-api/user/emails  Bearer (or `token`) auth, GitHub's shapes
 *   GET  /oidc/.well-known/openid-configuration, /oidc/authorize, POST /oidc/token, GET /oidc/jwks,
 *   GET|POST /oidc/userinfo
 *   /github-api/app/…, /github-api/repos/…       our GitHub App: installations, tokens, the Git Data API
 *                                                 (see "GitHub App" below; steered by {controlUrl}/git)
 *
 * Stricter than the real providers on purpose: PKCE (S256) is required by both authorize
 * endpoints, and redirect_uri is required at authorize and must be repeated verbatim at the token
 * endpoint. Codes are single use (consumed on first presentation by the right client) and live 10 min.
 * Nothing is ever written to the console.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";
import type { Clock } from "../../app/clock";

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export type GithubFaults = {
  authorize?: "ok" | "deny";
  token?: "ok" | "http_400" | "http_500" | "timeout" | "non_json" | "error_200";
  user?: "ok" | "http_500" | "wrong_shape";
  emails?: "ok" | "http_500" | "wrong_shape" | "no_verified";
  issParam?: "none" | "correct" | "wrong";
};
export type OidcFaults = {
  authorize?: "ok" | "deny";
  /** no_s256: the document lists only "plain" in code_challenge_methods_supported. */
  discovery?: "ok" | "http_500" | "invalid_json" | "missing_endpoints" | "issuer_mismatch" | "no_s256";
  token?: "ok" | "http_500" | "timeout" | "non_json";
  /** sub_only: the ID token carries `sub` and the protocol claims only; the profile is in UserInfo (OIDC Core §5.4). */
  idToken?: "ok" | "bad_signature" | "wrong_iss" | "wrong_aud" | "expired" | "wrong_nonce" | "unknown_kid" | "sub_only";
  jwks?: "ok" | "http_500";
  /**
   * The UserInfo endpoint. unreachable: the discovery document names a closed port (connection
   * refused); timeout: answers after HOLD_MS; http_401: refuses the access token; wrong_shape: the
   * right `sub` with claims of the wrong types; other_sub: another person's `sub`; jwt: a signed
   * `application/jwt` answer (iss, aud = client id); jwt_bad_signature: the same, signed by a key
   * not in the JWKS.
   */
  userinfo?: "ok" | "unreachable" | "http_500" | "timeout" | "http_401" | "non_json" | "wrong_shape" | "other_sub" | "jwt" | "jwt_bad_signature";
  /**
   * RFC 9207 `iss` on the authorization response. none: not sent, not advertised; correct: sent and
   * advertised (`authorization_response_iss_parameter_supported: true`); wrong: another issuer's
   * sent, not advertised; omitted: advertised but not sent.
   */
  issParam?: "none" | "correct" | "wrong" | "omitted";
};
export type FakeIdentity = {
  github: { id: number; login: string; name: string | null; email: string; avatar_url: string };
  oidc: { sub: string; email: string | null; email_verified: boolean | null; name: string | null; preferred_username: string | null; picture: string };
};
export type FakeProvidersInfo = {
  githubUrl: string;
  githubApiUrl: string;
  oidcIssuer: string;
  /** A GitHub Actions OIDC issuer (GITHUB_OIDC_ISSUER): JWKS at /.well-known/jwks; tokens minted by POST {controlUrl}/actions-token. */
  actionsIssuer: string;
  controlUrl: string;
  clientId: string;
  clientSecret: string;
  /** The fake GitHub App (GITHUB_APP_ID) and its private key (GITHUB_APP_PRIVATE_KEY, PKCS#1 PEM like GitHub's download). */
  githubAppId: string;
  githubAppPrivateKey: string;
};
/** One entry of `GET {controlUrl}/requests`. */
export type RecordedRequest = {
  method: string;
  /** The path only, e.g. "/github/login/oauth/access_token". */
  path: string;
  /** Query parameters (last value wins); secret-bearing ones read "[present]". */
  query: Record<string, string>;
  /** Lower-cased names; `authorization` is reduced to its scheme ("Basic", "Bearer"). */
  headers: Record<string, string>;
  /** Form fields (secrets as "[present]"), parsed JSON, raw text, or null when there was no body. */
  body: unknown;
};

export const FAKE_CLIENT_ID = "fake-client-id";
export const FAKE_CLIENT_SECRET = "fake-client-secret-0123456789";

/** How long a "timeout" fault holds its response. */
export const HOLD_MS = 15_000;

export const DEFAULT_IDENTITY: FakeIdentity = {
  github: { id: 4242, login: "octo-dev", name: "Octo Dev", email: "octo@example.com", avatar_url: "https://avatars.example/4242" },
  oidc: { sub: "oidc-user-1", email: "ada@corp.example", email_verified: true, name: "Ada Corp", preferred_username: null, picture: "https://pics.example/ada.png" },
};

const DEFAULT_GITHUB_FAULTS: Required<GithubFaults> = { authorize: "ok", token: "ok", user: "ok", emails: "ok", issParam: "none" };
const DEFAULT_OIDC_FAULTS: Required<OidcFaults> = { authorize: "ok", discovery: "ok", token: "ok", idToken: "ok", jwks: "ok", userinfo: "ok", issParam: "none" };

const GITHUB_FAULT_VALUES: { [K in keyof GithubFaults]-?: readonly NonNullable<GithubFaults[K]>[] } = {
  authorize: ["ok", "deny"],
  token: ["ok", "http_400", "http_500", "timeout", "non_json", "error_200"],
  user: ["ok", "http_500", "wrong_shape"],
  emails: ["ok", "http_500", "wrong_shape", "no_verified"],
  issParam: ["none", "correct", "wrong"],
};
const OIDC_FAULT_VALUES: { [K in keyof OidcFaults]-?: readonly NonNullable<OidcFaults[K]>[] } = {
  authorize: ["ok", "deny"],
  discovery: ["ok", "http_500", "invalid_json", "missing_endpoints", "issuer_mismatch", "no_s256"],
  token: ["ok", "http_500", "timeout", "non_json"],
  idToken: ["ok", "bad_signature", "wrong_iss", "wrong_aud", "expired", "wrong_nonce", "unknown_kid", "sub_only"],
  jwks: ["ok", "http_500"],
  userinfo: ["ok", "unreachable", "http_500", "timeout", "http_401", "non_json", "wrong_shape", "other_sub", "jwt", "jwt_bad_signature"],
  issParam: ["none", "correct", "wrong", "omitted"],
};

// ---------------------------------------------------------------------------------------------
// Constants mirroring the real providers
// ---------------------------------------------------------------------------------------------

const GH_DOCS = "https://docs.github.com";
const GH_TOKEN_ERRORS = {
  bad_verification_code: {
    error: "bad_verification_code",
    error_description: "The code passed is incorrect or expired.",
    error_uri: `${GH_DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code`,
  },
  incorrect_client_credentials: {
    error: "incorrect_client_credentials",
    error_description: "The client_id and/or client_secret passed are incorrect.",
    error_uri: `${GH_DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials`,
  },
  redirect_uri_mismatch: {
    error: "redirect_uri_mismatch",
    error_description: "The redirect_uri MUST match the registered callback URL for this application.",
    error_uri: `${GH_DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2`,
  },
} as const;
const GH_ACCESS_DENIED = {
  error: "access_denied",
  error_description: "The user has denied your application access.",
  error_uri: `${GH_DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied`,
};

const CODE_TTL_MS = 10 * 60_000;
const MAX_BODY_BYTES = 1024 * 1024;
const KID = "fake-oidc-key-1";
const UNKNOWN_KID = "fake-oidc-key-unknown";
/** Fields whose values never reach the request log. */
const SECRET_FIELDS = new Set([
  "client_secret",
  "code_verifier",
  "refresh_token",
  "access_token",
  "id_token",
  "password",
  "client_assertion",
  "token",
]);

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

type Grant = {
  provider: "github" | "oidc";
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  expiresAt: number;
  github: FakeIdentity["github"];
  oidc: FakeIdentity["oidc"];
};
type IssuedToken = {
  provider: "github" | "oidc";
  scope: string;
  expiresAt: number;
  github: FakeIdentity["github"];
  oidc: FakeIdentity["oidc"];
};

type Keys = { privateKey: CryptoKey; publicJwk: JWK; roguePrivateKey: CryptoKey };

type Ctx = {
  base: string;
  info: FakeProvidersInfo;
  keys: Keys;
  githubFaults: Required<GithubFaults>;
  oidcFaults: Required<OidcFaults>;
  identity: FakeIdentity;
  codes: Map<string, Grant>;
  tokens: Map<string, IssuedToken>;
  log: RecordedRequest[];
  held: Set<NodeJS.Timeout>;
  closing: boolean;
  /** The test run's clock (tests/run-clock.ts): codes, tokens, `iat`/`exp` and commit dates. */
  now: Clock;
};

const clone = <T>(value: T): T => structuredClone(value);

function resetState(ctx: Ctx): void {
  ctx.githubFaults = { ...DEFAULT_GITHUB_FAULTS };
  ctx.oidcFaults = { ...DEFAULT_OIDC_FAULTS };
  ctx.identity = clone(DEFAULT_IDENTITY);
  ctx.codes.clear();
  ctx.tokens.clear();
  ctx.log.length = 0;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export async function startFakeProviders(
  options: { port?: number; now?: Clock } = {},
): Promise<FakeProvidersInfo & { close(): Promise<void> }> {
  const [main, rogue] = await Promise.all([
    generateKeyPair("RS256"),
    generateKeyPair("RS256"),
  ]);
  const publicJwk = { ...(await exportJWK(main.publicKey)), kid: KID, alg: "RS256", use: "sig" };

  const sockets = new Set<Socket>();
  const ctx: Ctx = {
    base: "",
    info: { githubUrl: "", githubApiUrl: "", oidcIssuer: "", actionsIssuer: "", controlUrl: "", clientId: FAKE_CLIENT_ID, clientSecret: FAKE_CLIENT_SECRET, githubAppId: FAKE_GITHUB_APP_ID, githubAppPrivateKey: "" },
    keys: { privateKey: main.privateKey, publicJwk, roguePrivateKey: rogue.privateKey },
    githubFaults: { ...DEFAULT_GITHUB_FAULTS },
    oidcFaults: { ...DEFAULT_OIDC_FAULTS },
    identity: clone(DEFAULT_IDENTITY),
    codes: new Map(),
    tokens: new Map(),
    log: [],
    held: new Set(),
    closing: false,
    now: options.now ?? (() => new Date()),
  };
  const githubApp = createGitState(ctx);

  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, 500, { error: "fake_provider_internal_error", message: error instanceof Error ? error.message : String(error) });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  ctx.base = `http://127.0.0.1:${port}`;
  ctx.info = {
    githubUrl: `${ctx.base}/github`,
    githubApiUrl: `${ctx.base}/github-api`,
    oidcIssuer: `${ctx.base}/oidc`,
    actionsIssuer: `${ctx.base}/actions`,
    controlUrl: `${ctx.base}/__control`,
    clientId: FAKE_CLIENT_ID,
    clientSecret: FAKE_CLIENT_SECRET,
    githubAppId: FAKE_GITHUB_APP_ID,
    githubAppPrivateKey: githubApp.privateKeyPem,
  };

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      ctx.closing = true;
      for (const timer of ctx.held) clearTimeout(timer);
      ctx.held.clear();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
    return closed;
  };

  return { ...ctx.info, close };
}

async function handle(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", ctx.base);
  const method = req.method ?? "GET";
  const raw = await readBody(req);
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  const form = contentType.startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(raw) : null;
  const path = url.pathname;

  if (path === "/__control" || path.startsWith("/__control/")) {
    handleControl(ctx, method, path.slice("/__control".length), raw, res);
    return;
  }

  ctx.log.push(record(req, url, raw, form, contentType));

  if (path === "/github" || path.startsWith("/github/")) return handleGithub(ctx, method, path.slice("/github".length), url, req, form, res);
  if (path.startsWith("/github-api/app/") || path.startsWith("/github-api/repos/")) return handleGithubApp(ctx, method, path.slice("/github-api".length), req, raw, res);
  if (path === "/github-api" || path.startsWith("/github-api/")) return handleGithubApi(ctx, method, path.slice("/github-api".length), req, res);
  if (path === "/oidc" || path.startsWith("/oidc/")) return handleOidc(ctx, method, path.slice("/oidc".length), url, req, form, res);
  if (method === "GET" && path === "/actions/.well-known/jwks") return send(res, 200, { keys: [ctx.keys.publicJwk] });
  send(res, 404, { error: "not_found", path });
}

// ---------------------------------------------------------------------------------------------
// Control
// ---------------------------------------------------------------------------------------------

function handleControl(ctx: Ctx, method: string, sub: string, raw: string, res: ServerResponse): void {
  if (sub === "/git" || sub.startsWith("/git/")) return gitControl(ctx, method, sub.slice("/git".length), raw, res);
  const state = () => ({ faults: { github: ctx.githubFaults, oidc: ctx.oidcFaults }, identity: ctx.identity });
  if (method === "GET" && sub === "/requests") return send(res, 200, ctx.log);
  if (method === "GET" && sub === "/state") return send(res, 200, state());
  if (method === "POST" && sub === "/reset") {
    resetState(ctx);
    return send(res, 200, state());
  }
  if (method === "POST" && sub === "/actions-token") {
    void mintActionsToken(ctx, raw).then(
      (token) => send(res, 200, { token }),
      (error: unknown) => send(res, 400, { error: "invalid_control_body", message: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  if (method === "POST" && (sub === "/faults" || sub === "/identity")) {
    let body: unknown;
    try {
      body = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch {
      return send(res, 400, { error: "invalid_json" });
    }
    const problem = sub === "/faults" ? applyFaults(ctx, body) : applyIdentity(ctx, body);
    if (problem) return send(res, 400, { error: "invalid_control_body", message: problem });
    return send(res, 200, state());
  }
  send(res, 404, { error: "not_found", message: "control endpoints: POST /faults, POST /identity, POST /reset, GET /requests, GET /state" });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Validates everything first, then merges: a bad body changes nothing. */
function applyFaults(ctx: Ctx, body: unknown): string | null {
  if (!isRecord(body)) return "body must be an object";
  for (const key of Object.keys(body)) if (key !== "github" && key !== "oidc") return `unknown provider "${key}"`;
  const check = (name: string, given: unknown, allowed: Record<string, readonly string[]>): string | null => {
    if (given === undefined) return null;
    if (!isRecord(given)) return `${name} must be an object`;
    for (const [key, value] of Object.entries(given)) {
      const values = allowed[key];
      if (!values) return `unknown fault ${name}.${key}`;
      if (typeof value !== "string" || !values.includes(value)) return `${name}.${key} must be one of ${values.join(", ")}`;
    }
    return null;
  };
  const problem = check("github", body.github, GITHUB_FAULT_VALUES) ?? check("oidc", body.oidc, OIDC_FAULT_VALUES);
  if (problem) return problem;
  if (body.github) Object.assign(ctx.githubFaults, body.github);
  if (body.oidc) Object.assign(ctx.oidcFaults, body.oidc);
  return null;
}

function applyIdentity(ctx: Ctx, body: unknown): string | null {
  if (!isRecord(body)) return "body must be an object";
  for (const key of Object.keys(body)) if (key !== "github" && key !== "oidc") return `unknown provider "${key}"`;
  const github = body.github;
  const oidc = body.oidc;
  if (github !== undefined) {
    if (!isRecord(github)) return "github must be an object";
    for (const [key, value] of Object.entries(github)) {
      const ok =
        key === "id"
          ? typeof value === "number" && Number.isInteger(value)
          : key === "name"
            ? typeof value === "string" || value === null
            : ["login", "email", "avatar_url"].includes(key)
              ? typeof value === "string"
              : null;
      if (ok === null) return `unknown field github.${key}`;
      if (!ok) return `github.${key} has the wrong type`;
    }
  }
  if (oidc !== undefined) {
    if (!isRecord(oidc)) return "oidc must be an object";
    for (const [key, value] of Object.entries(oidc)) {
      if (key === "sub" || key === "picture") {
        if (typeof value !== "string") return `oidc.${key} must be a string`;
      } else if (key === "email" || key === "name" || key === "preferred_username") {
        if (typeof value !== "string" && value !== null) return `oidc.${key} must be a string or null`;
      } else if (key === "email_verified") {
        if (typeof value !== "boolean" && value !== null) return `oidc.${key} must be a boolean or null`;
      } else return `unknown field oidc.${key}`;
    }
  }
  if (github) Object.assign(ctx.identity.github, github);
  if (oidc) Object.assign(ctx.identity.oidc, oidc);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Shared OAuth pieces
// ---------------------------------------------------------------------------------------------

type AuthorizeOutcome = { redirect: URL } | { status: number; text: string };

/**
 * Validates an authorization request. Errors that cannot be trusted to go back to the client
 * (unknown client, unusable redirect_uri) are answered here; the others are redirected.
 */
function authorize(
  ctx: Ctx,
  provider: "github" | "oidc",
  url: URL,
  deny: { error: string; error_description: string; error_uri?: string },
  extraResponseParams: Record<string, string>,
): AuthorizeOutcome {
  const q = url.searchParams;
  const clientId = q.get("client_id");
  if (clientId !== FAKE_CLIENT_ID) return { status: 404, text: `Unknown client_id (this fake knows only "${FAKE_CLIENT_ID}").` };
  const redirectUri = q.get("redirect_uri");
  let redirect: URL;
  try {
    if (!redirectUri) throw new Error("missing");
    redirect = new URL(redirectUri);
    if (redirect.protocol !== "http:" && redirect.protocol !== "https:") throw new Error("scheme");
  } catch {
    return { status: 400, text: "The redirect_uri is missing or is not an absolute http(s) URL." };
  }
  const state = q.get("state");
  const back = (params: Record<string, string>): AuthorizeOutcome => {
    for (const [key, value] of Object.entries(params)) redirect.searchParams.set(key, value);
    if (state !== null) redirect.searchParams.set("state", state);
    for (const [key, value] of Object.entries(extraResponseParams)) redirect.searchParams.set(key, value);
    return { redirect };
  };

  if (provider === "oidc" && q.get("response_type") !== "code") {
    return back({ error: "unsupported_response_type", error_description: "Only response_type=code is supported." });
  }
  const scope = q.get("scope") ?? "";
  if (provider === "oidc" && !scope.split(/\s+/).includes("openid")) {
    return back({ error: "invalid_scope", error_description: "The openid scope is required." });
  }
  const challenge = q.get("code_challenge");
  const method = q.get("code_challenge_method");
  if (!challenge) return back({ error: "invalid_request", error_description: "code_challenge is required (PKCE)." });
  if (method !== "S256") return back({ error: "invalid_request", error_description: "Only code_challenge_method=S256 is supported." });
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: "invalid_request", error_description: "code_challenge is malformed." });

  const fault = provider === "github" ? ctx.githubFaults.authorize : ctx.oidcFaults.authorize;
  if (fault === "deny") return back({ ...deny });

  const code = provider === "github" ? randomBytes(10).toString("hex") : randomBytes(24).toString("base64url");
  ctx.codes.set(code, {
    provider,
    clientId,
    redirectUri: redirectUri!,
    codeChallenge: challenge,
    scope,
    nonce: q.get("nonce"),
    expiresAt: ctx.now().getTime() + CODE_TTL_MS,
    github: clone(ctx.identity.github),
    oidc: clone(ctx.identity.oidc),
  });
  return back({ code });
}

function answerAuthorize(res: ServerResponse, outcome: AuthorizeOutcome): void {
  if ("redirect" in outcome) {
    res.writeHead(302, { location: outcome.redirect.toString(), "cache-control": "no-store", "content-length": "0" });
    res.end();
    return;
  }
  sendText(res, outcome.status, outcome.text);
}

type ClientAuth = { ok: true; method: "basic" | "post" } | { ok: false; method: "basic" | "post" | "none" };

/** Client authentication: HTTP Basic (client_secret_basic) or body fields (client_secret_post). */
function authenticateClient(req: IncomingMessage, form: URLSearchParams): ClientAuth {
  const header = req.headers.authorization;
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (header !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match?.[1]) return { ok: false, method: "basic" };
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { ok: false, method: "basic" };
    // RFC 6749 §2.3.1 form-encodes both parts; arctic does not. Accept either.
    const formDecode = (value: string) => {
      try {
        return decodeURIComponent(value.replace(/\+/g, " "));
      } catch {
        return value;
      }
    };
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const good =
      (id === FAKE_CLIENT_ID || formDecode(id) === FAKE_CLIENT_ID) &&
      (safeEqual(secret, FAKE_CLIENT_SECRET) || safeEqual(formDecode(secret), FAKE_CLIENT_SECRET)) &&
      (bodyId === null || bodyId === FAKE_CLIENT_ID) &&
      bodySecret === null;
    return { ok: good, method: "basic" };
  }
  if (bodyId === null && bodySecret === null) return { ok: false, method: "none" };
  return { ok: bodyId === FAKE_CLIENT_ID && bodySecret !== null && safeEqual(bodySecret, FAKE_CLIENT_SECRET), method: "post" };
}

type Redemption =
  | { ok: true; grant: Grant }
  | { ok: false; reason: "bad_code" | "redirect_uri_mismatch" | "pkce" };

/** Looks the code up and consumes it (single use), then checks redirect_uri and PKCE. */
function redeem(ctx: Ctx, provider: "github" | "oidc", form: URLSearchParams): Redemption {
  const code = form.get("code");
  const grant = code ? ctx.codes.get(code) : undefined;
  if (!code || !grant || grant.provider !== provider || grant.clientId !== FAKE_CLIENT_ID) return { ok: false, reason: "bad_code" };
  ctx.codes.delete(code);
  if (grant.expiresAt < ctx.now().getTime()) return { ok: false, reason: "bad_code" };
  if (form.get("redirect_uri") !== grant.redirectUri) return { ok: false, reason: "redirect_uri_mismatch" };
  const verifier = form.get("code_verifier");
  if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return { ok: false, reason: "pkce" };
  const computed = createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (!safeEqual(computed, grant.codeChallenge)) return { ok: false, reason: "pkce" };
  return { ok: true, grant };
}

/** Answers after HOLD_MS (a provider that hangs), unless the server closes first. */
function hold(ctx: Ctx, res: ServerResponse, answer: () => void): void {
  if (ctx.closing) {
    res.destroy();
    return;
  }
  const timer = setTimeout(() => {
    ctx.held.delete(timer);
    if (!res.destroyed) answer();
  }, HOLD_MS);
  ctx.held.add(timer);
  res.on("close", () => {
    clearTimeout(timer);
    ctx.held.delete(timer);
  });
}

function bearerToken(req: IncomingMessage, schemes: RegExp): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = schemes.exec(header);
  return match?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// GitHub (github.com)
// ---------------------------------------------------------------------------------------------

function handleGithub(
  ctx: Ctx,
  method: string,
  sub: string,
  url: URL,
  req: IncomingMessage,
  form: URLSearchParams | null,
  res: ServerResponse,
): void {
  if (method === "GET" && sub === "/login/oauth/authorize") {
    const iss = ctx.githubFaults.issParam;
    const extra: Record<string, string> =
      iss === "correct" ? { iss: `${ctx.info.githubUrl}/login/oauth` } : iss === "wrong" ? { iss: `${ctx.base}/not-github/login/oauth` } : {};
    return answerAuthorize(res, authorize(ctx, "github", url, GH_ACCESS_DENIED, extra));
  }
  if (method === "POST" && sub === "/login/oauth/access_token") return githubToken(ctx, req, form, res);
  send(res, 404, { error: "Not Found" });
}

function githubToken(ctx: Ctx, req: IncomingMessage, form: URLSearchParams | null, res: ServerResponse): void {
  const fault = ctx.githubFaults.token;
  if (fault === "http_400") return send(res, 400, { error: "invalid_request", error_description: "Fake fault: HTTP 400." });
  if (fault === "http_500") return sendHtml(res, 500, "<!DOCTYPE html><html><body><h1>Unicorn!</h1><p>This page is taking too long to load.</p></body></html>");
  if (fault === "non_json") return sendHtml(res, 200, "<!DOCTYPE html><html><head><title>GitHub</title></head><body>Not JSON</body></html>");
  if (fault === "error_200") return githubAnswer(req, res, GH_TOKEN_ERRORS.bad_verification_code);

  // GitHub answers by the Accept header: JSON, else form-encoded.
  const fields = form ?? new URLSearchParams();
  let answer: Record<string, string>;
  const client = authenticateClient(req, fields);
  if (!client.ok) {
    answer = GH_TOKEN_ERRORS.incorrect_client_credentials;
  } else {
    const result = redeem(ctx, "github", fields);
    if (!result.ok) {
      // GitHub documents no PKCE-specific error; a failed verifier is reported as a bad code.
      answer = result.reason === "redirect_uri_mismatch" ? GH_TOKEN_ERRORS.redirect_uri_mismatch : GH_TOKEN_ERRORS.bad_verification_code;
    } else {
      const token = `gho_${randomAlnum(36)}`;
      const scope = result.grant.scope.split(/[\s,]+/).filter(Boolean).join(",");
      ctx.tokens.set(token, { provider: "github", scope, expiresAt: Number.POSITIVE_INFINITY, github: result.grant.github, oidc: result.grant.oidc });
      answer = { access_token: token, token_type: "bearer", scope };
    }
  }
  if (fault === "timeout") return hold(ctx, res, () => githubAnswer(req, res, answer));
  githubAnswer(req, res, answer);
}

function githubAnswer(req: IncomingMessage, res: ServerResponse, answer: Record<string, string>): void {
  const accept = (req.headers.accept ?? "").toLowerCase();
  if (accept.includes("json")) return send(res, 200, answer);
  const text = new URLSearchParams(answer).toString();
  res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// GitHub REST API (api.github.com)
// ---------------------------------------------------------------------------------------------

function handleGithubApi(ctx: Ctx, method: string, sub: string, req: IncomingMessage, res: ServerResponse): void {
  const notFound = () => send(res, 404, { message: "Not Found", documentation_url: `${GH_DOCS}/rest`, status: "404" });
  if (method !== "GET" || (sub !== "/user" && sub !== "/user/emails")) return notFound();

  const header = req.headers.authorization;
  if (!header) {
    return send(res, 401, { message: "Requires authentication", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  }
  const token = bearerToken(req, /^(?:Bearer|token)\s+(\S+)\s*$/i);
  const issued = token ? ctx.tokens.get(token) : undefined;
  if (!issued || issued.provider !== "github") {
    return send(res, 401, { message: "Bad credentials", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  }
  const headers = { "x-oauth-scopes": issued.scope.split(",").join(", "), "x-github-media-type": "github.v3; format=json" };
  const who = issued.github;

  if (sub === "/user") {
    const fault = ctx.githubFaults.user;
    if (fault === "http_500") return send(res, 500, { message: "Server Error" }, headers);
    if (fault === "wrong_shape") return send(res, 200, { id: "not-a-number", name: who.name, avatar_url: who.avatar_url }, headers);
    return send(res, 200, githubUser(ctx, who), { ...headers, "x-accepted-oauth-scopes": "" });
  }

  const fault = ctx.githubFaults.emails;
  if (fault === "http_500") return send(res, 500, { message: "Server Error" }, headers);
  if (fault === "wrong_shape") return send(res, 200, [{ address: who.email, primary: "yes" }], headers);
  const verified = fault !== "no_verified";
  return send(
    res,
    200,
    [
      { email: who.email, primary: true, verified, visibility: "private" },
      { email: `secondary-${who.id}@example.net`, primary: false, verified: false, visibility: null },
    ],
    { ...headers, "x-accepted-oauth-scopes": "user, user:email" },
  );
}

function githubUser(ctx: Ctx, who: FakeIdentity["github"]): Record<string, unknown> {
  const api = ctx.info.githubApiUrl;
  const userApi = `${api}/users/${who.login}`;
  return {
    login: who.login,
    id: who.id,
    node_id: Buffer.from(`04:User${who.id}`).toString("base64"),
    avatar_url: who.avatar_url,
    gravatar_id: "",
    url: userApi,
    html_url: `${ctx.info.githubUrl}/${who.login}`,
    followers_url: `${userApi}/followers`,
    following_url: `${userApi}/following{/other_user}`,
    gists_url: `${userApi}/gists{/gist_id}`,
    starred_url: `${userApi}/starred{/owner}{/repo}`,
    subscriptions_url: `${userApi}/subscriptions`,
    organizations_url: `${userApi}/orgs`,
    repos_url: `${userApi}/repos`,
    events_url: `${userApi}/events{/privacy}`,
    received_events_url: `${userApi}/received_events`,
    type: "User",
    user_view_type: "private",
    site_admin: false,
    name: who.name,
    company: null,
    blog: "",
    location: null,
    email: who.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: who.email,
    public_repos: 3,
    public_gists: 0,
    followers: 1,
    following: 0,
    created_at: "2015-04-01T12:00:00Z",
    updated_at: "2025-01-01T12:00:00Z",
  };
}

// ---------------------------------------------------------------------------------------------
// OpenID Connect provider
// ---------------------------------------------------------------------------------------------

function handleOidc(
  ctx: Ctx,
  method: string,
  sub: string,
  url: URL,
  req: IncomingMessage,
  form: URLSearchParams | null,
  res: ServerResponse,
): Promise<void> | void {
  if (method === "GET" && sub === "/.well-known/openid-configuration") return oidcDiscovery(ctx, res);
  if (method === "GET" && sub === "/authorize") {
    const iss = ctx.oidcFaults.issParam;
    const extra: Record<string, string> =
      iss === "correct" ? { iss: ctx.info.oidcIssuer } : iss === "wrong" ? { iss: `${ctx.base}/other-issuer` } : {};
    return answerAuthorize(
      res,
      authorize(ctx, "oidc", url, { error: "access_denied", error_description: "The resource owner denied the request." }, extra),
    );
  }
  if (method === "POST" && sub === "/token") return oidcToken(ctx, req, form, res);
  if (method === "GET" && sub === "/jwks") {
    if (ctx.oidcFaults.jwks === "http_500") return send(res, 500, { error: "server_error" });
    return send(res, 200, { keys: [ctx.keys.publicJwk] }, { "cache-control": "public, max-age=300" });
  }
  if ((method === "GET" || method === "POST") && sub === "/userinfo") return oidcUserinfo(ctx, req, res);
  send(res, 404, { error: "not_found" });
}

function oidcDiscovery(ctx: Ctx, res: ServerResponse): void {
  const fault = ctx.oidcFaults.discovery;
  if (fault === "http_500") return send(res, 500, { error: "server_error" });
  const issuer = ctx.info.oidcIssuer;
  if (fault === "invalid_json") {
    const text = `{"issuer": "${issuer}", "authorization_endpoint": `;
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const document: Record<string, unknown> = {
    issuer: fault === "issuer_mismatch" ? `${ctx.base}/other-issuer` : issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: ctx.oidcFaults.userinfo === "unreachable" ? "http://127.0.0.1:9/oidc/userinfo" : `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
    scopes_supported: ["openid", "email", "profile"],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    claims_supported: ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "email", "email_verified", "name", "preferred_username", "picture"],
    code_challenge_methods_supported: fault === "no_s256" ? ["plain"] : ["S256"],
    userinfo_signing_alg_values_supported: ["RS256"],
  };
  if (ctx.oidcFaults.issParam === "correct" || ctx.oidcFaults.issParam === "omitted") document.authorization_response_iss_parameter_supported = true;
  if (fault === "missing_endpoints") {
    delete document.token_endpoint;
    delete document.jwks_uri;
  }
  send(res, 200, document, { "cache-control": "public, max-age=300" });
}

async function oidcToken(ctx: Ctx, req: IncomingMessage, form: URLSearchParams | null, res: ServerResponse): Promise<void> {
  const fault = ctx.oidcFaults.token;
  if (fault === "http_500") return send(res, 500, { error: "server_error", error_description: "Fake fault: HTTP 500." });
  if (fault === "non_json") return sendHtml(res, 200, "<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>");

  let status: number;
  let answer: Record<string, unknown>;
  let extraHeaders: Record<string, string> = {};
  const fields = form;
  const client = fields ? authenticateClient(req, fields) : ({ ok: false, method: "none" } as const);
  if (!fields) {
    status = 400;
    answer = { error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded." };
  } else if (!client.ok) {
    status = 401;
    answer = { error: "invalid_client", error_description: "Client authentication failed." };
    if (client.method === "basic") extraHeaders = { "www-authenticate": 'Basic realm="fake-oidc"' };
  } else if (fields.get("grant_type") !== "authorization_code") {
    status = 400;
    answer = { error: "unsupported_grant_type", error_description: "Only authorization_code is supported." };
  } else {
    const result = redeem(ctx, "oidc", fields);
    if (!result.ok) {
      status = 400;
      const description =
        result.reason === "pkce"
          ? "PKCE verification failed."
          : result.reason === "redirect_uri_mismatch"
            ? "redirect_uri does not match the authorization request."
            : "The authorization code is invalid, expired or already used.";
      answer = { error: "invalid_grant", error_description: description };
    } else {
      const accessToken = randomBytes(32).toString("base64url");
      const grant = result.grant;
      ctx.tokens.set(accessToken, { provider: "oidc", scope: grant.scope, expiresAt: ctx.now().getTime() + 3_600_000, github: grant.github, oidc: grant.oidc });
      status = 200;
      answer = {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: 3600,
        id_token: await idToken(ctx, grant, accessToken),
        scope: grant.scope,
      };
    }
  }
  const headers = { "cache-control": "no-store", pragma: "no-cache", ...extraHeaders };
  if (fault === "timeout") return hold(ctx, res, () => send(res, status, answer, headers));
  send(res, status, answer, headers);
}

async function idToken(ctx: Ctx, grant: Grant, accessToken: string): Promise<string> {
  const fault = ctx.oidcFaults.idToken;
  const now = Math.floor(ctx.now().getTime() / 1000);
  const iat = fault === "expired" ? now - 2 * 3600 : now;
  const exp = fault === "expired" ? now - 3600 : now + 600;
  const digest = createHash("sha256").update(accessToken, "ascii").digest();
  const claims: Record<string, unknown> = {
    auth_time: iat,
    at_hash: digest.subarray(0, digest.length / 2).toString("base64url"),
    ...(fault === "sub_only" ? {} : profileClaims(grant.oidc)),
  };
  if (fault === "wrong_nonce") claims.nonce = `wrong-${grant.nonce ?? "nonce"}-${randomBytes(4).toString("hex")}`;
  else if (grant.nonce !== null) claims.nonce = grant.nonce;

  const key = fault === "bad_signature" || fault === "unknown_kid" ? ctx.keys.roguePrivateKey : ctx.keys.privateKey;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: fault === "unknown_kid" ? UNKNOWN_KID : KID })
    .setIssuer(fault === "wrong_iss" ? `${ctx.base}/wrong-issuer` : ctx.info.oidcIssuer)
    .setSubject(grant.oidc.sub)
    .setAudience(fault === "wrong_aud" ? "some-other-client" : FAKE_CLIENT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
}

/** The profile claims of an identity; a null field is a claim the provider does not send. */
function profileClaims(who: FakeIdentity["oidc"]): Record<string, unknown> {
  const claims: Record<string, unknown> = { picture: who.picture };
  if (who.email !== null) claims.email = who.email;
  if (who.email_verified !== null) claims.email_verified = who.email_verified;
  if (who.name !== null) claims.name = who.name;
  if (who.preferred_username !== null) claims.preferred_username = who.preferred_username;
  return claims;
}

async function oidcUserinfo(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fault = ctx.oidcFaults.userinfo;
  const token = bearerToken(req, /^Bearer\s+(\S+)\s*$/i);
  const issued = token ? ctx.tokens.get(token) : undefined;
  if (fault === "http_401" || !issued || issued.provider !== "oidc" || issued.expiresAt < ctx.now().getTime()) {
    const challenge = token ? 'Bearer error="invalid_token", error_description="The access token is invalid"' : 'Bearer realm="fake-oidc"';
    return send(res, 401, { error: "invalid_token" }, { "www-authenticate": challenge });
  }
  if (fault === "http_500") return send(res, 500, { error: "server_error" });
  if (fault === "non_json") return sendHtml(res, 200, "<!DOCTYPE html><html><body>Profile service unavailable</body></html>");
  const who = issued.oidc;
  if (fault === "wrong_shape") return send(res, 200, { sub: who.sub, email: [who.email], email_verified: "yes", name: 42 });
  const claims = { sub: fault === "other_sub" ? "someone-else" : who.sub, ...profileClaims(who) };
  if (fault === "jwt" || fault === "jwt_bad_signature") {
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: KID })
      .setIssuer(ctx.info.oidcIssuer)
      .setAudience(FAKE_CLIENT_ID)
      .setIssuedAt(Math.floor(ctx.now().getTime() / 1000))
      .sign(fault === "jwt" ? ctx.keys.privateKey : ctx.keys.roguePrivateKey);
    return sendText(res, 200, jwt, "application/jwt");
  }
  if (fault === "timeout") return hold(ctx, res, () => send(res, 200, claims));
  send(res, 200, claims);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function redactParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = SECRET_FIELDS.has(key) ? "[present]" : value;
  return out;
}

function record(req: IncomingMessage, url: URL, raw: string, form: URLSearchParams | null, contentType: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    headers[name.toLowerCase()] = name === "authorization" || name === "proxy-authorization" ? (text.trim().split(/\s+/)[0] ?? "") : text;
  }
  let body: unknown = null;
  if (form) body = redactParams(form);
  else if (raw !== "" && contentType.includes("json")) {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  } else if (raw !== "") body = raw;
  return { method: req.method ?? "GET", path: url.pathname, query: redactParams(url.searchParams), headers, body };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
  res.end(html);
}

function sendText(res: ServerResponse, status: number, text: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function randomAlnum(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions OIDC tokens (what `ACTIONS_ID_TOKEN_REQUEST_URL` hands a workflow)
// ---------------------------------------------------------------------------------------------

/**
 * POST {controlUrl}/actions-token `{ claims?: {...overrides}, sign?: "main" | "rogue", kid?: string }`
 * → `{ token }`: an RS256 JWT like GitHub Actions issues, for repository acme/infra by default.
 * A claim set to null is left out.
 */
async function mintActionsToken(ctx: Ctx, raw: string): Promise<string> {
  const body = raw.trim() === "" ? {} : (JSON.parse(raw) as { claims?: Record<string, unknown>; sign?: string; kid?: string });
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

// ---------------------------------------------------------------------------------------------
// GitHub App (api.github.com): installations, installation tokens, the Git Data API
// ---------------------------------------------------------------------------------------------
//
//   GET   /github-api/repos/:o/:r/installation               app JWT → the installation covering the repository
//   POST  /github-api/app/installations/:id/access_tokens    app JWT → ghs_ token (1 h), optionally narrowed
//                                                            to `repositories` and `permissions`
//   GET   /github-api/repos/:o/:r/git/ref/heads/:branch      \
//   GET   /github-api/repos/:o/:r/git/commits/:sha            |
//   POST  /github-api/repos/:o/:r/git/blobs                   |  installation token (Bearer or `token`)
//   POST  /github-api/repos/:o/:r/git/trees                   |  covering the repository
//   POST  /github-api/repos/:o/:r/git/commits                 |
//   PATCH /github-api/repos/:o/:r/git/refs/heads/:branch      /  fast-forward only unless `force`
//
// The app JWT is verified against the public half of the key handed out as `githubAppPrivateKey`
// (PKCS#1 PEM, as GitHub's download): RS256, iss = `githubAppId`, exp at most 10 minutes ahead.
// Like GitHub, these routes refuse a request without User-Agent (403) and an unknown
// X-GitHub-Api-Version (400). Blob shas are git's (sha1 of "blob <size>\0<bytes>"); trees are flat
// (path → blob) with a deterministic sha, so identical contents give the same tree sha.
//
// Control (separate from /reset, so other test files resetting the OAuth fakes never touch it):
//   GET  {controlUrl}/git         { installations, branches: {repo: {branch: {sha, message, parents, files: {path: utf8}}}},
//                                   installationTokens, faults, requests }
//   POST {controlUrl}/git         { faults?: GitFaults, installed?: {"owner/repo": boolean} }  merged
//   POST {controlUrl}/git/reset   installations, repositories (branch main: README.md + old.txt), tokens, faults, requests

export const FAKE_GITHUB_APP_ID = "424242";

export type GitFaults = {
  installation?: "ok" | "http_500";
  accessToken?: "ok" | "http_500" | "timeout" | "permissions_not_granted";
  blobs?: "ok" | "http_500" | "wrong_shape";
  /** "race": another push lands on the branch just before our ref update (which is then not a fast forward). */
  updateRef?: "ok" | "race";
};
const GIT_FAULT_VALUES: { [K in keyof GitFaults]-?: readonly NonNullable<GitFaults[K]>[] } = {
  installation: ["ok", "http_500"],
  accessToken: ["ok", "http_500", "timeout", "permissions_not_granted"],
  blobs: ["ok", "http_500", "wrong_shape"],
  updateRef: ["ok", "race"],
};
const DEFAULT_GIT_FAULTS: Required<GitFaults> = { installation: "ok", accessToken: "ok", blobs: "ok", updateRef: "ok" };

/** One entry of `requests` in `GET {controlUrl}/git`: what our client sent, never a credential. */
export type GitRecordedRequest = {
  method: string;
  path: string;
  userAgent: string | null;
  accept: string | null;
  apiVersion: string | null;
  /** "jwt" (an app JWT), "installation_token", "other" or "none". */
  auth: "jwt" | "installation_token" | "other" | "none";
};

type GitCommitObject = { tree: string; parents: string[]; message: string; date: string };
type GitInstallation = { id: number; account: string; repos: Set<string> };
type GitToken = { installationId: number; repos: Set<string>; expiresAt: number };
type GitState = {
  appPublicKey: KeyObject;
  installations: Map<number, GitInstallation>;
  /** "owner/repo" (lower case) → branch → commit sha. */
  branches: Map<string, Map<string, string>>;
  blobs: Map<string, Buffer>;
  /** Flat trees: path → blob sha. */
  trees: Map<string, Map<string, string>>;
  commits: Map<string, GitCommitObject>;
  tokens: Map<string, GitToken>;
  faults: Required<GitFaults>;
  requests: GitRecordedRequest[];
  counter: number;
  now: Clock;
};

const GIT_INSTALLATIONS: Array<{ id: number; account: string; repos: string[] }> = [
  { id: 1001, account: "acme", repos: ["acme/infra"] },
  { id: 1002, account: "org", repos: ["org/repo"] },
];

const gitStates = new WeakMap<Ctx, GitState>();

/** The App's key pair; the private half is what `githubAppPrivateKey` hands out. */
function createGitState(ctx: Ctx): { privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const state: GitState = {
    appPublicKey: publicKey,
    installations: new Map(),
    branches: new Map(),
    blobs: new Map(),
    trees: new Map(),
    commits: new Map(),
    tokens: new Map(),
    faults: { ...DEFAULT_GIT_FAULTS },
    requests: [],
    counter: 0,
    now: ctx.now,
  };
  gitStates.set(ctx, state);
  resetGitState(state);
  return { privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString() };
}

function gitState(ctx: Ctx): GitState {
  const state = gitStates.get(ctx);
  if (!state) throw new Error("the fake GitHub App was not started");
  return state;
}

function resetGitState(state: GitState): void {
  state.installations.clear();
  state.branches.clear();
  state.blobs.clear();
  state.trees.clear();
  state.commits.clear();
  state.tokens.clear();
  state.faults = { ...DEFAULT_GIT_FAULTS };
  state.requests.length = 0;
  for (const installation of GIT_INSTALLATIONS) {
    state.installations.set(installation.id, { id: installation.id, account: installation.account, repos: new Set(installation.repos) });
    for (const repo of installation.repos) {
      const files = new Map<string, string>([
        ["README.md", putBlob(state, Buffer.from(`# ${repo}\n`))],
        ["old.txt", putBlob(state, Buffer.from("this file is about to go\n"))],
      ]);
      const commit = putCommit(state, { tree: putTree(state, files), parents: [], message: "Initial commit", date: "2026-01-01T00:00:00Z" });
      state.branches.set(repo, new Map([["main", commit]]));
    }
  }
}

const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

function putBlob(state: GitState, bytes: Buffer): string {
  const sha = sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));
  state.blobs.set(sha, bytes);
  return sha;
}

function putTree(state: GitState, files: Map<string, string>): string {
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sha = sha1(`tree\0${sorted.map(([path, blob]) => `100644 ${path}\0${blob}`).join("\n")}`);
  state.trees.set(sha, new Map(sorted));
  return sha;
}

function putCommit(state: GitState, commit: GitCommitObject): string {
  state.counter += 1;
  const sha = sha1(`commit\0tree ${commit.tree}\n${commit.parents.map((p) => `parent ${p}\n`).join("")}date ${commit.date} ${state.counter}\n\n${commit.message}`);
  state.commits.set(sha, commit);
  return sha;
}

function isAncestor(state: GitState, ancestor: string, of: string): boolean {
  const queue = [of];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const sha = queue.shift()!;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    queue.push(...(state.commits.get(sha)?.parents ?? []));
  }
  return false;
}

function gitControl(ctx: Ctx, method: string, sub: string, raw: string, res: ServerResponse): void {
  const state = gitState(ctx);
  if (method === "GET" && sub === "") return send(res, 200, gitSnapshot(state));
  if (method === "POST" && sub === "/reset") {
    resetGitState(state);
    return send(res, 200, gitSnapshot(state));
  }
  if (method === "POST" && sub === "") {
    let body: unknown;
    try {
      body = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch {
      return send(res, 400, { error: "invalid_json" });
    }
    const problem = applyGitControl(state, body);
    if (problem) return send(res, 400, { error: "invalid_control_body", message: problem });
    return send(res, 200, gitSnapshot(state));
  }
  send(res, 404, { error: "not_found", message: "git control endpoints: GET /git, POST /git, POST /git/reset" });
}

/** Validates everything first, then applies: a bad body changes nothing. */
function applyGitControl(state: GitState, body: unknown): string | null {
  if (!isRecord(body)) return "body must be an object";
  for (const key of Object.keys(body)) if (key !== "faults" && key !== "installed") return `unknown field "${key}"`;
  const { faults, installed } = body;
  if (faults !== undefined) {
    if (!isRecord(faults)) return "faults must be an object";
    for (const [key, value] of Object.entries(faults)) {
      const values = (GIT_FAULT_VALUES as Record<string, readonly string[]>)[key];
      if (!values) return `unknown fault ${key}`;
      if (typeof value !== "string" || !values.includes(value)) return `faults.${key} must be one of ${values.join(", ")}`;
    }
  }
  if (installed !== undefined) {
    if (!isRecord(installed)) return "installed must be an object";
    for (const [repo, value] of Object.entries(installed)) {
      if (typeof value !== "boolean") return `installed.${repo} must be a boolean`;
      if (!GIT_INSTALLATIONS.some((installation) => installation.repos.includes(repo.toLowerCase()))) return `unknown repository ${repo}`;
    }
  }
  if (faults) Object.assign(state.faults, faults);
  if (installed) {
    for (const [repo, value] of Object.entries(installed as Record<string, boolean>)) {
      const home = GIT_INSTALLATIONS.find((installation) => installation.repos.includes(repo.toLowerCase()))!;
      const installation = state.installations.get(home.id)!;
      if (value) installation.repos.add(repo.toLowerCase());
      else installation.repos.delete(repo.toLowerCase());
    }
  }
  return null;
}

function gitSnapshot(state: GitState) {
  const installations: Record<string, number> = {};
  for (const installation of state.installations.values()) for (const repo of installation.repos) installations[repo] = installation.id;
  const branches: Record<string, Record<string, { sha: string; message: string; parents: string[]; files: Record<string, string> }>> = {};
  for (const [repo, refs] of state.branches) {
    branches[repo] = {};
    for (const [branch, sha] of refs) {
      const commit = state.commits.get(sha)!;
      const files: Record<string, string> = {};
      for (const [path, blob] of state.trees.get(commit.tree) ?? []) files[path] = state.blobs.get(blob)?.toString("utf8") ?? "";
      branches[repo][branch] = { sha, message: commit.message, parents: commit.parents, files };
    }
  }
  return { installations, branches, installationTokens: [...state.tokens.keys()], faults: state.faults, requests: state.requests };
}

const ghNotFound = (res: ServerResponse, docs = "rest") => send(res, 404, { message: "Not Found", documentation_url: `${GH_DOCS}/${docs}`, status: "404" });
const ghUnprocessable = (res: ServerResponse, message: string, docs = "rest") => send(res, 422, { message, documentation_url: `${GH_DOCS}/${docs}`, status: "422" });

async function handleGithubApp(ctx: Ctx, method: string, sub: string, req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
  const state = gitState(ctx);
  const header = req.headers.authorization ?? "";
  const credential = bearerToken(req, /^(?:Bearer|token)\s+(\S+)\s*$/i);
  state.requests.push({
    method,
    path: sub,
    userAgent: req.headers["user-agent"] ?? null,
    accept: req.headers.accept ?? null,
    apiVersion: (req.headers["x-github-api-version"] as string | undefined) ?? null,
    auth: !header ? "none" : credential?.startsWith("eyJ") ? "jwt" : credential && state.tokens.has(credential) ? "installation_token" : "other",
  });

  if (!req.headers["user-agent"]) {
    return sendText(res, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).");
  }
  const version = req.headers["x-github-api-version"];
  if (version !== undefined && version !== "2022-11-28" && version !== "2026-03-10") {
    return send(res, 400, { message: `API version '${String(version)}' is not supported.`, documentation_url: `${GH_DOCS}/rest/overview/api-versions`, status: "400" });
  }
  let body: Record<string, unknown> = {};
  if (method === "POST" || method === "PATCH") {
    try {
      const parsed: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
      if (!isRecord(parsed)) throw new Error("not an object");
      body = parsed;
    } catch {
      return send(res, 400, { message: "Problems parsing JSON", documentation_url: `${GH_DOCS}/rest`, status: "400" });
    }
  }

  // App endpoints: the app JWT.
  const installationOf = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(sub);
  const accessTokens = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(sub);
  if ((method === "GET" && installationOf) || (method === "POST" && accessTokens)) {
    const problem = await appJwtProblem(state, credential);
    if (problem) return send(res, 401, { message: problem, documentation_url: `${GH_DOCS}/rest`, status: "401" });
    if (installationOf) return githubInstallation(ctx, state, `${installationOf[1]}/${installationOf[2]}`.toLowerCase(), res);
    return githubAccessToken(ctx, state, Number(accessTokens![1]), body, res);
  }

  // Repository endpoints: an installation token covering the repository.
  const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/git\/.*)$/.exec(sub);
  if (!repoMatch) return ghNotFound(res);
  const repo = `${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}`.toLowerCase();
  const issued = credential ? state.tokens.get(credential) : undefined;
  if (!header) return send(res, 401, { message: "Requires authentication", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  if (!issued || issued.expiresAt < ctx.now().getTime() || !state.installations.get(issued.installationId)) {
    return send(res, 401, { message: "Bad credentials", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  }
  const installation = state.installations.get(issued.installationId)!;
  if (!issued.repos.has(repo) || !installation.repos.has(repo) || !state.branches.has(repo)) return ghNotFound(res);
  return gitDataApi(state, method, repo, repoMatch[3]!, body, res);
}

/** Why this is not a valid app JWT for our App (GitHub's wording), or null. */
async function appJwtProblem(state: GitState, credential: string | null): Promise<string | null> {
  if (!credential || !credential.startsWith("eyJ")) return "A JSON web token could not be decoded";
  try {
    const { payload } = await jwtVerify(credential, state.appPublicKey, { algorithms: ["RS256"], clockTolerance: 0, currentDate: state.now() });
    const now = Math.floor(state.now().getTime() / 1000);
    if (payload.iss !== FAKE_GITHUB_APP_ID) return "'Issuer' claim ('iss') must be an Integer";
    if (typeof payload.iat !== "number" || payload.iat > now + 60) return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
    if (typeof payload.exp !== "number" || payload.exp > now + 600) return "'Expiration time' claim ('exp') is too far in the future";
    if (payload.exp - payload.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
    return null;
  } catch (error) {
    const code = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "";
    if (code === "ERR_JWT_EXPIRED") return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    return "A JSON web token could not be decoded";
  }
}

function installationAnswer(ctx: Ctx, installation: GitInstallation) {
  const api = ctx.info.githubApiUrl;
  return {
    id: installation.id,
    client_id: "Iv23liFakeAtmosPro",
    account: { login: installation.account, id: installation.id * 10, type: "Organization", url: `${api}/users/${installation.account}` },
    repository_selection: "selected",
    access_tokens_url: `${api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${api}/installation/repositories`,
    html_url: `${ctx.info.githubUrl}/organizations/${installation.account}/settings/installations/${installation.id}`,
    app_id: Number(FAKE_GITHUB_APP_ID),
    app_slug: "atmos-pro-fake",
    target_id: installation.id * 10,
    target_type: "Organization",
    permissions: { contents: "write", metadata: "read" },
    events: ["push", "pull_request"],
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function githubInstallation(ctx: Ctx, state: GitState, repo: string, res: ServerResponse): void {
  if (state.faults.installation === "http_500") return send(res, 500, { message: "Server Error" });
  const installation = [...state.installations.values()].find((candidate) => candidate.repos.has(repo));
  if (!installation) return ghNotFound(res, "rest/apps/apps#get-a-repository-installation-for-the-authenticated-app");
  send(res, 200, installationAnswer(ctx, installation));
}

function githubAccessToken(ctx: Ctx, state: GitState, id: number, body: Record<string, unknown>, res: ServerResponse): void {
  const fault = state.faults.accessToken;
  if (fault === "http_500") return send(res, 500, { message: "Server Error" });
  const installation = state.installations.get(id);
  if (!installation) return ghNotFound(res, "rest/apps/apps#create-an-installation-access-token-for-an-app");
  const granted: Record<string, string> = { contents: "write", metadata: "read" };
  const permissions = body.permissions;
  if (fault === "permissions_not_granted" || (isRecord(permissions) && Object.entries(permissions).some(([name, level]) => granted[name] === undefined || (level === "write" && granted[name] !== "write")))) {
    return ghUnprocessable(res, "The permissions requested are not granted to this installation.");
  }
  let repos = new Set(installation.repos);
  if (body.repositories !== undefined) {
    const names = body.repositories;
    if (!Array.isArray(names) || names.some((name) => typeof name !== "string")) return ghUnprocessable(res, "Invalid request.\n\nFor 'properties/repositories', is not an array of strings.");
    const wanted = names.map((name: string) => `${installation.account}/${name}`.toLowerCase());
    if (wanted.some((repo) => !installation.repos.has(repo))) return ghUnprocessable(res, "There is at least one repository that does not exist or is not accessible to the parent installation.");
    repos = new Set(wanted);
  }
  const token = `ghs_${randomAlnum(36)}`;
  const expiresAt = ctx.now().getTime() + 3_600_000;
  state.tokens.set(token, { installationId: id, repos, expiresAt });
  const answer = {
    token,
    expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: isRecord(permissions) ? permissions : granted,
    repository_selection: "selected",
    repositories: [...repos].map((repo, index) => ({ id: 5000 + index, name: repo.split("/")[1], full_name: repo, private: true })),
  };
  if (fault === "timeout") return hold(ctx, res, () => send(res, 201, answer));
  send(res, 201, answer);
}

function refAnswer(repo: string, branch: string, sha: string) {
  return { ref: `refs/heads/${branch}`, node_id: Buffer.from(`REF_${repo}_${branch}`).toString("base64url"), url: `/repos/${repo}/git/refs/heads/${branch}`, object: { sha, type: "commit", url: `/repos/${repo}/git/commits/${sha}` } };
}

function commitAnswer(repo: string, sha: string, commit: GitCommitObject) {
  const bot = { name: "atmos-pro-fake[bot]", email: `${FAKE_GITHUB_APP_ID}+atmos-pro-fake[bot]@users.noreply.github.com`, date: commit.date };
  return {
    sha,
    node_id: Buffer.from(`C_${sha}`).toString("base64url"),
    url: `/repos/${repo}/git/commits/${sha}`,
    html_url: `/${repo}/commit/${sha}`,
    author: bot,
    committer: { name: "GitHub", email: "noreply@github.com", date: commit.date },
    tree: { sha: commit.tree, url: `/repos/${repo}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((parent) => ({ sha: parent, url: `/repos/${repo}/git/commits/${parent}`, html_url: `/${repo}/commit/${parent}` })),
    verification: { verified: true, reason: "valid", signature: null, payload: null, verified_at: commit.date },
  };
}

function gitDataApi(state: GitState, method: string, repo: string, sub: string, body: Record<string, unknown>, res: ServerResponse): void {
  const refs = state.branches.get(repo)!;
  const branchOf = (prefix: string) => (sub.startsWith(prefix) && sub.length > prefix.length ? sub.slice(prefix.length).split("/").map(decodeURIComponent).join("/") : null);

  const getRef = method === "GET" ? branchOf("/git/ref/heads/") : null;
  if (getRef !== null) {
    const sha = refs.get(getRef);
    return sha ? send(res, 200, refAnswer(repo, getRef, sha)) : ghNotFound(res, "rest/git/refs#get-a-reference");
  }

  const commitSha = method === "GET" ? /^\/git\/commits\/([0-9a-f]{40})$/.exec(sub)?.[1] : undefined;
  if (commitSha) {
    const commit = state.commits.get(commitSha);
    return commit ? send(res, 200, commitAnswer(repo, commitSha, commit)) : ghNotFound(res, "rest/git/commits#get-a-commit-object");
  }

  if (method === "POST" && sub === "/git/blobs") {
    if (state.faults.blobs === "http_500") return send(res, 500, { message: "Server Error" });
    const { content, encoding = "utf-8" } = body;
    if (typeof content !== "string") return ghUnprocessable(res, "Invalid request.\n\n\"content\" wasn't supplied.", "rest/git/blobs#create-a-blob");
    if (encoding !== "utf-8" && encoding !== "base64") return ghUnprocessable(res, `encoding must be utf-8 or base64`, "rest/git/blobs#create-a-blob");
    if (encoding === "base64" && !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(content)) {
      return ghUnprocessable(res, "content is not valid Base64", "rest/git/blobs#create-a-blob");
    }
    const sha = putBlob(state, Buffer.from(content, encoding === "base64" ? "base64" : "utf8"));
    if (state.faults.blobs === "wrong_shape") return send(res, 201, { id: sha });
    return send(res, 201, { sha, url: `/repos/${repo}/git/blobs/${sha}` });
  }

  if (method === "POST" && sub === "/git/trees") return createTree(state, repo, body, res);

  if (method === "POST" && sub === "/git/commits") {
    const { message, tree, parents = [] } = body;
    if (typeof message !== "string") return ghUnprocessable(res, "Invalid request.\n\n\"message\" wasn't supplied.", "rest/git/commits#create-a-commit");
    if (typeof tree !== "string" || !state.trees.has(tree)) return ghUnprocessable(res, "Tree SHA does not exist", "rest/git/commits#create-a-commit");
    if (!Array.isArray(parents) || parents.some((parent) => typeof parent !== "string" || !state.commits.has(parent))) {
      return ghUnprocessable(res, "Parent SHA does not exist or is not a commit object", "rest/git/commits#create-a-commit");
    }
    const commit: GitCommitObject = { tree, parents: parents as string[], message, date: state.now().toISOString().replace(/\.\d{3}Z$/, "Z") };
    const sha = putCommit(state, commit);
    return send(res, 201, commitAnswer(repo, sha, commit));
  }

  const patchRef = method === "PATCH" ? branchOf("/git/refs/heads/") : null;
  if (patchRef !== null) {
    const { sha, force = false } = body;
    const current = refs.get(patchRef);
    if (!current) return ghUnprocessable(res, "Reference does not exist", "rest/git/refs#update-a-reference");
    if (typeof sha !== "string" || !state.commits.has(sha)) return ghUnprocessable(res, "Object does not exist", "rest/git/refs#update-a-reference");
    let head = current;
    if (state.faults.updateRef === "race") {
      // Somebody else pushed first.
      const theirs = state.commits.get(current)!;
      head = putCommit(state, { tree: theirs.tree, parents: [current], message: "A concurrent push", date: state.now().toISOString().replace(/\.\d{3}Z$/, "Z") });
      refs.set(patchRef, head);
    }
    if (force !== true && !isAncestor(state, head, sha)) return ghUnprocessable(res, "Update is not a fast forward", "rest/git/refs#update-a-reference");
    refs.set(patchRef, sha);
    return send(res, 200, refAnswer(repo, patchRef, sha));
  }
  ghNotFound(res);
}

function createTree(state: GitState, repo: string, body: Record<string, unknown>, res: ServerResponse): void {
  const docs = "rest/git/trees#create-a-tree";
  const { base_tree: baseTree, tree } = body;
  let files = new Map<string, string>();
  if (baseTree !== undefined) {
    const base = typeof baseTree === "string" ? state.trees.get(baseTree) : undefined;
    if (!base) return ghUnprocessable(res, "base_tree is not a valid tree oid", docs);
    files = new Map(base);
  }
  if (!Array.isArray(tree)) return ghUnprocessable(res, "Invalid request.\n\n\"tree\" wasn't supplied.", docs);
  for (const entry of tree as unknown[]) {
    if (!isRecord(entry) || typeof entry.path !== "string" || entry.path === "") return ghUnprocessable(res, "Invalid tree info", docs);
    if (entry.mode !== "100644" && entry.mode !== "100755") return ghUnprocessable(res, `tree.mode ${String(entry.mode)} is not supported by this fake`, docs);
    if (entry.type !== "blob") return ghUnprocessable(res, `tree.type ${String(entry.type)} is not supported by this fake`, docs);
    const hasSha = "sha" in entry;
    const hasContent = "content" in entry;
    if (hasSha === hasContent) return ghUnprocessable(res, "Must supply either tree.sha or tree.content. Request will be rejected if both are present.", docs);
    if (hasContent) {
      if (typeof entry.content !== "string") return ghUnprocessable(res, "Invalid tree info", docs);
      files.set(entry.path, putBlob(state, Buffer.from(entry.content, "utf8")));
    } else if (entry.sha === null) {
      if (!files.has(entry.path)) return ghUnprocessable(res, "GitRPC::BadObjectState", docs);
      files.delete(entry.path);
    } else {
      if (typeof entry.sha !== "string" || !state.blobs.has(entry.sha)) return ghUnprocessable(res, `tree.sha ${String(entry.sha)} is not a valid blob`, docs);
      files.set(entry.path, entry.sha);
    }
  }
  const sha = putTree(state, files);
  send(res, 201, {
    sha,
    url: `/repos/${repo}/git/trees/${sha}`,
    tree: [...state.trees.get(sha)!].map(([path, blob]) => ({ path, mode: "100644", type: "blob", sha: blob, size: state.blobs.get(blob)?.length ?? 0, url: `/repos/${repo}/git/blobs/${blob}` })),
    truncated: false,
  });
}
