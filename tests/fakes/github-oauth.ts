/**
 * The fake GitHub OAuth app, as sign-in meets it:
 *
 *   GET  /github/login/oauth/authorize            302 back to redirect_uri with code & state (or an error)
 *   POST /github/login/oauth/access_token         code -> gho_ token; errors as HTTP 200 + `error` body, like GitHub
 *   GET  /github-api/user, /github-api/user/emails  Bearer (or `token`) auth, GitHub's shapes
 *
 * Steered by POST {controlUrl}/faults `{ github: GithubFaults }` and /identity `{ github }`
 * (tests/fakes/server.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerToken, hold, randomAlnum, send, sendHtml } from "./http";
import { answerAuthorize, authenticateClient, authorize, redeem } from "./oauth";
import type { Ctx, FakeIdentity } from "./server";

export type GithubFaults = {
  authorize?: "ok" | "deny";
  token?: "ok" | "http_400" | "http_500" | "timeout" | "non_json" | "error_200";
  user?: "ok" | "http_500" | "wrong_shape";
  emails?: "ok" | "http_500" | "wrong_shape" | "no_verified";
  issParam?: "none" | "correct" | "wrong";
};

export const DEFAULT_GITHUB_FAULTS: Required<GithubFaults> = {
  authorize: "ok",
  token: "ok",
  user: "ok",
  emails: "ok",
  issParam: "none",
};

export const GITHUB_FAULT_VALUES: { [K in keyof GithubFaults]-?: readonly NonNullable<GithubFaults[K]>[] } = {
  authorize: ["ok", "deny"],
  token: ["ok", "http_400", "http_500", "timeout", "non_json", "error_200"],
  user: ["ok", "http_500", "wrong_shape"],
  emails: ["ok", "http_500", "wrong_shape", "no_verified"],
  issParam: ["none", "correct", "wrong"],
};

// ---------------------------------------------------------------------------------------------
// Constants mirroring the real provider
// ---------------------------------------------------------------------------------------------

export const GH_DOCS = "https://docs.github.com";
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

// ---------------------------------------------------------------------------------------------
// GitHub (github.com)
// ---------------------------------------------------------------------------------------------

export function handleGithub(
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
      iss === "correct"
        ? { iss: `${ctx.info.githubUrl}/login/oauth` }
        : iss === "wrong"
          ? { iss: `${ctx.base}/not-github/login/oauth` }
          : {};
    return answerAuthorize(res, authorize(ctx, "github", url, GH_ACCESS_DENIED, extra));
  }
  if (method === "POST" && sub === "/login/oauth/access_token") return githubToken(ctx, req, form, res);
  send(res, 404, { error: "Not Found" });
}

function githubToken(ctx: Ctx, req: IncomingMessage, form: URLSearchParams | null, res: ServerResponse): void {
  const fault = ctx.githubFaults.token;
  if (fault === "http_400")
    return send(res, 400, { error: "invalid_request", error_description: "Fake fault: HTTP 400." });
  if (fault === "http_500")
    return sendHtml(
      res,
      500,
      "<!DOCTYPE html><html><body><h1>Unicorn!</h1><p>This page is taking too long to load.</p></body></html>",
    );
  if (fault === "non_json")
    return sendHtml(res, 200, "<!DOCTYPE html><html><head><title>GitHub</title></head><body>Not JSON</body></html>");
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
      answer =
        result.reason === "redirect_uri_mismatch"
          ? GH_TOKEN_ERRORS.redirect_uri_mismatch
          : GH_TOKEN_ERRORS.bad_verification_code;
    } else {
      const token = `gho_${randomAlnum(36)}`;
      const scope = result.grant.scope
        .split(/[\s,]+/)
        .filter(Boolean)
        .join(",");
      ctx.tokens.set(token, {
        provider: "github",
        scope,
        expiresAt: Number.POSITIVE_INFINITY,
        github: result.grant.github,
        oidc: result.grant.oidc,
      });
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
  res.writeHead(200, {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// GitHub REST API (api.github.com)
// ---------------------------------------------------------------------------------------------

export function handleGithubApi(
  ctx: Ctx,
  method: string,
  sub: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
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
  const headers = {
    "x-oauth-scopes": issued.scope.split(",").join(", "),
    "x-github-media-type": "github.v3; format=json",
  };
  const who = issued.github;

  if (sub === "/user") {
    const fault = ctx.githubFaults.user;
    if (fault === "http_500") return send(res, 500, { message: "Server Error" }, headers);
    if (fault === "wrong_shape")
      return send(res, 200, { id: "not-a-number", name: who.name, avatar_url: who.avatar_url }, headers);
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
