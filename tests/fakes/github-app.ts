/**
 * The fake GitHub App (api.github.com): installations, installation tokens, the Git Data API.
 *
 *   GET   /github-api/repos/:o/:r/installation               app JWT → the installation covering the repository
 *   POST  /github-api/app/installations/:id/access_tokens    app JWT → ghs_ token (1 h), optionally narrowed
 *                                                            to `repositories` and `permissions`
 *   GET   /github-api/installation/repositories              installation token → the repositories it can
 *                                                            see (`per_page` ≤ 100, `page`, a Link header)
 *   GET   /github-api/repos/:o/:r/git/ref/heads/:branch      \
 *   GET   /github-api/repos/:o/:r/git/commits/:sha            |
 *   POST  /github-api/repos/:o/:r/git/blobs                   |  installation token (Bearer or `token`)
 *   POST  /github-api/repos/:o/:r/git/trees                   |  covering the repository
 *   POST  /github-api/repos/:o/:r/git/commits                 |
 *   PATCH /github-api/repos/:o/:r/git/refs/heads/:branch      /  fast-forward only unless `force`
 *   GET   /github-api/repos/:o/:r/commits/:ref                Contents: read → the commit a tag, branch or sha
 *                                                            names (422 "No commit found" otherwise)
 *   POST  /github-api/repos/:o/:r/actions/workflows/:f/dispatches   Actions: write → starts a run; 200 with
 *                                                            {workflow_run_id, html_url} when return_run_details
 *   GET   /github-api/repos/:o/:r/actions/runs[/:id]          Actions: read (`head_sha` filters)
 *   POST  /github-api/repos/:o/:r/check-runs, PATCH …/:id     Checks: write
 *   GET|POST /github-api/repos/:o/:r/issues/:n/comments       Pull requests: read | write
 *   PATCH /github-api/repos/:o/:r/issues/comments/:id          Pull requests: write
 *
 * The app JWT is verified against the public half of the key handed out as `githubAppPrivateKey`
 * (PKCS#1 PEM, as GitHub's download): RS256, iss = `githubAppId`, exp at most 10 minutes ahead.
 * Like GitHub, these routes refuse a request without User-Agent (403) and an unknown
 * X-GitHub-Api-Version (400). Blob shas are git's (sha1 of "blob <size>\0<bytes>"); trees are flat
 * (path → blob) with a deterministic sha, so identical contents give the same tree sha.
 *
 * Control (separate from /reset, so other test files resetting the OAuth fakes never touch it):
 *   GET  {controlUrl}/git         { installations, branches: {repo: {branch: {sha, message, parents, files: {path: utf8}}}},
 *                                   installationTokens, issuedTokens: [{installationId, repositories, permissions}],
 *                                   faults, requests, dispatches, runs, checkRuns, comments }
 *   POST {controlUrl}/git         { faults?: GitFaults, installed?: {"owner/repo": boolean}, runs?: {"<id>": {status, conclusion?}},
 *                                   installations?: {"<id>": {account, repositories: [{id, name}]}},
 *                                   tags?: {"owner/repo": {"<tag>": "<commit sha>"}},
 *                                   deletedComments?: [id] (as someone deleting them on GitHub) }  merged
 *                                   (an installation given is GitHub's truth for it from then on)
 *   POST {controlUrl}/git/reset   installations, repositories (branch main: README.md + old.txt), tokens, faults, requests
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { jwtVerify } from "jose";
import type { Clock } from "../../app/clock";
import { GH_DOCS } from "./github-oauth";
import { bearerToken, hold, isRecord, randomAlnum, send, sendText } from "./http";
import type { Ctx } from "./server";

export const FAKE_GITHUB_APP_ID = "424242";

export type GitFaults = {
  installation?: "ok" | "http_500";
  accessToken?: "ok" | "http_500" | "timeout" | "permissions_not_granted";
  /** GET /installation/repositories. */
  listRepositories?: "ok" | "http_500";
  blobs?: "ok" | "http_500" | "wrong_shape";
  /** "race": another push lands on the branch just before our ref update (which is then not a fast forward). */
  updateRef?: "ok" | "race";
  /**
   * POST …/actions/workflows/:file/dispatches: "no_content" answers 204 without the run (older
   * servers); "http_500", "rate_limited" (429, Retry-After: 1), "secondary_rate_limit" (403, Retry-After: 1)
   * refuse it; "timeout" starts the run but answers too late; "lost" answers 204 and starts nothing
   * (as when the workflow file does not accept workflow_dispatch on that ref).
   */
  dispatch?: "ok" | "no_content" | "http_500" | "rate_limited" | "secondary_rate_limit" | "timeout" | "lost";
  /** POST and PATCH …/check-runs. */
  checkRuns?: "ok" | "http_500";
};
const GIT_FAULT_VALUES: { [K in keyof GitFaults]-?: readonly NonNullable<GitFaults[K]>[] } = {
  installation: ["ok", "http_500"],
  accessToken: ["ok", "http_500", "timeout", "permissions_not_granted"],
  listRepositories: ["ok", "http_500"],
  blobs: ["ok", "http_500", "wrong_shape"],
  updateRef: ["ok", "race"],
  dispatch: ["ok", "no_content", "http_500", "rate_limited", "secondary_rate_limit", "timeout", "lost"],
  checkRuns: ["ok", "http_500"],
};
const DEFAULT_GIT_FAULTS: Required<GitFaults> = {
  installation: "ok",
  accessToken: "ok",
  listRepositories: "ok",
  blobs: "ok",
  updateRef: "ok",
  dispatch: "ok",
  checkRuns: "ok",
};

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
type GitInstallation = {
  id: number;
  account: string;
  /** "owner/repo" (lower case) it covers. */
  repos: Set<string>;
  /** GitHub's repository ids ("owner/repo" → id), for GET /installation/repositories. */
  ids: Map<string, number>;
};
type GitToken = {
  installationId: number;
  /** The repositories it was narrowed to; null: whatever the installation covers when it is used (as GitHub's). */
  repos: Set<string> | null;
  expiresAt: number;
  /** What the token was narrowed to (null: everything the installation grants). */
  permissions: Record<string, string> | null;
};
/** A workflow run, as a dispatch started it; `display_title` carries the run-name (our job id in it). */
type GitRun = {
  id: number;
  repo: string;
  workflow: string;
  ref: string;
  headSha: string;
  displayTitle: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
};
export type GitCheckRun = {
  id: number;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  detailsUrl: string | null;
  externalId: string | null;
  /** How many times it was written (created = 1). */
  writes: number;
};
export type GitComment = { id: number; repo: string; number: number; body: string; writes: number };
export type GitDispatch = {
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
  runId: number;
};
type GitState = {
  appPublicKey: KeyObject;
  installations: Map<number, GitInstallation>;
  /** "owner/repo" (lower case) → branch → commit sha. */
  branches: Map<string, Map<string, string>>;
  /** "owner/repo" (lower case) → tag → the commit it names (tags are peeled: annotated or not, as GitHub resolves them). */
  tags: Map<string, Map<string, string>>;
  blobs: Map<string, Buffer>;
  /** Flat trees: path → blob sha. */
  trees: Map<string, Map<string, string>>;
  commits: Map<string, GitCommitObject>;
  tokens: Map<string, GitToken>;
  faults: Required<GitFaults>;
  requests: GitRecordedRequest[];
  /** Workflow runs started by dispatches, by run id. */
  runs: Map<number, GitRun>;
  /** Every dispatch GitHub accepted, in order. */
  dispatches: GitDispatch[];
  checkRuns: Map<number, GitCheckRun>;
  comments: Map<number, GitComment>;
  counter: number;
  now: Clock;
};

const GIT_INSTALLATIONS: Array<{ id: number; account: string; repos: string[] }> = [
  { id: 1001, account: "acme", repos: ["acme/infra"] },
  { id: 1002, account: "org", repos: ["org/repo"] },
];

const gitStates = new WeakMap<Ctx, GitState>();

/** The App's key pair (a new one unless given); the private half is what `githubAppPrivateKey` hands out. */
export function createGitState(ctx: Ctx, privateKeyPem?: string, firstId = 0): { privateKeyPem: string } {
  const { publicKey, privateKey } = privateKeyPem
    ? { privateKey: createPrivateKey(privateKeyPem), publicKey: createPublicKey(privateKeyPem) }
    : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const state: GitState = {
    appPublicKey: publicKey,
    installations: new Map(),
    branches: new Map(),
    tags: new Map(),
    blobs: new Map(),
    trees: new Map(),
    commits: new Map(),
    tokens: new Map(),
    faults: { ...DEFAULT_GIT_FAULTS },
    requests: [],
    runs: new Map(),
    dispatches: [],
    checkRuns: new Map(),
    comments: new Map(),
    counter: firstId,
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
  state.tags.clear();
  state.blobs.clear();
  state.trees.clear();
  state.commits.clear();
  state.tokens.clear();
  state.faults = { ...DEFAULT_GIT_FAULTS };
  state.requests.length = 0;
  state.runs.clear();
  state.dispatches.length = 0;
  state.checkRuns.clear();
  state.comments.clear();
  for (const installation of GIT_INSTALLATIONS) {
    state.installations.set(installation.id, {
      id: installation.id,
      account: installation.account,
      repos: new Set(installation.repos),
      ids: new Map(installation.repos.map((repo, index) => [repo, installation.id * 1000 + index + 1])),
    });
    for (const repo of installation.repos) initialCommit(state, repo);
  }
}

/** A repository's `main` with its first commit (README.md + old.txt), as every repository the fake knows has. */
function initialCommit(state: GitState, repo: string): void {
  const files = new Map<string, string>([
    ["README.md", putBlob(state, Buffer.from(`# ${repo}\n`))],
    ["old.txt", putBlob(state, Buffer.from("this file is about to go\n"))],
  ]);
  const commit = putCommit(state, {
    tree: putTree(state, files),
    parents: [],
    message: "Initial commit",
    date: "2026-01-01T00:00:00Z",
  });
  state.branches.set(repo, new Map([["main", commit]]));
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
  const sha = sha1(
    `commit\0tree ${commit.tree}\n${commit.parents.map((p) => `parent ${p}\n`).join("")}date ${commit.date} ${state.counter}\n\n${commit.message}`,
  );
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

export function gitControl(ctx: Ctx, method: string, sub: string, raw: string, res: ServerResponse): void {
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
  for (const key of Object.keys(body))
    if (!["faults", "installed", "installations", "runs", "tags", "deletedComments"].includes(key))
      return `unknown field "${key}"`;
  const { faults, installed, installations, runs, tags, deletedComments } = body;
  if (deletedComments !== undefined) {
    if (!Array.isArray(deletedComments) || !deletedComments.every((id) => state.comments.has(Number(id))))
      return "deletedComments must list ids of comments the fake holds";
  }
  if (tags !== undefined) {
    if (!isRecord(tags)) return "tags must be an object";
    for (const [repo, named] of Object.entries(tags)) {
      if (!isRecord(named)) return `tags.${repo} must be {"<tag>": "<commit sha>"}`;
      for (const [tag, sha] of Object.entries(named))
        if (typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha)) return `tags.${repo}.${tag} must be a commit sha`;
    }
  }
  if (runs !== undefined) {
    if (!isRecord(runs)) return "runs must be an object";
    for (const [id, value] of Object.entries(runs)) {
      if (!state.runs.has(Number(id))) return `runs: no run ${id}`;
      if (!isRecord(value) || !["queued", "in_progress", "completed"].includes(String(value.status)))
        return `runs.${id} must be {status, conclusion?}`;
    }
  }
  const defined: GitInstallation[] = [];
  if (installations !== undefined) {
    if (!isRecord(installations)) return "installations must be an object";
    for (const [id, value] of Object.entries(installations)) {
      if (!/^[1-9][0-9]{0,9}$/.test(id)) return `installations: ${id} is not an installation id`;
      if (!isRecord(value) || typeof value.account !== "string" || !Array.isArray(value.repositories))
        return `installations.${id} must be {account, repositories: [{id, name}]}`;
      const repos = value.repositories as unknown[];
      if (!repos.every((repo) => isRecord(repo) && Number.isSafeInteger(repo.id) && typeof repo.name === "string"))
        return `installations.${id}.repositories must be [{id, name}]`;
      const names = (repos as Array<{ id: number; name: string }>).map(
        (repo) => [`${value.account as string}/${repo.name}`.toLowerCase(), repo.id] as const,
      );
      defined.push({
        id: Number(id),
        account: value.account,
        repos: new Set(names.map(([name]) => name)),
        ids: new Map(names),
      });
    }
  }
  if (faults !== undefined) {
    if (!isRecord(faults)) return "faults must be an object";
    for (const [key, value] of Object.entries(faults)) {
      const values = (GIT_FAULT_VALUES as Record<string, readonly string[]>)[key];
      if (!values) return `unknown fault ${key}`;
      if (typeof value !== "string" || !values.includes(value))
        return `faults.${key} must be one of ${values.join(", ")}`;
    }
  }
  if (installed !== undefined) {
    if (!isRecord(installed)) return "installed must be an object";
    for (const [repo, value] of Object.entries(installed)) {
      if (typeof value !== "boolean") return `installed.${repo} must be a boolean`;
      if (!GIT_INSTALLATIONS.some((installation) => installation.repos.includes(repo.toLowerCase())))
        return `unknown repository ${repo}`;
    }
  }
  if (faults) Object.assign(state.faults, faults);
  if (isRecord(runs))
    for (const [id, value] of Object.entries(
      runs as Record<string, { status: GitRun["status"]; conclusion?: string | null }>,
    ))
      Object.assign(state.runs.get(Number(id))!, { status: value.status, conclusion: value.conclusion ?? null });
  if (Array.isArray(deletedComments)) for (const id of deletedComments) state.comments.delete(Number(id));
  if (isRecord(tags))
    for (const [repo, named] of Object.entries(tags as Record<string, Record<string, string>>)) {
      const known = state.tags.get(repo.toLowerCase()) ?? new Map<string, string>();
      for (const [tag, sha] of Object.entries(named)) known.set(tag, sha);
      state.tags.set(repo.toLowerCase(), known);
    }
  for (const installation of defined) {
    state.installations.set(installation.id, installation);
    for (const repo of installation.repos) if (!state.branches.has(repo)) initialCommit(state, repo);
  }
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
  for (const installation of state.installations.values())
    for (const repo of installation.repos) installations[repo] = installation.id;
  const branches: Record<
    string,
    Record<string, { sha: string; message: string; parents: string[]; files: Record<string, string> }>
  > = {};
  for (const [repo, refs] of state.branches) {
    branches[repo] = {};
    for (const [branch, sha] of refs) {
      const commit = state.commits.get(sha)!;
      const files: Record<string, string> = {};
      for (const [path, blob] of state.trees.get(commit.tree) ?? [])
        files[path] = state.blobs.get(blob)?.toString("utf8") ?? "";
      branches[repo][branch] = { sha, message: commit.message, parents: commit.parents, files };
    }
  }
  return {
    installations,
    branches,
    installationTokens: [...state.tokens.keys()],
    issuedTokens: [...state.tokens.values()].map((issued) => ({
      installationId: issued.installationId,
      repositories: issued.repos ? [...issued.repos] : null,
      permissions: issued.permissions,
    })),
    faults: state.faults,
    requests: state.requests,
    dispatches: state.dispatches,
    runs: [...state.runs.values()],
    checkRuns: [...state.checkRuns.values()],
    comments: [...state.comments.values()],
  };
}

const ghNotFound = (res: ServerResponse, docs = "rest") =>
  send(res, 404, { message: "Not Found", documentation_url: `${GH_DOCS}/${docs}`, status: "404" });
const ghUnprocessable = (res: ServerResponse, message: string, docs = "rest") =>
  send(res, 422, { message, documentation_url: `${GH_DOCS}/${docs}`, status: "422" });

export async function handleGithubApp(
  ctx: Ctx,
  method: string,
  sub: string,
  req: IncomingMessage,
  raw: string,
  res: ServerResponse,
  query: URLSearchParams = new URLSearchParams(),
): Promise<void> {
  const state = gitState(ctx);
  const header = req.headers.authorization ?? "";
  const credential = bearerToken(req, /^(?:Bearer|token)\s+(\S+)\s*$/i);
  state.requests.push({
    method,
    path: sub,
    userAgent: req.headers["user-agent"] ?? null,
    accept: req.headers.accept ?? null,
    apiVersion: (req.headers["x-github-api-version"] as string | undefined) ?? null,
    auth: !header
      ? "none"
      : credential?.startsWith("eyJ")
        ? "jwt"
        : credential && state.tokens.has(credential)
          ? "installation_token"
          : "other",
  });

  if (!req.headers["user-agent"]) {
    return sendText(
      res,
      403,
      "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).",
    );
  }
  const version = req.headers["x-github-api-version"];
  if (version !== undefined && version !== "2022-11-28" && version !== "2026-03-10") {
    return send(res, 400, {
      message: `API version '${String(version)}' is not supported.`,
      documentation_url: `${GH_DOCS}/rest/overview/api-versions`,
      status: "400",
    });
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
    if (installationOf)
      return githubInstallation(ctx, state, `${installationOf[1]}/${installationOf[2]}`.toLowerCase(), res);
    return githubAccessToken(ctx, state, Number(accessTokens![1]), body, res);
  }

  // Installation endpoints: an installation token.
  const issued = credential ? state.tokens.get(credential) : undefined;
  if (!header)
    return send(res, 401, { message: "Requires authentication", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  if (!issued || issued.expiresAt < ctx.now().getTime() || !state.installations.get(issued.installationId)) {
    return send(res, 401, { message: "Bad credentials", documentation_url: `${GH_DOCS}/rest`, status: "401" });
  }
  const installation = state.installations.get(issued.installationId)!;
  if (sub === "/installation/repositories") {
    if (method !== "GET") return ghNotFound(res);
    return installationRepositories(ctx, state, installation, issued, query, res);
  }

  // Repository endpoints: the token must cover the repository.
  const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/(?:git\/|actions\/|check-runs|issues\/|commits\/).*)$/.exec(sub);
  if (!repoMatch) return ghNotFound(res);
  const repo = `${decodeURIComponent(repoMatch[1]!)}/${decodeURIComponent(repoMatch[2]!)}`.toLowerCase();
  if (!(issued.repos?.has(repo) ?? true) || !installation.repos.has(repo) || !state.branches.has(repo))
    return ghNotFound(res);
  if (repoMatch[3]!.startsWith("/check-runs") || repoMatch[3]!.startsWith("/issues/"))
    return checksAndComments(state, issued, method, repo, repoMatch[3]!, body, query, res);
  if (repoMatch[3]!.startsWith("/actions/"))
    return actionsApi(ctx, state, issued, method, repo, repoMatch[3]!, body, query, res);
  if (repoMatch[3]!.startsWith("/commits/")) {
    if (method !== "GET") return ghNotFound(res);
    if (!tokenAllows(issued, "contents", "read")) return notAccessible(res, "rest/commits/commits#get-a-commit");
    return commitOfRef(state, repo, decodeURIComponent(repoMatch[3]!.slice("/commits/".length)), res);
  }
  return gitDataApi(state, method, repo, repoMatch[3]!, body, res);
}

/** Whether a token may use `permission` at `level` (a token not narrowed has what the installation grants). */
const tokenAllows = (issued: GitToken, permission: string, level: "read" | "write") => {
  const granted = issued.permissions === null ? "write" : issued.permissions[permission];
  return granted === "write" || (level === "read" && granted === "read");
};

function runAnswer(ctx: Ctx, run: GitRun) {
  return {
    id: run.id,
    name: run.workflow,
    display_title: run.displayTitle,
    event: "workflow_dispatch",
    status: run.status,
    conclusion: run.conclusion,
    head_branch: run.ref,
    head_sha: run.headSha,
    path: `.github/workflows/${run.workflow}`,
    html_url: `${ctx.info.githubUrl}/${run.repo}/actions/runs/${run.id}`,
    url: `${ctx.info.githubApiUrl}/repos/${run.repo}/actions/runs/${run.id}`,
  };
}

/** GitHub's answer to a token without the permission a call needs. */
const notAccessible = (res: ServerResponse, docs: string) =>
  send(res, 403, {
    message: "Resource not accessible by integration",
    documentation_url: `${GH_DOCS}/${docs}`,
    status: "403",
  });

/** Check runs (Checks: write) and pull request comments (Pull requests: write), as GitHub validates them. */
function checksAndComments(
  state: GitState,
  issued: GitToken,
  method: string,
  repo: string,
  sub: string,
  body: Record<string, unknown>,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const refuse = () => notAccessible(res, "rest");
  const checkRunId = /^\/check-runs(?:\/(\d+))?$/.exec(sub);
  if (checkRunId && (method === "POST" || method === "PATCH")) {
    if (!tokenAllows(issued, "checks", "write")) return refuse();
    if (state.faults.checkRuns === "http_500") return send(res, 500, { message: "Server Error" });
    const existing = checkRunId[1] ? state.checkRuns.get(Number(checkRunId[1])) : undefined;
    if (method === "PATCH" && (!existing || existing.repo !== repo)) return ghNotFound(res, "rest/checks/runs");
    if (method === "POST" && (typeof body.name !== "string" || typeof body.head_sha !== "string"))
      return ghUnprocessable(res, 'Invalid request.\n\n"name" and "head_sha" are required.', "rest/checks/runs");
    const output = isRecord(body.output) ? body.output : {};
    if (typeof output.summary === "string" && output.summary.length > 65_535)
      return ghUnprocessable(
        res,
        "Invalid request.\n\nOnly 65535 characters are allowed; summary is too long.",
        "rest/checks/runs",
      );
    if (body.status === "completed" && typeof body.conclusion !== "string")
      return ghUnprocessable(
        res,
        'Invalid request.\n\n"conclusion" is required when status is completed.',
        "rest/checks/runs",
      );
    state.counter += 1;
    const run: GitCheckRun = existing ?? {
      id: 8_000_000_000 + state.counter,
      repo,
      name: String(body.name),
      headSha: String(body.head_sha),
      status: "queued",
      conclusion: null,
      title: "",
      summary: "",
      detailsUrl: null,
      externalId: null,
      writes: 0,
    };
    Object.assign(run, {
      name: typeof body.name === "string" ? body.name : run.name,
      status: typeof body.status === "string" ? body.status : run.status,
      conclusion: typeof body.conclusion === "string" ? body.conclusion : run.conclusion,
      title: typeof output.title === "string" ? output.title : run.title,
      summary: typeof output.summary === "string" ? output.summary : run.summary,
      detailsUrl: typeof body.details_url === "string" ? body.details_url : run.detailsUrl,
      externalId: typeof body.external_id === "string" ? body.external_id : run.externalId,
      writes: run.writes + 1,
    });
    state.checkRuns.set(run.id, run);
    return send(res, existing ? 200 : 201, {
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
    });
  }
  const listOrCreate = /^\/issues\/(\d+)\/comments$/.exec(sub);
  const edit = /^\/issues\/comments\/(\d+)$/.exec(sub);
  if ((listOrCreate && (method === "GET" || method === "POST")) || (edit && method === "PATCH")) {
    if (!tokenAllows(issued, "pull_requests", method === "GET" ? "read" : "write")) return refuse();
    if (method === "GET") {
      const perPage = Math.min(100, Number(query.get("per_page") ?? 30) || 30);
      const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
      const all = [...state.comments.values()].filter((c) => c.repo === repo && c.number === Number(listOrCreate![1]));
      return send(
        res,
        200,
        all
          .slice((page - 1) * perPage, page * perPage)
          .map((c) => ({ id: c.id, body: c.body, user: { login: "atmos-pro-fake[bot]" } })),
      );
    }
    if (typeof body.body !== "string" || body.body.length > 65_536)
      return ghUnprocessable(
        res,
        "Validation Failed: body is too long (maximum is 65536 characters)",
        "rest/issues/comments",
      );
    if (edit) {
      const comment = state.comments.get(Number(edit[1]));
      if (!comment || comment.repo !== repo) return ghNotFound(res, "rest/issues/comments");
      comment.body = body.body;
      comment.writes += 1;
      return send(res, 200, { id: comment.id, body: comment.body });
    }
    state.counter += 1;
    const comment: GitComment = {
      id: 9_000_000_000 + state.counter,
      repo,
      number: Number(listOrCreate![1]),
      body: body.body,
      writes: 1,
    };
    state.comments.set(comment.id, comment);
    return send(res, 201, { id: comment.id, body: comment.body });
  }
  ghNotFound(res);
}

/** GitHub Actions: workflow dispatches (Actions: write) and the runs they start (Actions: read). */
function actionsApi(
  ctx: Ctx,
  state: GitState,
  issued: GitToken,
  method: string,
  repo: string,
  sub: string,
  body: Record<string, unknown>,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const refuse = () => notAccessible(res, "rest/actions");
  const dispatch = method === "POST" ? /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(sub) : null;
  if (dispatch) {
    if (!tokenAllows(issued, "actions", "write")) return refuse();
    const fault = state.faults.dispatch;
    if (fault === "http_500") return send(res, 500, { message: "Server Error" });
    if (fault === "rate_limited") {
      res.setHeader("Retry-After", "1");
      return send(res, 429, {
        message: "API rate limit exceeded",
        documentation_url: `${GH_DOCS}/rest`,
        status: "429",
      });
    }
    if (fault === "secondary_rate_limit") {
      res.setHeader("Retry-After", "1");
      return send(res, 403, {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url: `${GH_DOCS}/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
        status: "403",
      });
    }
    const workflow = decodeURIComponent(dispatch[1]!);
    const { ref, inputs = {} } = body;
    if (!/\.ya?ml$/.test(workflow)) return ghNotFound(res, "rest/actions/workflows#create-a-workflow-dispatch-event");
    if (typeof ref !== "string" || ref === "")
      return ghUnprocessable(res, 'Invalid request.\n\n"ref" wasn\'t supplied.', "rest/actions/workflows");
    if (!isRecord(inputs) || Object.values(inputs).some((value) => typeof value !== "string"))
      return ghUnprocessable(
        res,
        "Invalid request.\n\nFor 'properties/inputs', values must be strings.",
        "rest/actions/workflows",
      );
    if (fault === "lost") {
      res.statusCode = 204;
      return void res.end();
    }
    state.counter += 1;
    const id = 7_000_000_000 + state.counter;
    const runId = String(inputs.atmos_pro_run_id ?? "");
    const run: GitRun = {
      id,
      repo,
      workflow,
      ref,
      headSha: typeof inputs.sha === "string" ? inputs.sha : (state.branches.get(repo)?.get(ref) ?? "0".repeat(40)),
      // The workflow's run-name: `${{ inputs.atmos_pro_run_id }}` in it, as our docs ask.
      displayTitle: `${workflow.replace(/\.ya?ml$/, "")} ${runId}`.trim(),
      status: "queued",
      conclusion: null,
    };
    state.runs.set(id, run);
    state.dispatches.push({ repo, workflow, ref, inputs, runId: id });
    const answer = {
      workflow_run_id: id,
      run_url: `${ctx.info.githubApiUrl}/repos/${repo}/actions/runs/${id}`,
      html_url: `${ctx.info.githubUrl}/${repo}/actions/runs/${id}`,
    };
    if (fault === "timeout") return hold(ctx, res, () => send(res, 200, answer));
    if (fault === "no_content" || body.return_run_details !== true) {
      res.statusCode = 204;
      return void res.end();
    }
    return send(res, 200, answer);
  }
  if (method === "GET" && sub === "/actions/runs") {
    if (!tokenAllows(issued, "actions", "read")) return refuse();
    const headSha = query.get("head_sha");
    const runs = [...state.runs.values()]
      .filter((run) => run.repo === repo && (!headSha || run.headSha === headSha))
      .sort((a, b) => b.id - a.id);
    return send(res, 200, { total_count: runs.length, workflow_runs: runs.map((run) => runAnswer(ctx, run)) });
  }
  const one = method === "GET" ? /^\/actions\/runs\/(\d+)$/.exec(sub) : null;
  if (one) {
    if (!tokenAllows(issued, "actions", "read")) return refuse();
    const run = state.runs.get(Number(one[1]));
    return run && run.repo === repo
      ? send(res, 200, runAnswer(ctx, run))
      : ghNotFound(res, "rest/actions/workflow-runs");
  }
  ghNotFound(res);
}

/** GET /installation/repositories: what the token can see, by name, in pages (GitHub's shape and Link header). */
function installationRepositories(
  ctx: Ctx,
  state: GitState,
  installation: GitInstallation,
  issued: GitToken,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  if (state.faults.listRepositories === "http_500") return send(res, 500, { message: "Server Error" });
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const visible = [...installation.repos].filter((repo) => issued.repos?.has(repo) ?? true).sort();
  const slice = visible.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(visible.length / perPage));
  const link = (n: number, rel: string) =>
    `<${ctx.base}/github-api/installation/repositories?per_page=${perPage}&page=${n}>; rel="${rel}"`;
  const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : [])];
  res.setHeader("Link", links.join(", "));
  send(res, 200, {
    total_count: visible.length,
    repository_selection: "selected",
    repositories: slice.map((fullName) => {
      const [owner, name] = fullName.split("/") as [string, string];
      return {
        id: installation.ids.get(fullName) ?? 0,
        node_id: `R_${fullName}`,
        name,
        full_name: fullName,
        owner: { login: owner, id: installation.id, type: "Organization" },
        private: true,
      };
    }),
  });
}

/** Why this is not a valid app JWT for our App (GitHub's wording), or null. */
async function appJwtProblem(state: GitState, credential: string | null): Promise<string | null> {
  if (!credential || !credential.startsWith("eyJ")) return "A JSON web token could not be decoded";
  try {
    const { payload } = await jwtVerify(credential, state.appPublicKey, {
      algorithms: ["RS256"],
      clockTolerance: 0,
      currentDate: state.now(),
    });
    const now = Math.floor(state.now().getTime() / 1000);
    if (payload.iss !== FAKE_GITHUB_APP_ID) return "'Issuer' claim ('iss') must be an Integer";
    if (typeof payload.iat !== "number" || payload.iat > now + 60)
      return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.";
    if (typeof payload.exp !== "number" || payload.exp > now + 600)
      return "'Expiration time' claim ('exp') is too far in the future";
    if (payload.exp - payload.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
    return null;
  } catch (error) {
    const code = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "";
    if (code === "ERR_JWT_EXPIRED")
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    return "A JSON web token could not be decoded";
  }
}

function installationAnswer(ctx: Ctx, installation: GitInstallation) {
  const api = ctx.info.githubApiUrl;
  return {
    id: installation.id,
    client_id: "Iv23liFakeAtmosPro",
    account: {
      login: installation.account,
      id: installation.id * 10,
      type: "Organization",
      url: `${api}/users/${installation.account}`,
    },
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

function githubAccessToken(
  ctx: Ctx,
  state: GitState,
  id: number,
  body: Record<string, unknown>,
  res: ServerResponse,
): void {
  const fault = state.faults.accessToken;
  if (fault === "http_500") return send(res, 500, { message: "Server Error" });
  const installation = state.installations.get(id);
  if (!installation) return ghNotFound(res, "rest/apps/apps#create-an-installation-access-token-for-an-app");
  // What our App's manifest asks for, all granted by the installation.
  const granted: Record<string, string> = {
    actions: "write",
    checks: "write",
    contents: "write",
    pull_requests: "write",
    metadata: "read",
  };
  const permissions = body.permissions;
  if (
    fault === "permissions_not_granted" ||
    (isRecord(permissions) &&
      Object.entries(permissions).some(
        ([name, level]) => granted[name] === undefined || (level === "write" && granted[name] !== "write"),
      ))
  ) {
    return ghUnprocessable(res, "The permissions requested are not granted to this installation.");
  }
  let repos: Set<string> | null = null;
  if (body.repositories !== undefined) {
    const names = body.repositories;
    if (!Array.isArray(names) || names.some((name) => typeof name !== "string"))
      return ghUnprocessable(res, "Invalid request.\n\nFor 'properties/repositories', is not an array of strings.");
    const wanted = names.map((name: string) => `${installation.account}/${name}`.toLowerCase());
    if (wanted.some((repo) => !installation.repos.has(repo)))
      return ghUnprocessable(
        res,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    repos = new Set(wanted);
  }
  const token = `ghs_${randomAlnum(36)}`;
  const expiresAt = ctx.now().getTime() + 3_600_000;
  state.tokens.set(token, {
    installationId: id,
    repos,
    expiresAt,
    permissions: isRecord(permissions) ? (permissions as Record<string, string>) : null,
  });
  const answer = {
    token,
    expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: isRecord(permissions) ? permissions : granted,
    repository_selection: "selected",
    repositories: [...(repos ?? installation.repos)].map((repo, index) => ({
      id: 5000 + index,
      name: repo.split("/")[1],
      full_name: repo,
      private: true,
    })),
  };
  if (fault === "timeout") return hold(ctx, res, () => send(res, 201, answer));
  send(res, 201, answer);
}

function refAnswer(repo: string, branch: string, sha: string) {
  return {
    ref: `refs/heads/${branch}`,
    node_id: Buffer.from(`REF_${repo}_${branch}`).toString("base64url"),
    url: `/repos/${repo}/git/refs/heads/${branch}`,
    object: { sha, type: "commit", url: `/repos/${repo}/git/commits/${sha}` },
  };
}

function commitAnswer(repo: string, sha: string, commit: GitCommitObject) {
  const bot = {
    name: "atmos-pro-fake[bot]",
    email: `${FAKE_GITHUB_APP_ID}+atmos-pro-fake[bot]@users.noreply.github.com`,
    date: commit.date,
  };
  return {
    sha,
    node_id: Buffer.from(`C_${sha}`).toString("base64url"),
    url: `/repos/${repo}/git/commits/${sha}`,
    html_url: `/${repo}/commit/${sha}`,
    author: bot,
    committer: { name: "GitHub", email: "noreply@github.com", date: commit.date },
    tree: { sha: commit.tree, url: `/repos/${repo}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((parent) => ({
      sha: parent,
      url: `/repos/${repo}/git/commits/${parent}`,
      html_url: `/${repo}/commit/${parent}`,
    })),
    verification: { verified: true, reason: "valid", signature: null, payload: null, verified_at: commit.date },
  };
}

/** GET /repos/:o/:r/commits/:ref — a tag first, then a branch, then a sha we hold (GitHub's own order). */
function commitOfRef(state: GitState, repo: string, ref: string, res: ServerResponse): void {
  const sha =
    state.tags.get(repo)?.get(ref) ??
    state.branches.get(repo)?.get(ref) ??
    (/^[0-9a-f]{40}$/.test(ref) && state.commits.has(ref) ? ref : undefined);
  if (!sha) return ghUnprocessable(res, `No commit found for SHA: ${ref}`, "rest/commits/commits#get-a-commit");
  const commit = state.commits.get(sha);
  send(res, 200, {
    sha,
    node_id: Buffer.from(`C_${sha}`).toString("base64url"),
    url: `/repos/${repo}/commits/${sha}`,
    html_url: `/${repo}/commit/${sha}`,
    commit: { message: commit?.message ?? "A tagged commit", tree: { sha: commit?.tree ?? sha1(`tree ${sha}`) } },
    parents: (commit?.parents ?? []).map((parent) => ({ sha: parent, url: `/repos/${repo}/commits/${parent}` })),
  });
}

function gitDataApi(
  state: GitState,
  method: string,
  repo: string,
  sub: string,
  body: Record<string, unknown>,
  res: ServerResponse,
): void {
  const refs = state.branches.get(repo)!;
  const branchOf = (prefix: string) =>
    sub.startsWith(prefix) && sub.length > prefix.length
      ? sub.slice(prefix.length).split("/").map(decodeURIComponent).join("/")
      : null;

  const getRef = method === "GET" ? branchOf("/git/ref/heads/") : null;
  if (getRef !== null) {
    const sha = refs.get(getRef);
    return sha ? send(res, 200, refAnswer(repo, getRef, sha)) : ghNotFound(res, "rest/git/refs#get-a-reference");
  }

  const commitSha = method === "GET" ? /^\/git\/commits\/([0-9a-f]{40})$/.exec(sub)?.[1] : undefined;
  if (commitSha) {
    const commit = state.commits.get(commitSha);
    return commit
      ? send(res, 200, commitAnswer(repo, commitSha, commit))
      : ghNotFound(res, "rest/git/commits#get-a-commit-object");
  }

  if (method === "POST" && sub === "/git/blobs") {
    if (state.faults.blobs === "http_500") return send(res, 500, { message: "Server Error" });
    const { content, encoding = "utf-8" } = body;
    if (typeof content !== "string")
      return ghUnprocessable(res, 'Invalid request.\n\n"content" wasn\'t supplied.', "rest/git/blobs#create-a-blob");
    if (encoding !== "utf-8" && encoding !== "base64")
      return ghUnprocessable(res, `encoding must be utf-8 or base64`, "rest/git/blobs#create-a-blob");
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
    if (typeof message !== "string")
      return ghUnprocessable(
        res,
        'Invalid request.\n\n"message" wasn\'t supplied.',
        "rest/git/commits#create-a-commit",
      );
    if (typeof tree !== "string" || !state.trees.has(tree))
      return ghUnprocessable(res, "Tree SHA does not exist", "rest/git/commits#create-a-commit");
    if (!Array.isArray(parents) || parents.some((parent) => typeof parent !== "string" || !state.commits.has(parent))) {
      return ghUnprocessable(
        res,
        "Parent SHA does not exist or is not a commit object",
        "rest/git/commits#create-a-commit",
      );
    }
    const commit: GitCommitObject = {
      tree,
      parents: parents as string[],
      message,
      date: state
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
    };
    const sha = putCommit(state, commit);
    return send(res, 201, commitAnswer(repo, sha, commit));
  }

  const patchRef = method === "PATCH" ? branchOf("/git/refs/heads/") : null;
  if (patchRef !== null) {
    const { sha, force = false } = body;
    const current = refs.get(patchRef);
    if (!current) return ghUnprocessable(res, "Reference does not exist", "rest/git/refs#update-a-reference");
    if (typeof sha !== "string" || !state.commits.has(sha))
      return ghUnprocessable(res, "Object does not exist", "rest/git/refs#update-a-reference");
    let head = current;
    if (state.faults.updateRef === "race") {
      // Somebody else pushed first.
      const theirs = state.commits.get(current)!;
      head = putCommit(state, {
        tree: theirs.tree,
        parents: [current],
        message: "A concurrent push",
        date: state
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, "Z"),
      });
      refs.set(patchRef, head);
    }
    if (force !== true && !isAncestor(state, head, sha))
      return ghUnprocessable(res, "Update is not a fast forward", "rest/git/refs#update-a-reference");
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
  if (!Array.isArray(tree)) return ghUnprocessable(res, 'Invalid request.\n\n"tree" wasn\'t supplied.', docs);
  for (const entry of tree as unknown[]) {
    if (!isRecord(entry) || typeof entry.path !== "string" || entry.path === "")
      return ghUnprocessable(res, "Invalid tree info", docs);
    if (entry.mode !== "100644" && entry.mode !== "100755")
      return ghUnprocessable(res, `tree.mode ${String(entry.mode)} is not supported by this fake`, docs);
    if (entry.type !== "blob")
      return ghUnprocessable(res, `tree.type ${String(entry.type)} is not supported by this fake`, docs);
    const hasSha = "sha" in entry;
    const hasContent = "content" in entry;
    if (hasSha === hasContent)
      return ghUnprocessable(
        res,
        "Must supply either tree.sha or tree.content. Request will be rejected if both are present.",
        docs,
      );
    if (hasContent) {
      if (typeof entry.content !== "string") return ghUnprocessable(res, "Invalid tree info", docs);
      files.set(entry.path, putBlob(state, Buffer.from(entry.content, "utf8")));
    } else if (entry.sha === null) {
      if (!files.has(entry.path)) return ghUnprocessable(res, "GitRPC::BadObjectState", docs);
      files.delete(entry.path);
    } else {
      if (typeof entry.sha !== "string" || !state.blobs.has(entry.sha))
        return ghUnprocessable(res, `tree.sha ${String(entry.sha)} is not a valid blob`, docs);
      files.set(entry.path, entry.sha);
    }
  }
  const sha = putTree(state, files);
  send(res, 201, {
    sha,
    url: `/repos/${repo}/git/trees/${sha}`,
    tree: [...state.trees.get(sha)!].map(([path, blob]) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: blob,
      size: state.blobs.get(blob)?.length ?? 0,
      url: `/repos/${repo}/git/blobs/${blob}`,
    })),
    truncated: false,
  });
}
