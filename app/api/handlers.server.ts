/** The atmos CLI's endpoints under /api/v1: each parses its body, checks its token and permission, calls the domain. */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { eq, lt } from "drizzle-orm";
import { usedOidcTokens, workspaces } from "../../db/schema";
import { acquireLock, releaseLock } from "../domain/locks.server";
import { findImportedRepository, hasRepositoryPermission, type PermissionType } from "../domain/repository-permissions.server";
import { githubAppConfigured, GithubError, type GithubErrorKind } from "../github/app.server";
import { commitChanges } from "../github/commits.server";
import { receiveAffectedStacks } from "./affected-stacks.server";
import { checkBody, readJsonBody } from "./body.server";
import { affectedStacksBody, instancesBody, instanceStatusBody, lockBody, oidcExchangeBody, unlockBody } from "./dto";
import { ApiError, envelope, rfc3339 } from "./envelope";
import { gitCommitBody } from "./git-dto";
import { receiveInstances, reportInstanceStatus } from "./instances.server";
import { requireApiToken, signApiToken, verifyGithubActionsToken, workflowIdentity, type ApiTokenClaims } from "./tokens.server";
import { statusHandler } from "../status-page/api.server";

export type ApiArgs = { request: Request; context: AppLoadContext; params: Record<string, string>; url: URL };
export type ApiHandler = (args: ApiArgs) => Promise<Response>;

const ok = (context: AppLoadContext, data?: unknown) => envelope(context.requestId, 200, data === undefined ? {} : { data });

/** Token + the permission this action needs, checked against the database on every call. */
async function authorize(args: ApiArgs, type: PermissionType): Promise<ApiTokenClaims> {
  const claims = await requireApiToken(args.context.settings, args.request, args.context.now());
  const allowed = await hasRepositoryPermission(args.context.db, {
    workspaceId: claims.ws,
    repositoryId: claims.rid,
    type,
    workflow: { workflow: claims.wf, branch: claims.br, environment: claims.env },
  });
  if (!allowed) throw new ApiError(403, "Forbidden", `This workflow has no "${type}" permission for ${claims.repo}. An admin can add one in the repository's permissions.`);
  return claims;
}

/** The repository an upload names must be the one the token was issued for. */
function sameRepository(claims: ApiTokenClaims, owner: string, name: string) {
  if (`${owner}/${name}`.toLowerCase() !== claims.repo.toLowerCase()) {
    throw new ApiError(403, "Forbidden", `This token is for ${claims.repo}, not ${owner}/${name}.`);
  }
}

const exchange: ApiHandler = async ({ request, context }) => {
  const { json } = await readJsonBody(request);
  const body = checkBody(oidcExchangeBody, json);
  const now = context.now();
  const claims = await verifyGithubActionsToken(context.settings, body.token, now);

  const workspace = await context.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, body.workspaceId)).limit(1);
  if (!workspace[0]) throw new ApiError(404, "NotFound", "No workspace has this id. Check ATMOS_PRO_WORKSPACE_ID.");
  const [owner, name] = claims.repository.split("/") as [string, string];
  const repository = await findImportedRepository(context.db, body.workspaceId, owner, name);
  if (!repository) throw new ApiError(404, "NotFound", `${claims.repository} is not imported into this workspace. Install the GitHub App on it and import it.`);

  const identity = workflowIdentity(claims);
  const allowed = await hasRepositoryPermission(context.db, { workspaceId: body.workspaceId, repositoryId: repository.id, type: "Affected Stacks Create", workflow: identity });
  if (!allowed) throw new ApiError(403, "Forbidden", `No "Affected Stacks Create" permission matches workflow ${identity.workflow || "(unknown)"} on branch ${identity.branch || "(none)"}.`);

  // Single use: the first exchange of a jti wins; a replay is refused.
  // Expired entries can go: an expired token is refused by its signature check anyway.
  const [, claimed] = await context.db.batch([
    context.db.delete(usedOidcTokens).where(lt(usedOidcTokens.expiresAt, now)),
    context.db.insert(usedOidcTokens).values({ jti: claims.jti, expiresAt: new Date(claims.exp * 1000) }).onConflictDoNothing().returning({ jti: usedOidcTokens.jti }),
  ]);
  if (claimed.length === 0) throw new ApiError(401, "TokenReplayed", "This GitHub OIDC token was already exchanged. Request a new one.");

  const { token, expiresAt } = await signApiToken(
    context.settings,
    { scope: "ws:gh:action", ws: body.workspaceId, repo: claims.repository, rid: repository.id, wf: identity.workflow, br: identity.branch, env: identity.environment, pr: identity.pullRequest, href: identity.headRef, actor: identity.actor },
    now,
  );
  context.logger.info("api_token_issued", { workspaceId: body.workspaceId, repository: claims.repository, workflow: identity.workflow });
  return ok(context, { token, expiresAt: rfc3339(expiresAt) });
};

const affectedStacks: ApiHandler = async (args) => {
  const claims = await authorize(args, "Affected Stacks Create");
  const { raw, json } = await readJsonBody(args.request);
  const body = checkBody(affectedStacksBody, json);
  sameRepository(claims, body.repo_owner, body.repo_name);
  const result = await receiveAffectedStacks(args.context.db, {
    workspaceId: claims.ws,
    repositoryId: claims.rid,
    pullRequest: claims.pr,
    headRef: claims.href,
    body,
    rawBody: raw,
    now: args.context.now(),
  });
  if ("refused" in result && result.refused) {
    if (result.refused === "too_large") {
      // 413 makes the CLI start over with smaller chunks and a new batch id.
      throw new ApiError(413, "PayloadTooLarge", "This chunk is too large to store even compressed. Upload it in smaller chunks with a new batch_id.");
    }
    throw new ApiError(409, "BatchConflict", result.refused === "expired" ? "This batch expired before all its chunks arrived. Upload it again with a new batch_id." : "This chunk does not agree with the batch it names (batch_total differs).");
  }
  return ok(args.context);
};

const instances: ApiHandler = async (args) => {
  const claims = await authorize(args, "Instances Upload");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(instancesBody, json);
  sameRepository(claims, body.repo_owner, body.repo_name);
  const result = await receiveInstances(args.context.db, { workspaceId: claims.ws, repositoryId: claims.rid, body, now: args.context.now() });
  if ("refused" in result && result.refused) {
    throw new ApiError(409, "BatchConflict", result.refused === "expired" ? "This inventory batch expired before all its chunks arrived. Upload it again with a new batch_id." : "This chunk does not agree with the batch it names (batch_total differs).");
  }
  return ok(args.context);
};

async function instanceStatus(args: ApiArgs, stack: string, component: string): Promise<Response> {
  const claims = await authorize(args, "Deployments Create");
  sameRepository(claims, args.params.owner ?? "", args.params.repo ?? "");
  if (!stack || !component) throw new ApiError(400, "ValidationError", "Name the instance with ?stack=…&component=….", { data: { validationErrors: ["stack: required", "component: required"] } });
  const { json } = await readJsonBody(args.request);
  const body = checkBody(instanceStatusBody, json, "DriftDetectionValidationError");
  const result = await reportInstanceStatus(args.context.db, { workspaceId: claims.ws, repositoryId: claims.rid, stack, component, body, now: args.context.now() });
  if (!result.found) throw new ApiError(404, "NotFound", `No instance ${component} in stack ${stack} for ${claims.repo}. Upload the inventory first (atmos list instances --upload).`);
  return ok(args.context);
}

const lock: ApiHandler = async (args) => {
  const claims = await authorize(args, "Locks Manage");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(lockBody, json);
  if (!body.key.toLowerCase().startsWith(`${claims.repo.toLowerCase()}/`)) throw new ApiError(403, "Forbidden", `Lock keys of this token start with ${claims.repo}/.`);
  const now = args.context.now();
  const result = await acquireLock(args.context.db, {
    workspaceId: claims.ws,
    key: body.key,
    ttlSeconds: body.ttl,
    message: body.lockMessage ?? null,
    properties: body.properties ?? null,
    lockedBy: claims.actor ?? claims.repo,
    actor: { type: "ci", id: null, label: claims.actor ? `${claims.actor} via ${claims.repo}` : claims.repo },
    now,
  });
  if (!result.ok) {
    throw new ApiError(409, "LockConflict", "Stack is already locked", { context: { locked_by: result.lockedBy, locked_at: rfc3339(result.lockedAt), expires_at: rfc3339(result.expiresAt) } });
  }
  const row = result.lock;
  return ok(args.context, {
    id: row.id,
    workspaceId: row.workspaceId,
    key: row.key,
    lockMessage: row.message,
    expiresAt: rfc3339(row.expiresAt),
    createdAt: rfc3339(row.createdAt),
    updatedAt: rfc3339(row.updatedAt),
    deletedAt: row.deletedAt ? rfc3339(row.deletedAt) : null,
  });
};

const unlock: ApiHandler = async (args) => {
  const claims = await authorize(args, "Locks Manage");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(unlockBody, json);
  if (!body.key.toLowerCase().startsWith(`${claims.repo.toLowerCase()}/`)) throw new ApiError(403, "Forbidden", `Lock keys of this token start with ${claims.repo}/.`);
  const released = await releaseLock(args.context.db, {
    workspaceId: claims.ws,
    key: body.key,
    actor: { type: "ci", id: null, label: claims.actor ? `${claims.actor} via ${claims.repo}` : claims.repo },
    now: args.context.now(),
  });
  if (!released) throw new ApiError(404, "NotFound", "Lock not found or already expired");
  return ok(args.context);
};

/** How a failed GitHub call answers the CLI: what the caller can fix is 4xx, GitHub's or our setup's trouble 5xx. */
const GITHUB_FAILURES: Record<GithubErrorKind, { status: number; tag: string }> = {
  not_configured: { status: 503, tag: "GitHubAppNotConfigured" },
  bad_private_key: { status: 503, tag: "GitHubAppNotConfigured" },
  app_auth_failed: { status: 503, tag: "GitHubAppNotConfigured" },
  not_installed: { status: 404, tag: "GitHubAppNotInstalled" },
  suspended: { status: 403, tag: "GitHubAppSuspended" },
  permission_missing: { status: 403, tag: "GitHubAppPermissionMissing" },
  branch_not_found: { status: 404, tag: "BranchNotFound" },
  not_fast_forward: { status: 409, tag: "BranchMoved" },
  changes_refused: { status: 422, tag: "ChangesRefused" },
  timeout: { status: 502, tag: "GitHubUnavailable" },
  unreachable: { status: 502, tag: "GitHubUnavailable" },
  http: { status: 502, tag: "GitHubError" },
  unexpected_response: { status: 502, tag: "GitHubError" },
};

/**
 * The CLI commits files it generated in CI to a branch of the token's repository, through our GitHub
 * App's installation (so the commit can trigger workflows, which a workflow's own GITHUB_TOKEN cannot).
 * Permission: "Deployments Create". There is no "Git" permission type, and writing to the repository
 * is at least as consequential as starting deployments, so it takes the strongest existing one rather
 * than "Affected Stacks Create", which every plan workflow holds. The repository is always the token's.
 * `comment` is accepted and ignored for now: posting it needs a pull request and an extra App
 * permission (issues or pull requests: write); the CLI does not depend on it.
 */
const gitCommit: ApiHandler = async (args) => {
  const claims = await authorize(args, "Deployments Create");
  const { settings, logger } = args.context;
  if (!githubAppConfigured(settings)) {
    throw new ApiError(503, "GitHubAppNotConfigured", "GitHub App is not configured on this server. An operator sets GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.");
  }
  const { json } = await readJsonBody(args.request);
  const body = checkBody(gitCommitBody, json);
  const [owner, repo] = claims.repo.split("/") as [string, string];
  try {
    const result = await commitChanges(settings, { owner, repo, branch: body.branch, additions: body.additions, deletions: body.deletions, message: body.commitMessage }, args.context.now);
    logger.info("git_commit_created", { repository: claims.repo, branch: body.branch, sha: result.sha, unchanged: result.unchanged, additions: body.additions.length, deletions: body.deletions.length, workflow: claims.wf });
    return ok(args.context, { sha: result.sha });
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    const failure = GITHUB_FAILURES[error.kind];
    logger.warn("git_commit_failed", { repository: claims.repo, branch: body.branch, kind: error.kind, step: error.step, githubStatus: error.status });
    throw new ApiError(failure.status, failure.tag, /[.!?]$/.test(error.message) ? error.message : `${error.message}.`);
  }
};

/** A percent-encoded path segment; a malformed escape is the client's mistake (400), not ours. */
function decodePathSegment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, "ValidationError", `The ${field} in the path is not valid percent-encoding.`, { data: { validationErrors: [`${field}: malformed percent-encoding`] } });
  }
}

const SEGMENT = "[^/]+";
export const API_ROUTES: Array<{ method: string; pattern: RegExp; handler: ApiHandler }> = [
  { method: "POST", pattern: /^\/api\/v1\/auth\/github-oidc\/?$/, handler: exchange },
  { method: "POST", pattern: /^\/api\/v1\/affected-stacks\/?$/, handler: affectedStacks },
  { method: "POST", pattern: /^\/api\/v1\/instances\/?$/, handler: instances },
  {
    method: "PATCH",
    pattern: new RegExp(`^/api/v1/repos/(?<owner>${SEGMENT})/(?<repo>${SEGMENT})/instances/?$`),
    handler: (args) => instanceStatus(args, args.url.searchParams.get("stack") ?? "", args.url.searchParams.get("component") ?? ""),
  },
  {
    // Deprecated form, still served: /instances/{stack}/{component…} (components may contain "/").
    method: "PATCH",
    pattern: new RegExp(`^/api/v1/repos/(?<owner>${SEGMENT})/(?<repo>${SEGMENT})/instances/(?<stack>${SEGMENT})/(?<component>.+)$`),
    handler: (args) => instanceStatus(args, decodePathSegment(args.params.stack ?? "", "stack"), decodePathSegment(args.params.component ?? "", "component")),
  },
  { method: "POST", pattern: /^\/api\/v1\/locks\/?$/, handler: lock },
  { method: "DELETE", pattern: /^\/api\/v1\/locks\/?$/, handler: unlock },
  { method: "GET", pattern: /^\/api\/status\/?$/, handler: statusHandler },
  { method: "POST", pattern: /^\/api\/v1\/git\/commit\/?$/, handler: gitCommit },
];
