/**
 * Local fake identity providers for tests: a GitHub OAuth app (github.com + api.github.com), an
 * OpenID Connect provider, a GitHub Actions OIDC issuer and a GitHub App, speaking the real HTTP of
 * each, on one node:http server bound to 127.0.0.1. Integration tests (inside workerd) and browser
 * e2e tests reach them over http://127.0.0.1:<port>; tests steer them through plain-JSON control
 * endpoints:
 *
 *   POST {controlUrl}/faults    { github?: GithubFaults, oidc?: OidcFaults }     merged into the current faults
 *   POST {controlUrl}/identity  { github?: Partial<...>, oidc?: Partial<...> }  merged into the current identities
 *                               (oidc: a null email, email_verified, name or preferred_username leaves that claim out)
 *   POST {controlUrl}/reset     faults, identities, codes, tokens and the request log back to defaults
 *   GET  {controlUrl}/requests  every provider request received since the last reset (control calls excluded)
 *   GET  {controlUrl}/state     the current faults and identities
 *   POST {controlUrl}/actions-token  a GitHub Actions OIDC token (tests/fakes/actions-oidc.ts)
 *   GET|POST {controlUrl}/git…  the GitHub App's state (tests/fakes/github-app.ts)
 *
 * Paths served, one module per provider:
 *   /github/login/oauth/…, /github-api/user…      GitHub OAuth + its REST user API  tests/fakes/github-oauth.ts
 *   /oidc/…                                       the OpenID Connect provider        tests/fakes/oidc.ts
 *   /actions/.well-known/jwks                     the GitHub Actions OIDC issuer     tests/fakes/actions-oidc.ts
 *   /github-api/app/…, /github-api/repos/…,      our GitHub App: installations,
 *   /github-api/installation/repositories     tests/fakes/github-app.ts
 *                                                 tokens, the Git Data API
 * What the two OAuth servers share (the registered client, PKCE, single-use codes) is in
 * tests/fakes/oauth.ts; small HTTP helpers in tests/fakes/http.ts.
 *
 * Nothing is ever written to the console.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createPublicKey } from "node:crypto";
import { exportJWK, generateKeyPair, importPKCS8, importSPKI, type CryptoKey, type JWK } from "jose";
import type { Clock } from "../../app/clock";
import { actionsJwks, mintActionsToken } from "./actions-oidc";
import { createGitState, FAKE_GITHUB_APP_ID, gitControl, handleGithubApp } from "./github-app";
import {
  DEFAULT_GITHUB_FAULTS,
  GITHUB_FAULT_VALUES,
  handleGithub,
  handleGithubApi,
  type GithubFaults,
} from "./github-oauth";
import { clone, isRecord, readBody, send } from "./http";
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, type Grant, type IssuedToken } from "./oauth";
import { DEFAULT_OIDC_FAULTS, handleOidc, KID, OIDC_FAULT_VALUES, type OidcFaults } from "./oidc";

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export type FakeIdentity = {
  github: { id: number; login: string; name: string | null; email: string; avatar_url: string };
  oidc: {
    sub: string;
    email: string | null;
    email_verified: boolean | null;
    name: string | null;
    preferred_username: string | null;
    picture: string;
  };
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

export const DEFAULT_IDENTITY: FakeIdentity = {
  github: {
    id: 4242,
    login: "octo-dev",
    name: "Octo Dev",
    email: "octo@example.com",
    avatar_url: "https://avatars.example/4242",
  },
  oidc: {
    sub: "oidc-user-1",
    email: "ada@corp.example",
    email_verified: true,
    name: "Ada Corp",
    preferred_username: null,
    picture: "https://pics.example/ada.png",
  },
};

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

type Keys = { privateKey: CryptoKey; publicJwk: JWK; roguePrivateKey: CryptoKey };

export type Ctx = {
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

/** An RS256 key pair from its private half (PKCS#8 PEM). */
async function keyPairFromPem(pem: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const publicPem = createPublicKey(pem).export({ type: "spki", format: "pem" }).toString();
  return { privateKey: await importPKCS8(pem, "RS256"), publicKey: await importSPKI(publicPem, "RS256") };
}

export async function startFakeProviders(
  options: {
    port?: number;
    now?: Clock;
    /** The GitHub App's private key (PKCS#1 PEM) to keep across restarts; a new one by default. */
    githubAppPrivateKey?: string;
    /** Where the GitHub App's ids (runs, check runs, comments) start counting, so that a restart never reuses one. */
    firstGithubId?: number;
    /** The key ID tokens and Actions OIDC tokens are signed with (PKCS#8 PEM), to keep across restarts. */
    signingKey?: string;
  } = {},
): Promise<FakeProvidersInfo & { close(): Promise<void> }> {
  const [main, rogue] = await Promise.all([
    options.signingKey ? keyPairFromPem(options.signingKey) : generateKeyPair("RS256"),
    generateKeyPair("RS256"),
  ]);
  const publicJwk = { ...(await exportJWK(main.publicKey)), kid: KID, alg: "RS256", use: "sig" };

  const sockets = new Set<Socket>();
  const ctx: Ctx = {
    base: "",
    info: {
      githubUrl: "",
      githubApiUrl: "",
      oidcIssuer: "",
      actionsIssuer: "",
      controlUrl: "",
      clientId: FAKE_CLIENT_ID,
      clientSecret: FAKE_CLIENT_SECRET,
      githubAppId: FAKE_GITHUB_APP_ID,
      githubAppPrivateKey: "",
    },
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
  const githubApp = createGitState(ctx, options.githubAppPrivateKey, options.firstGithubId);

  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, 500, {
        error: "fake_provider_internal_error",
        message: error instanceof Error ? error.message : String(error),
      });
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

  if (path === "/github" || path.startsWith("/github/"))
    return handleGithub(ctx, method, path.slice("/github".length), url, req, form, res);
  if (
    path.startsWith("/github-api/app/") ||
    path.startsWith("/github-api/repos/") ||
    path === "/github-api/installation/repositories"
  )
    return handleGithubApp(ctx, method, path.slice("/github-api".length), req, raw, res, url.searchParams);
  if (path === "/github-api" || path.startsWith("/github-api/"))
    return handleGithubApi(ctx, method, path.slice("/github-api".length), req, res);
  if (path === "/oidc" || path.startsWith("/oidc/"))
    return handleOidc(ctx, method, path.slice("/oidc".length), url, req, form, res);
  if (method === "GET" && path === "/actions/.well-known/jwks") return actionsJwks(ctx, res);
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
      (error: unknown) =>
        send(res, 400, {
          error: "invalid_control_body",
          message: error instanceof Error ? error.message : String(error),
        }),
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
  send(res, 404, {
    error: "not_found",
    message: "control endpoints: POST /faults, POST /identity, POST /reset, GET /requests, GET /state",
  });
}

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
      if (typeof value !== "string" || !values.includes(value))
        return `${name}.${key} must be one of ${values.join(", ")}`;
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
// Request recording (GET {controlUrl}/requests)
// ---------------------------------------------------------------------------------------------

function redactParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = SECRET_FIELDS.has(key) ? "[present]" : value;
  return out;
}

function record(
  req: IncomingMessage,
  url: URL,
  raw: string,
  form: URLSearchParams | null,
  contentType: string,
): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    headers[name.toLowerCase()] =
      name === "authorization" || name === "proxy-authorization" ? (text.trim().split(/\s+/)[0] ?? "") : text;
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
