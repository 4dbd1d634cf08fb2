/**
 * The atmos CLI's endpoints under /api/v1, each the same four steps: authorize (token, then the
 * permission, checked against the database on every call) → read the body by its schema → one
 * domain call → map the result. A domain refusal becomes its envelope through REFUSALS, the one
 * table of what each reason answers; the router (./router.server.ts) holds the route table.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { driftRunChecking } from "../domain/drift/runs.server";
import { acquireLock, releaseLock } from "../domain/locks.server";
import { notInstalledMessage, workflowAccess, type PermissionType } from "../domain/repository-permissions.server";
import type { Refusal } from "../domain/result";
import { receiveAffectedStacks, type AffectedStacksRefusal } from "../domain/uploads/affected-stacks.server";
import { receiveInstances, reportInstanceStatus, type InventoryRefusal } from "../domain/uploads/instances.server";
import { affectedStacksBody, instancesBody, instanceStatusBody } from "../domain/uploads/payloads";
import { admitWorkflow, type ExchangeRefusal } from "../domain/workflow-tokens.server";
import { githubAppConfigured, GithubError, type GithubErrorKind } from "../github/app.server";
import { commitChanges } from "../github/commits.server";
import { advanceBlockedBatches, enqueueDeployments } from "../worker/deployment-queue.server";
import { gitCommitBody, lockBody, oidcExchangeBody, unlockBody } from "./bodies";
import { checkBody, readJsonBody } from "./body.server";
import { rfc3339 } from "../clock";
import { ApiError, envelope } from "./envelope";
import type { ApiArgs, ApiHandler } from "./handler";
import {
  requireApiToken,
  signApiToken,
  verifyGithubActionsToken,
  workflowIdentity,
  type ApiTokenClaims,
} from "./tokens.server";

const ok = (context: AppLoadContext, data?: unknown) =>
  envelope(context.requestId, 200, data === undefined ? {} : { data });

type DomainReason =
  | AffectedStacksRefusal
  | InventoryRefusal
  | ExchangeRefusal
  | "instance_unknown"
  | "lock_held"
  | "lock_not_found";

/**
 * What each domain refusal answers the CLI. `message` replaces the domain's sentence only where the
 * CLI's contract fixes the wording (../shared/contracts/README.md). A 413 makes the CLI start over
 * with smaller chunks and a new batch id.
 */
const REFUSALS: Record<DomainReason, { status: number; tag: string; message?: string }> = {
  batch_conflict: { status: 409, tag: "BatchConflict" },
  batch_expired: { status: 409, tag: "BatchConflict" },
  chunk_too_large: { status: 413, tag: "PayloadTooLarge" },
  workspace_unknown: { status: 404, tag: "NotFound" },
  repository_not_imported: { status: 404, tag: "NotFound" },
  repository_not_installed: { status: 404, tag: "NotFound" },
  not_permitted: { status: 403, tag: "Forbidden" },
  token_replayed: { status: 401, tag: "TokenReplayed" },
  instance_unknown: { status: 404, tag: "NotFound" },
  lock_held: { status: 409, tag: "LockConflict", message: "Stack is already locked" },
  lock_not_found: { status: 404, tag: "NotFound", message: "Lock not found or already expired" },
};

/** The envelope of a domain refusal, thrown for the router to answer. */
function refused(refusal: Refusal<DomainReason>, extra?: ConstructorParameters<typeof ApiError>[3]): ApiError {
  const answer = REFUSALS[refusal.reason];
  return new ApiError(answer.status, answer.tag, answer.message ?? refusal.message, extra);
}

/** Token + the permission this action needs, checked against the database on every call. */
async function authorize(args: ApiArgs, type: PermissionType): Promise<ApiTokenClaims> {
  const claims = await requireApiToken(args.context.settings, args.request, args.context.now());
  const access = await workflowAccess(args.context.db, {
    workspaceId: claims.ws,
    repositoryId: claims.rid,
    type,
    workflow: { workflow: claims.wf, branch: claims.br, environment: claims.env },
  });
  if (access === "not_installed") throw new ApiError(404, "NotFound", notInstalledMessage(claims.repo));
  if (access === "not_permitted")
    throw new ApiError(
      403,
      "Forbidden",
      `This workflow has no "${type}" permission for ${claims.repo}. An admin can add one in the repository's permissions.`,
    );
  return claims;
}

/** The repository an upload names must be the one the token was issued for. */
function sameRepository(claims: ApiTokenClaims, owner: string, name: string) {
  if (`${owner}/${name}`.toLowerCase() !== claims.repo.toLowerCase()) {
    throw new ApiError(403, "Forbidden", `This token is for ${claims.repo}, not ${owner}/${name}.`);
  }
}

export const exchange: ApiHandler = async ({ request, context }) => {
  const { json } = await readJsonBody(request);
  const body = checkBody(oidcExchangeBody, json);
  const now = context.now();
  const claims = await verifyGithubActionsToken(context.settings, body.token, now);
  const identity = workflowIdentity(claims);
  const admitted = await admitWorkflow(context.db, {
    workspaceId: body.workspaceId,
    repository: claims.repository,
    workflow: identity,
    jti: claims.jti,
    tokenExpiresAt: new Date(claims.exp * 1000),
    now,
  });
  if (!admitted.ok) throw refused(admitted);

  const { token, expiresAt } = await signApiToken(
    context.settings,
    {
      scope: "ws:gh:action",
      ws: body.workspaceId,
      repo: claims.repository,
      rid: admitted.repositoryId,
      wf: identity.workflow,
      br: identity.branch,
      env: identity.environment,
      pr: identity.pullRequest,
      href: identity.headRef,
      actor: identity.actor,
    },
    now,
  );
  context.logger.info("api_token_issued", {
    workspaceId: body.workspaceId,
    repository: claims.repository,
    workflow: identity.workflow,
  });
  return ok(context, { token, expiresAt: rfc3339(expiresAt) });
};

export const affectedStacks: ApiHandler = async (args) => {
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
  if (!result.ok) throw refused(result);
  // A whole upload meets its pull request (or waits for it) off the request.
  if (result.complete) await enqueueDeployments(args.context, [{ type: "upload", uploadId: result.uploadId }]);
  return ok(args.context);
};

export const instances: ApiHandler = async (args) => {
  const claims = await authorize(args, "Instances Upload");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(instancesBody, json);
  sameRepository(claims, body.repo_owner, body.repo_name);
  const result = await receiveInstances(args.context.db, {
    workspaceId: claims.ws,
    repositoryId: claims.rid,
    body,
    now: args.context.now(),
  });
  if (!result.ok) throw refused(result);
  return ok(args.context);
};

export async function instanceStatus(args: ApiArgs, stack: string, component: string): Promise<Response> {
  const claims = await authorize(args, "Deployments Create");
  sameRepository(claims, args.params.owner ?? "", args.params.repo ?? "");
  if (!stack || !component)
    throw new ApiError(400, "ValidationError", "Name the instance with ?stack=…&component=….", {
      data: { validationErrors: ["stack: required", "component: required"] },
    });
  const { json } = await readJsonBody(args.request);
  const body = checkBody(instanceStatusBody, json, "DriftDetectionValidationError");
  const instance = { workspaceId: claims.ws, repositoryId: claims.rid, stack, component };
  // A drift run checking this instance owns the result (its history and the drift trend count it).
  const drift = await driftRunChecking(args.context.db, instance);
  const result = await reportInstanceStatus(args.context.db, {
    ...instance,
    body,
    driftRunId: drift?.runId ?? null,
    now: args.context.now(),
  });
  if (!result.ok) throw refused(result);
  // Drift found: the run's remediation (when it has it on) starts now.
  if (drift?.remediate && result.status === "drifted")
    await enqueueDeployments(args.context, [{ type: "drift", runId: drift.runId }]);
  return ok(args.context);
}

export const lock: ApiHandler = async (args) => {
  const claims = await authorize(args, "Locks Manage");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(lockBody, json);
  if (!body.key.toLowerCase().startsWith(`${claims.repo.toLowerCase()}/`))
    throw new ApiError(403, "Forbidden", `Lock keys of this token start with ${claims.repo}/.`);
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
  if (!result.ok)
    throw refused(result, {
      context: {
        locked_by: result.lockedBy,
        locked_at: rfc3339(result.lockedAt),
        expires_at: rfc3339(result.expiresAt),
      },
    });
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

export const unlock: ApiHandler = async (args) => {
  const claims = await authorize(args, "Locks Manage");
  const { json } = await readJsonBody(args.request);
  const body = checkBody(unlockBody, json);
  if (!body.key.toLowerCase().startsWith(`${claims.repo.toLowerCase()}/`))
    throw new ApiError(403, "Forbidden", `Lock keys of this token start with ${claims.repo}/.`);
  const released = await releaseLock(args.context.db, {
    workspaceId: claims.ws,
    key: body.key,
    actor: { type: "ci", id: null, label: claims.actor ? `${claims.actor} via ${claims.repo}` : claims.repo },
    now: args.context.now(),
  });
  if (!released.ok) throw refused(released);
  await advanceBlockedBatches(args.context, claims.ws);
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
  ref_not_found: { status: 404, tag: "RefNotFound" },
  not_fast_forward: { status: 409, tag: "BranchMoved" },
  changes_refused: { status: 422, tag: "ChangesRefused" },
  rate_limited: { status: 503, tag: "GitHubRateLimited" },
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
export const gitCommit: ApiHandler = async (args) => {
  const claims = await authorize(args, "Deployments Create");
  const { settings, logger } = args.context;
  if (!githubAppConfigured(settings)) {
    throw new ApiError(
      503,
      "GitHubAppNotConfigured",
      "GitHub App is not configured on this server. An operator sets GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY.",
    );
  }
  const { json } = await readJsonBody(args.request);
  const body = checkBody(gitCommitBody, json);
  const [owner, repo] = claims.repo.split("/") as [string, string];
  try {
    const result = await commitChanges(
      settings,
      {
        owner,
        repo,
        branch: body.branch,
        additions: body.additions,
        deletions: body.deletions,
        message: body.commitMessage,
      },
      args.context.now,
    );
    logger.info("git_commit_created", {
      repository: claims.repo,
      branch: body.branch,
      sha: result.sha,
      unchanged: result.unchanged,
      additions: body.additions.length,
      deletions: body.deletions.length,
      workflow: claims.wf,
    });
    return ok(args.context, { sha: result.sha });
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    const failure = GITHUB_FAILURES[error.kind];
    logger.warn("git_commit_failed", {
      repository: claims.repo,
      branch: body.branch,
      kind: error.kind,
      step: error.step,
      githubStatus: error.status,
    });
    throw new ApiError(failure.status, failure.tag, /[.!?]$/.test(error.message) ? error.message : `${error.message}.`);
  }
};

/** A percent-encoded path segment; a malformed escape is the client's mistake (400), not ours. */
export function decodePathSegment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, "ValidationError", `The ${field} in the path is not valid percent-encoding.`, {
      data: { validationErrors: [`${field}: malformed percent-encoding`] },
    });
  }
}
