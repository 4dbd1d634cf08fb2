/**
 * Self-check of the fake providers: `npx tsx tests/fakes/self-check.ts`. Exercises every endpoint
 * and every fault over real HTTP — the token exchanges through arctic's OAuth2Client, the client
 * the app uses via remix-auth-oauth2 — and exits non-zero on the first failed expectation of any
 * check (all checks run). It also proves close() ends a held "timeout" response and lets the
 * process exit on its own.
 */
import { OAuth2Client, OAuth2RequestError, UnexpectedResponseError, generateCodeVerifier, CodeChallengeMethod } from "arctic";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { createHash } from "node:crypto";
import { HOLD_MS, startFakeProviders, type FakeProvidersInfo, type RecordedRequest } from "./providers";

const REDIRECT = "http://127.0.0.1:9/auth/callback";
const GH_SCOPES = ["read:user", "user:email"];

const watchdog = setTimeout(() => {
  console.error("self-check: still running after 60 s (something keeps the process alive)");
  process.exit(2);
}, 60_000);
watchdog.unref();

let failures = 0;
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await fn();
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures++;
    console.log(`FAIL  ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
async function rejects(promise: Promise<unknown>, test: (error: unknown) => boolean, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    expect(test(error), `${what}: unexpected error ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return error;
  }
  throw new Error(`${what}: expected a rejection`);
}
const errorCode = (error: unknown) => (error && typeof error === "object" && "code" in error ? (error as { code: unknown }).code : undefined);

const fakes = await startFakeProviders();
const f: FakeProvidersInfo = fakes;
const client = new OAuth2Client(f.clientId, f.clientSecret, REDIRECT);

async function control(path: string, body?: unknown): Promise<Response> {
  return fetch(`${f.controlUrl}${path}`, {
    method: body === undefined && path === "/requests" ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? (path === "/requests" ? undefined : "{}") : JSON.stringify(body),
  });
}
const reset = async () => equal((await control("/reset")).status, 200, "reset status");
const faults = async (body: unknown) => equal((await control("/faults", body)).status, 200, "faults status");
const requests = async () => (await (await control("/requests")).json()) as RecordedRequest[];

type Started = { code: string | null; state: string; verifier: string; location: URL; status: number };
/** Runs the authorization request the way the app does (PKCE S256) and follows nothing. */
async function startAuthorize(endpoint: string, scopes: string[], extra: Record<string, string> = {}, mutate?: (url: URL) => void): Promise<Started> {
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const verifier = generateCodeVerifier();
  const url = client.createAuthorizationURLWithPKCE(endpoint, state, CodeChallengeMethod.S256, verifier, scopes);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  mutate?.(url);
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  const location = new URL(response.headers.get("location") ?? "http://invalid.example/");
  return { code: location.searchParams.get("code"), state, verifier, location, status: response.status };
}
const ghAuthorize = (mutate?: (url: URL) => void) => startAuthorize(`${f.githubUrl}/login/oauth/authorize`, GH_SCOPES, {}, mutate);
const ghTokenUrl = () => `${f.githubUrl}/login/oauth/access_token`;

async function ghToken(): Promise<string> {
  const started = await ghAuthorize();
  expect(started.code, "no code");
  return (await client.validateAuthorizationCode(ghTokenUrl(), started.code, started.verifier)).accessToken();
}
async function rawTokenRequest(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

// ----------------------------------------------------------------------------------- GitHub
await reset();

await check("github authorize: 302 with code and state, no iss by default", async () => {
  const s = await ghAuthorize();
  equal(s.status, 302, "status");
  equal(s.location.origin + s.location.pathname, REDIRECT, "redirect target");
  expect(s.code && /^[0-9a-f]{20}$/.test(s.code), `code ${s.code}`);
  equal(s.location.searchParams.get("state"), s.state, "state");
  equal(s.location.searchParams.has("iss"), false, "iss present");
});

await check("github authorize: issParam correct / wrong", async () => {
  await faults({ github: { issParam: "correct" } });
  equal((await ghAuthorize()).location.searchParams.get("iss"), `${f.githubUrl}/login/oauth`, "correct iss");
  await faults({ github: { issParam: "wrong" } });
  const wrong = (await ghAuthorize()).location.searchParams.get("iss");
  expect(wrong && wrong !== `${f.githubUrl}/login/oauth`, `wrong iss ${wrong}`);
  await faults({ github: { issParam: "none" } });
});

await check("github authorize: deny redirects with access_denied and state", async () => {
  await faults({ github: { authorize: "deny" } });
  const s = await ghAuthorize();
  equal(s.status, 302, "status");
  equal(s.location.searchParams.get("error"), "access_denied", "error");
  expect(s.location.searchParams.get("error_description"), "error_description");
  equal(s.location.searchParams.get("state"), s.state, "state");
  equal(s.code, null, "code");
  await faults({ github: { authorize: "ok" } });
});

await check("github authorize: refuses unknown client, bad redirect_uri, plain and missing PKCE", async () => {
  const unknown = await fetch(`${f.githubUrl}/login/oauth/authorize?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: "manual" });
  equal(unknown.status, 404, "unknown client status");
  const noRedirect = await fetch(`${f.githubUrl}/login/oauth/authorize?client_id=${f.clientId}&redirect_uri=javascript:alert(1)`, { redirect: "manual" });
  equal(noRedirect.status, 400, "bad redirect_uri status");
  const plain = await ghAuthorize((url) => url.searchParams.set("code_challenge_method", "plain"));
  equal(plain.location.searchParams.get("error"), "invalid_request", "plain error");
  const missing = await ghAuthorize((url) => {
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
  });
  equal(missing.location.searchParams.get("error"), "invalid_request", "missing PKCE error");
});

let ghAccessToken = "";
await check("github token via arctic (Basic auth): gho_ token, bearer, comma scopes", async () => {
  const s = await ghAuthorize();
  expect(s.code, "no code");
  const tokens = await client.validateAuthorizationCode(ghTokenUrl(), s.code, s.verifier);
  ghAccessToken = tokens.accessToken();
  expect(/^gho_[A-Za-z0-9]{36}$/.test(ghAccessToken), `token ${ghAccessToken}`);
  equal(tokens.tokenType(), "bearer", "token_type");
  equal(tokens.data, { access_token: ghAccessToken, token_type: "bearer", scope: "read:user,user:email" }, "body");
  // Single use: GitHub answers HTTP 200 with an error body, which arctic hands back as "tokens".
  const again = await client.validateAuthorizationCode(ghTokenUrl(), s.code, s.verifier);
  equal((again.data as { error?: string }).error, "bad_verification_code", "reused code");
});

await check("github token: client_secret_post accepted; bad secret, bad verifier, redirect mismatch refused", async () => {
  const post = await ghAuthorize();
  const ok = await rawTokenRequest(ghTokenUrl(), {
    grant_type: "authorization_code", code: post.code ?? "", redirect_uri: REDIRECT, code_verifier: post.verifier, client_id: f.clientId, client_secret: f.clientSecret,
  });
  equal(ok.status, 200, "status");
  expect(((await ok.json()) as { access_token?: string }).access_token?.startsWith("gho_"), "post creds token");

  const badSecret = await ghAuthorize();
  const r1 = await rawTokenRequest(ghTokenUrl(), { code: badSecret.code ?? "", redirect_uri: REDIRECT, code_verifier: badSecret.verifier }, { authorization: basic(f.clientId, "wrong") });
  equal(r1.status, 200, "bad secret status");
  equal(((await r1.json()) as { error: string }).error, "incorrect_client_credentials", "bad secret error");

  const badVerifier = await ghAuthorize();
  const r2 = await rawTokenRequest(ghTokenUrl(), { code: badVerifier.code ?? "", redirect_uri: REDIRECT, code_verifier: generateCodeVerifier() }, { authorization: basic(f.clientId, f.clientSecret) });
  equal(((await r2.json()) as { error: string }).error, "bad_verification_code", "bad verifier error");

  const mismatch = await ghAuthorize();
  const r3 = await rawTokenRequest(ghTokenUrl(), { code: mismatch.code ?? "", redirect_uri: "http://127.0.0.1:9/elsewhere", code_verifier: mismatch.verifier }, { authorization: basic(f.clientId, f.clientSecret) });
  equal(((await r3.json()) as { error: string }).error, "redirect_uri_mismatch", "mismatch error");
});

await check("github token: without Accept: application/json the answer is form-encoded (like GitHub)", async () => {
  const s = await ghAuthorize();
  const response = await fetch(ghTokenUrl(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(f.clientId, f.clientSecret) },
    body: new URLSearchParams({ code: s.code ?? "", redirect_uri: REDIRECT, code_verifier: s.verifier }).toString(),
  });
  expect(response.headers.get("content-type")?.startsWith("application/x-www-form-urlencoded"), "content-type");
  const body = new URLSearchParams(await response.text());
  expect(body.get("access_token")?.startsWith("gho_"), "access_token");
  equal(body.get("token_type"), "bearer", "token_type");
});

await check("github token faults: http_400, http_500, non_json, error_200", async () => {
  await faults({ github: { token: "http_400" } });
  let s = await ghAuthorize();
  await rejects(client.validateAuthorizationCode(ghTokenUrl(), s.code ?? "", s.verifier), (e) => e instanceof OAuth2RequestError, "http_400");
  await faults({ github: { token: "http_500" } });
  s = await ghAuthorize();
  await rejects(client.validateAuthorizationCode(ghTokenUrl(), s.code ?? "", s.verifier), (e) => e instanceof UnexpectedResponseError && e.status === 500, "http_500");
  await faults({ github: { token: "non_json" } });
  const html = await rawTokenRequest(ghTokenUrl(), {});
  equal(html.status, 200, "non_json status");
  expect(html.headers.get("content-type")?.startsWith("text/html"), "non_json content-type");
  s = await ghAuthorize();
  await rejects(client.validateAuthorizationCode(ghTokenUrl(), s.code ?? "", s.verifier), (e) => e instanceof UnexpectedResponseError, "non_json via arctic");
  await faults({ github: { token: "error_200" } });
  const e200 = await rawTokenRequest(ghTokenUrl(), {});
  equal(e200.status, 200, "error_200 status");
  equal(
    await e200.json(),
    {
      error: "bad_verification_code",
      error_description: "The code passed is incorrect or expired.",
      error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
    },
    "error_200 body",
  );
  await faults({ github: { token: "ok" } });
});

await check("github token fault timeout: the answer is held (client gives up after 1 s)", async () => {
  await faults({ github: { token: "timeout" } });
  const s = await ghAuthorize();
  const started = Date.now();
  await rejects(
    fetch(ghTokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: basic(f.clientId, f.clientSecret) },
      body: new URLSearchParams({ code: s.code ?? "", redirect_uri: REDIRECT, code_verifier: s.verifier }).toString(),
      signal: AbortSignal.timeout(1_000),
    }),
    (e) => e instanceof Error && e.name === "TimeoutError",
    "held",
  );
  expect(Date.now() - started >= 950, "answered too early");
  await faults({ github: { token: "ok" } });
});

await check("github api /user: GitHub's shape; 401 without or with a bad token", async () => {
  const headers = { authorization: `Bearer ${ghAccessToken}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
  const response = await fetch(`${f.githubApiUrl}/user`, { headers });
  equal(response.status, 200, "status");
  const user = (await response.json()) as Record<string, unknown>;
  for (const [key, value] of Object.entries({ id: 4242, login: "octo-dev", name: "Octo Dev", email: "octo@example.com", avatar_url: "https://avatars.example/4242", type: "User" })) {
    equal(user[key], value, `user.${key}`);
  }
  expect(typeof user.html_url === "string", "html_url");
  const legacy = await fetch(`${f.githubApiUrl}/user`, { headers: { authorization: `token ${ghAccessToken}` } });
  equal(legacy.status, 200, "`token` scheme");
  const none = await fetch(`${f.githubApiUrl}/user`);
  equal(none.status, 401, "no auth");
  const bad = await fetch(`${f.githubApiUrl}/user`, { headers: { authorization: "Bearer gho_nope" } });
  equal(bad.status, 401, "bad token status");
  equal(((await bad.json()) as { message: string }).message, "Bad credentials", "bad token message");
});

await check("github api /user faults: http_500, wrong_shape", async () => {
  const headers = { authorization: `Bearer ${ghAccessToken}` };
  await faults({ github: { user: "http_500" } });
  equal((await fetch(`${f.githubApiUrl}/user`, { headers })).status, 500, "http_500");
  await faults({ github: { user: "wrong_shape" } });
  const shape = (await (await fetch(`${f.githubApiUrl}/user`, { headers })).json()) as Record<string, unknown>;
  equal(shape.id, "not-a-number", "id");
  equal("login" in shape, false, "login present");
  await faults({ github: { user: "ok" } });
});

await check("github api /user/emails: primary verified + secondary unverified; faults", async () => {
  const headers = { authorization: `Bearer ${ghAccessToken}` };
  const emails = (await (await fetch(`${f.githubApiUrl}/user/emails`, { headers })).json()) as { email: string; primary: boolean; verified: boolean; visibility: unknown }[];
  equal(emails.length, 2, "count");
  equal(emails[0], { email: "octo@example.com", primary: true, verified: true, visibility: "private" }, "primary");
  equal([emails[1]?.primary, emails[1]?.verified], [false, false], "secondary");
  await faults({ github: { emails: "no_verified" } });
  const unverified = (await (await fetch(`${f.githubApiUrl}/user/emails`, { headers })).json()) as { verified: boolean }[];
  expect(unverified.every((e) => e.verified === false), "no_verified");
  await faults({ github: { emails: "wrong_shape" } });
  const wrong = (await (await fetch(`${f.githubApiUrl}/user/emails`, { headers })).json()) as Record<string, unknown>[];
  expect(!("email" in (wrong[0] ?? {})), "wrong_shape");
  await faults({ github: { emails: "http_500" } });
  equal((await fetch(`${f.githubApiUrl}/user/emails`, { headers })).status, 500, "http_500");
  await faults({ github: { emails: "ok" } });
  equal((await fetch(`${f.githubApiUrl}/user/emails`)).status, 401, "no auth");
});

await check("github: anything else is a 404 JSON (incl. /.well-known/openid-configuration)", async () => {
  const wellKnown = await fetch(`${f.githubUrl}/.well-known/openid-configuration`);
  equal(wellKnown.status, 404, "well-known");
  expect(wellKnown.headers.get("content-type")?.includes("json"), "json 404");
  equal((await fetch(`${f.githubApiUrl}/repos`)).status, 404, "api 404");
  equal((await fetch(`${f.githubUrl}/login/oauth/access_token`)).status, 404, "GET token endpoint");
});

await check("identity control: the next sign-in gets the new identity", async () => {
  equal((await control("/identity", { github: { id: 7, login: "someone", name: null } })).status, 200, "identity status");
  const token = await ghToken();
  const user = (await (await fetch(`${f.githubApiUrl}/user`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
  equal([user.id, user.login, user.name, user.email], [7, "someone", null, "octo@example.com"], "user");
  equal((await control("/identity", { github: { id: "7" } })).status, 400, "bad identity type");
  equal((await control("/identity", { gitlab: {} })).status, 400, "unknown provider");
  equal((await control("/faults", { github: { token: "sometimes" } })).status, 400, "bad fault value");
  equal((await control("/faults", { oidc: { nope: "ok" } })).status, 400, "unknown fault");
});

await check("request log: every request, 404s included, secrets redacted, authorization reduced to scheme", async () => {
  const log = await requests();
  expect(log.some((r) => r.path === "/github/.well-known/openid-configuration"), "well-known 404 logged");
  const token = log.find((r) => r.path === "/github/login/oauth/access_token" && r.headers.authorization === "Basic");
  expect(token, "token request with Basic logged");
  equal((token.body as Record<string, string>).code_verifier, "[present]", "code_verifier redacted");
  expect(log.some((r) => (r.body as Record<string, string> | null)?.client_secret === "[present]"), "client_secret redacted");
  const api = log.find((r) => r.path === "/github-api/user");
  equal(api?.headers.authorization, "Bearer", "bearer scheme");
  const authorize = log.find((r) => r.path === "/github/login/oauth/authorize");
  equal(authorize?.query.code_challenge_method, "S256", "query recorded");
  const text = JSON.stringify(log);
  expect(!text.includes(f.clientSecret), "client secret leaked into the log");
  expect(!text.includes(ghAccessToken), "access token leaked into the log");
  expect(!text.includes(Buffer.from(`${f.clientId}:${f.clientSecret}`).toString("base64")), "basic credentials leaked");
  expect(!log.some((r) => r.path.startsWith("/__control")), "control calls logged");
});

await check("reset: log emptied, faults and identities back to defaults", async () => {
  await faults({ github: { authorize: "deny" }, oidc: { jwks: "http_500" } });
  await reset();
  equal((await requests()).length, 0, "log length");
  const state = (await (await fetch(`${f.controlUrl}/state`)).json()) as { faults: unknown; identity: { github: { id: number } } };
  equal(state.faults, {
    github: { authorize: "ok", token: "ok", user: "ok", emails: "ok", issParam: "none" },
    oidc: { authorize: "ok", discovery: "ok", token: "ok", idToken: "ok", jwks: "ok" },
  }, "faults");
  equal(state.identity.github.id, 4242, "identity");
});

// ----------------------------------------------------------------------------------- OIDC
type Discovery = Record<string, unknown> & { issuer: string; authorization_endpoint: string; token_endpoint: string; jwks_uri: string; userinfo_endpoint: string };
const discoveryUrl = () => `${f.oidcIssuer}/.well-known/openid-configuration`;
let discovery: Discovery | null = null;

await check("oidc discovery: a real document", async () => {
  const response = await fetch(discoveryUrl());
  equal(response.status, 200, "status");
  discovery = (await response.json()) as Discovery;
  equal(discovery.issuer, f.oidcIssuer, "issuer");
  for (const key of ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"]) {
    expect(typeof discovery[key] === "string" && (discovery[key] as string).startsWith(f.oidcIssuer), key);
  }
  equal(discovery.response_types_supported, ["code"], "response_types_supported");
  equal(discovery.id_token_signing_alg_values_supported, ["RS256"], "algs");
  equal(discovery.code_challenge_methods_supported, ["S256"], "pkce");
  expect(Array.isArray(discovery.subject_types_supported) && Array.isArray(discovery.scopes_supported), "subject types / scopes");
});

await check("oidc discovery faults: http_500, invalid_json, missing_endpoints, issuer_mismatch", async () => {
  await faults({ oidc: { discovery: "http_500" } });
  equal((await fetch(discoveryUrl())).status, 500, "http_500");
  await faults({ oidc: { discovery: "invalid_json" } });
  await rejects((await fetch(discoveryUrl())).json(), (e) => e instanceof SyntaxError, "invalid_json");
  await faults({ oidc: { discovery: "missing_endpoints" } });
  const missing = (await (await fetch(discoveryUrl())).json()) as Record<string, unknown>;
  expect(!("token_endpoint" in missing) && !("jwks_uri" in missing), "endpoints still there");
  await faults({ oidc: { discovery: "issuer_mismatch" } });
  const mismatch = (await (await fetch(discoveryUrl())).json()) as Record<string, unknown>;
  expect(typeof mismatch.issuer === "string" && mismatch.issuer !== f.oidcIssuer, "issuer matches");
  await faults({ oidc: { discovery: "ok" } });
});

const oidcScopes = ["openid", "email", "profile"];
async function oidcAuthorize(nonce: string | null = "nonce-123", scopes = oidcScopes): Promise<Started> {
  expect(discovery, "no discovery document");
  return startAuthorize(discovery.authorization_endpoint, scopes, nonce === null ? {} : { nonce });
}
async function oidcTokens(nonce = "nonce-123") {
  expect(discovery, "no discovery document");
  const s = await oidcAuthorize(nonce);
  expect(s.code, `no code (${s.location})`);
  return client.validateAuthorizationCode(discovery.token_endpoint, s.code, s.verifier);
}
const verifyOptions = () => ({ issuer: f.oidcIssuer, audience: f.clientId, algorithms: ["RS256"], clockTolerance: 60, requiredClaims: ["exp", "iat", "sub"] });
const remoteJwks = () => createRemoteJWKSet(new URL(discovery?.jwks_uri ?? "http://invalid.example/"));

await check("oidc authorize: code + state; deny; missing openid scope refused", async () => {
  const ok = await oidcAuthorize();
  equal(ok.status, 302, "status");
  expect(ok.code, "code");
  equal(ok.location.searchParams.get("state"), ok.state, "state");
  await faults({ oidc: { authorize: "deny" } });
  const denied = await oidcAuthorize();
  equal([denied.location.searchParams.get("error"), denied.location.searchParams.get("state"), denied.code], ["access_denied", denied.state, null], "deny");
  await faults({ oidc: { authorize: "ok" } });
  const noOpenid = await oidcAuthorize("n", ["email"]);
  equal(noOpenid.location.searchParams.get("error"), "invalid_scope", "invalid_scope");
});

let oidcAccessToken = "";
await check("oidc token via arctic: RS256 id_token verifies against the JWKS with every claim", async () => {
  const tokens = await oidcTokens("nonce-abc");
  oidcAccessToken = tokens.accessToken();
  equal(tokens.tokenType(), "Bearer", "token_type");
  equal((tokens.data as { expires_in?: number }).expires_in, 3600, "expires_in");
  equal((tokens.data as { scope?: string }).scope, "openid email profile", "scope");
  const idToken = tokens.idToken();
  const header = decodeProtectedHeader(idToken);
  equal([header.alg, typeof header.kid], ["RS256", "string"], "header");
  const { payload } = await jwtVerify(idToken, remoteJwks(), verifyOptions());
  equal(
    [payload.iss, payload.sub, payload.aud, payload.nonce, payload.email, payload.email_verified, payload.name, payload.picture],
    [f.oidcIssuer, "oidc-user-1", f.clientId, "nonce-abc", "ada@corp.example", true, "Ada Corp", "https://pics.example/ada.png"],
    "claims",
  );
  const now = Math.floor(Date.now() / 1000);
  expect(payload.exp && payload.exp > now + 500 && payload.exp <= now + 601, `exp ${payload.exp}`);
  expect(payload.iat && Math.abs(payload.iat - now) < 5, "iat");
  const atHash = createHash("sha256").update(oidcAccessToken).digest().subarray(0, 16).toString("base64url");
  equal(payload.at_hash, atHash, "at_hash");
});

await check("oidc token errors: reused code, bad client (Basic -> 401), bad verifier", async () => {
  expect(discovery, "no discovery");
  const s = await oidcAuthorize();
  await client.validateAuthorizationCode(discovery.token_endpoint, s.code ?? "", s.verifier);
  const reused = await rejects(client.validateAuthorizationCode(discovery.token_endpoint, s.code ?? "", s.verifier), (e) => e instanceof OAuth2RequestError, "reuse");
  equal(errorCode(reused), "invalid_grant", "reuse code");
  const s2 = await oidcAuthorize();
  const badClient = new OAuth2Client(f.clientId, "wrong-secret", REDIRECT);
  const bad = await rejects(badClient.validateAuthorizationCode(discovery.token_endpoint, s2.code ?? "", s2.verifier), (e) => e instanceof OAuth2RequestError, "bad client");
  equal(errorCode(bad), "invalid_client", "bad client code");
  const s3 = await oidcAuthorize();
  const pkce = await rejects(client.validateAuthorizationCode(discovery.token_endpoint, s3.code ?? "", generateCodeVerifier()), (e) => e instanceof OAuth2RequestError, "pkce");
  equal(errorCode(pkce), "invalid_grant", "pkce code");
  const post = await oidcAuthorize();
  const postResponse = await rawTokenRequest(discovery.token_endpoint, {
    grant_type: "authorization_code", code: post.code ?? "", redirect_uri: REDIRECT, code_verifier: post.verifier, client_id: f.clientId, client_secret: f.clientSecret,
  });
  equal(postResponse.status, 200, "client_secret_post");
});

await check("oidc token faults: http_500, non_json", async () => {
  expect(discovery, "no discovery");
  await faults({ oidc: { token: "http_500" } });
  let s = await oidcAuthorize();
  await rejects(client.validateAuthorizationCode(discovery.token_endpoint, s.code ?? "", s.verifier), (e) => e instanceof UnexpectedResponseError && e.status === 500, "http_500");
  await faults({ oidc: { token: "non_json" } });
  s = await oidcAuthorize();
  await rejects(client.validateAuthorizationCode(discovery.token_endpoint, s.code ?? "", s.verifier), (e) => e instanceof UnexpectedResponseError, "non_json");
  await faults({ oidc: { token: "ok" } });
});

await check("oidc token fault timeout: held beyond the client's 1 s", async () => {
  expect(discovery, "no discovery");
  await faults({ oidc: { token: "timeout" } });
  const s = await oidcAuthorize();
  await rejects(
    fetch(discovery.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic(f.clientId, f.clientSecret) },
      body: new URLSearchParams({ grant_type: "authorization_code", code: s.code ?? "", redirect_uri: REDIRECT, code_verifier: s.verifier }).toString(),
      signal: AbortSignal.timeout(1_000),
    }),
    (e) => e instanceof Error && e.name === "TimeoutError",
    "held",
  );
  await faults({ oidc: { token: "ok" } });
});

await check("oidc id_token faults: each breaks exactly its check", async () => {
  const jwks = (await (await fetch(discovery?.jwks_uri ?? "")).json()) as JSONWebKeySet;
  const local = createLocalJWKSet(jwks);
  const expectFailure = async (fault: string, code: string) => {
    await faults({ oidc: { idToken: fault } });
    const idToken = (await oidcTokens()).idToken();
    const error = await rejects(jwtVerify(idToken, local, verifyOptions()), () => true, fault);
    equal(errorCode(error), code, `${fault} error code`);
  };
  await expectFailure("bad_signature", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  await expectFailure("unknown_kid", "ERR_JWKS_NO_MATCHING_KEY");
  await expectFailure("wrong_iss", "ERR_JWT_CLAIM_VALIDATION_FAILED");
  await expectFailure("wrong_aud", "ERR_JWT_CLAIM_VALIDATION_FAILED");
  await expectFailure("expired", "ERR_JWT_EXPIRED");

  await faults({ oidc: { idToken: "bad_signature" } });
  const badSig = (await oidcTokens()).idToken();
  equal(decodeProtectedHeader(badSig).kid, jwks.keys[0]?.kid, "bad_signature keeps the kid");

  await faults({ oidc: { idToken: "wrong_nonce" } });
  const { payload } = await jwtVerify((await oidcTokens("nonce-xyz")).idToken(), local, verifyOptions());
  expect(typeof payload.nonce === "string" && payload.nonce !== "nonce-xyz", `nonce ${String(payload.nonce)}`);
  await faults({ oidc: { idToken: "ok" } });
  const good = await jwtVerify((await oidcTokens("nonce-ok")).idToken(), local, verifyOptions());
  equal(good.payload.nonce, "nonce-ok", "ok again");
});

await check("oidc jwks: public keys only; http_500 fault", async () => {
  const jwks = (await (await fetch(discovery?.jwks_uri ?? "")).json()) as JSONWebKeySet;
  equal(jwks.keys.length, 1, "one key");
  const key = jwks.keys[0] as Record<string, unknown>;
  equal([key.kty, key.alg, key.use], ["RSA", "RS256", "sig"], "key metadata");
  expect(!("d" in key) && !("p" in key), "private parts exposed");
  await faults({ oidc: { jwks: "http_500" } });
  equal((await fetch(discovery?.jwks_uri ?? "")).status, 500, "http_500");
  await faults({ oidc: { jwks: "ok" } });
});

await check("oidc userinfo: claims with Bearer, 401 otherwise; 404 elsewhere", async () => {
  expect(discovery, "no discovery");
  const response = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${oidcAccessToken}` } });
  equal(await response.json(), { sub: "oidc-user-1", email: "ada@corp.example", email_verified: true, name: "Ada Corp", picture: "https://pics.example/ada.png" }, "claims");
  const none = await fetch(discovery.userinfo_endpoint);
  equal(none.status, 401, "no token");
  expect(none.headers.get("www-authenticate")?.startsWith("Bearer"), "www-authenticate");
  equal((await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${ghAccessToken}` } })).status, 401, "github token refused");
  equal((await fetch(`${f.oidcIssuer}/nope`)).status, 404, "404");
});

await check("oidc identity control", async () => {
  await control("/identity", { oidc: { sub: "other-sub", email: "grace@corp.example" } });
  const { payload } = await jwtVerify((await oidcTokens()).idToken(), remoteJwks(), verifyOptions());
  equal([payload.sub, payload.email, payload.name], ["other-sub", "grace@corp.example", "Ada Corp"], "claims");
  await reset();
});

// ----------------------------------------------------------------------------------- close
await check(`close(): ends a held response at once (not after ${HOLD_MS / 1000} s) and frees the port`, async () => {
  await faults({ github: { token: "timeout" } });
  const s = await ghAuthorize();
  const held = fetch(ghTokenUrl(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: basic(f.clientId, f.clientSecret) },
    body: new URLSearchParams({ code: s.code ?? "", redirect_uri: REDIRECT, code_verifier: s.verifier }).toString(),
  }).then(
    () => "answered",
    () => "ended",
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await fakes.close();
  equal(await held, "ended", "held request outcome");
  expect(Date.now() - started < 2_000, `close took ${Date.now() - started} ms`);
  await rejects(fetch(discoveryUrl()), () => true, "still listening");
  await fakes.close(); // idempotent
  const port = Number(new URL(f.controlUrl).port);
  const again = await startFakeProviders({ port });
  equal(new URL(again.controlUrl).port, String(port), "fixed port");
  expect(again.githubUrl.startsWith("http://127.0.0.1:"), "127.0.0.1 only");
  await again.close();
});

console.log(failures === 0 ? "\nself-check: all checks passed" : `\nself-check: ${failures} check(s) FAILED`);
process.exitCode = failures === 0 ? 0 : 1;
