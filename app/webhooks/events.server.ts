/**
 * What each GitHub event we act on does, with the schema its payload must satisfy. The schemas name
 * only the fields we read (GitHub adds fields freely) and are checked against GitHub's published
 * example payloads (tests/webhooks/payload-schemas.test.ts), so a real payload never fails them.
 * Events and actions not listed here are acknowledged and ignored.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import {
  applyInstallationChange,
  coverRepositories,
  markRepositoryDeleted,
  reconcileRepositories,
  recordInstallation,
  removeInstallation,
  renameRepository,
  uncoverRepositories,
  GITHUB_HOST,
  type InstallationFacts,
  type RepositoryFacts,
} from "../domain/installations.server";
import { recordWorkflowJob, recordWorkflowRun } from "../domain/deployments/dispatch.server";
import { recordPullRequestEvent, recordRefTrigger, repositoryByGithubId } from "../domain/deployments/matching.server";
import { GithubError, githubAppConfigured, listInstallationRepositories, repositoryClient } from "../github/app.server";
import { commitOfRef, REF_PERMISSIONS } from "../github/commits.server";
import { advanceMessage, enqueueDeployments, type DeploymentMessage } from "../worker/deployment-queue.server";
import { type, validate } from "../validation";
import type { Type } from "../validation/arktype";

const account = type({ login: "string", id: "number.integer", type: "string" });
export const installationSchema = type({
  id: "number.integer > 0",
  account,
  repository_selection: "'all' | 'selected'",
  permissions: "Record<string, string>",
  "suspended_at?": "string | null",
});
const sender = type({ id: "number.integer", login: "string" });
/** A repository as installation events list it. */
const listedRepository = type({ id: "number.integer > 0", name: "string", full_name: "string" });
/** A repository as repository events carry it. */
const fullRepository = type({
  id: "number.integer > 0",
  name: "string",
  full_name: "string",
  owner: { login: "string" },
});

export const installationEvent = type({
  action: "string",
  installation: installationSchema,
  sender,
  "repositories?": listedRepository.array(),
});
export const installationRepositoriesEvent = type({
  action: "'added' | 'removed'",
  installation: installationSchema,
  repositories_added: listedRepository.array(),
  repositories_removed: listedRepository.array(),
});
export const repositoryEvent = type({
  action: "string",
  repository: fullRepository,
  "installation?": { id: "number.integer > 0" },
});

export const pullRequestEvent = type({
  action: "string",
  number: "number.integer > 0",
  pull_request: {
    title: "string",
    user: { login: "string" },
    state: "'open' | 'closed'",
    "merged?": "boolean | null",
    head: { sha: "string", ref: "string" },
    base: { ref: "string" },
    html_url: "string",
    updated_at: "string.date.iso",
  },
  repository: { id: "number.integer > 0" },
});
export const mergeGroupEvent = type({
  action: "string",
  merge_group: { head_sha: "string", head_ref: "string" },
  repository: { id: "number.integer > 0" },
});
export const releaseEvent = type({
  action: "string",
  release: { tag_name: "string > 0", draft: "boolean" },
  repository: { id: "number.integer > 0" },
});
export const workflowRunEvent = type({
  action: "string",
  workflow_run: {
    id: "number.integer > 0",
    "display_title?": "string",
    status: "string | null",
    conclusion: "string | null",
    html_url: "string",
  },
});
export const workflowJobEvent = type({
  action: "string",
  workflow_job: { run_id: "number.integer > 0", status: "string" },
});

function installationFacts(installation: typeof installationSchema.infer): InstallationFacts {
  return {
    id: installation.id,
    accountLogin: installation.account.login,
    accountGithubId: installation.account.id,
    accountType: installation.account.type === "User" ? "User" : "Organization",
    repositorySelection: installation.repository_selection,
    permissions: installation.permissions,
    suspended: Boolean(installation.suspended_at),
  };
}

function repositoryFacts(repo: { id: number; name: string; full_name: string }): RepositoryFacts {
  const owner = repo.full_name.slice(0, repo.full_name.length - repo.name.length - 1) || repo.full_name.split("/")[0]!;
  return { githubId: repo.id, owner, name: repo.name };
}

export type EventOutcome = { handled: true } | { handled: false; reason: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler<S extends Type<any, any>> = {
  schema: S;
  actions: readonly string[];
  run(payload: S["infer"], context: AppLoadContext, deliveryId: string): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const handler = <S extends Type<any, any>>(definition: Handler<S>) => definition;

export const HANDLERS = {
  installation: handler({
    schema: installationEvent,
    actions: ["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"],
    async run(payload, context) {
      const facts = installationFacts(payload.installation);
      const now = context.now();
      if (payload.action === "deleted") return removeInstallation(context.db, facts, now);
      await applyInstallationChange(context.db, {
        facts,
        action: payload.action,
        installedBy: payload.action === "created" ? payload.sender.id : null,
        repositories: payload.action === "created" ? payload.repositories?.map(repositoryFacts) : undefined,
        now,
      });
    },
  }),
  installation_repositories: handler({
    schema: installationRepositoriesEvent,
    actions: ["added", "removed"],
    async run(payload, context) {
      const now = context.now();
      const installation = await recordInstallation(context.db, installationFacts(payload.installation), now);
      if (!installation) return;
      if (githubAppConfigured(context.settings)) {
        // These events may arrive out of order (a "removed" before the "added" it undoes): what
        // GitHub lists now is the truth, whatever this event says changed.
        const listed = await listInstallationRepositories(context.settings, installation.id, context.now);
        return reconcileRepositories(context.db, installation.id, listed, now);
      }
      // Without the App's key we cannot ask GitHub: apply the change the event describes.
      await coverRepositories(context.db, installation.id, payload.repositories_added.map(repositoryFacts), now);
      await uncoverRepositories(
        context.db,
        installation.id,
        payload.repositories_removed.map((repo) => repo.id),
        now,
      );
    },
  }),
  repository: handler({
    schema: repositoryEvent,
    actions: ["renamed", "transferred", "deleted"],
    async run(payload, context) {
      const now = context.now();
      if (payload.action === "deleted") return markRepositoryDeleted(context.db, payload.repository.id, now);
      await renameRepository(
        context.db,
        { githubId: payload.repository.id, owner: payload.repository.owner.login, name: payload.repository.name },
        now,
      );
    },
  }),
  pull_request: handler({
    schema: pullRequestEvent,
    actions: ["opened", "synchronize", "reopened", "closed"],
    async run(payload, context, deliveryId) {
      const pr = payload.pull_request;
      const outcome = await recordPullRequestEvent(context.db, {
        facts: {
          repositoryGithubId: payload.repository.id,
          host: GITHUB_HOST,
          number: payload.number,
          title: pr.title,
          author: pr.user.login,
          state: pr.state === "open" ? "open" : pr.merged ? "merged" : "closed",
          headSha: pr.head.sha,
          headRef: pr.head.ref,
          baseRef: pr.base.ref,
          htmlUrl: pr.html_url,
          updatedAt: new Date(pr.updated_at),
        },
        action: payload.action,
        deliveryId,
        now: context.now(),
      });
      const messages: DeploymentMessage[] = outcome.stoppedBatches.map((batchId) => ({ type: "advance", batchId }));
      if (outcome.triggerId) messages.push({ type: "trigger", triggerId: outcome.triggerId });
      await enqueueDeployments(context, messages);
    },
  }),
  merge_group: handler({
    schema: mergeGroupEvent,
    actions: ["checks_requested"],
    async run(payload, context, deliveryId) {
      const repository = await repositoryByGithubId(context.db, GITHUB_HOST, payload.repository.id);
      if (!repository) return;
      const { triggerId } = await recordRefTrigger(context.db, {
        repositoryId: repository.id,
        event: "merge_group",
        activity: "checks_requested",
        headSha: payload.merge_group.head_sha,
        ref: payload.merge_group.head_ref,
        deliveryId,
        now: context.now(),
      });
      if (triggerId) await enqueueDeployments(context, [{ type: "trigger", triggerId }]);
    },
  }),
  release: handler({
    schema: releaseEvent,
    // `released` comes with `published` for a release, alone when a pre-release is promoted: one
    // trigger per tagged commit either way, with the workflows of `settings.pro.release.published`.
    actions: ["published", "released"],
    async run(payload, context, deliveryId) {
      if (payload.release.draft) return;
      const repository = await repositoryByGithubId(context.db, GITHUB_HOST, payload.repository.id);
      if (!repository) return;
      // The payload names the tag, not its commit: GitHub says which commit it is.
      const tag = payload.release.tag_name;
      let headSha: string;
      try {
        const client = await repositoryClient(
          context.settings,
          repository.owner,
          repository.name,
          REF_PERMISSIONS,
          context.now,
          repository.installationId,
        );
        headSha = await commitOfRef(client, tag);
      } catch (error) {
        if (error instanceof GithubError && !error.transient)
          throw new EventUnprocessable(`The release's tag ${tag} could not be resolved: ${error.message}.`);
        throw error;
      }
      const { triggerId } = await recordRefTrigger(context.db, {
        repositoryId: repository.id,
        event: "release",
        activity: "published",
        headSha,
        ref: tag,
        deliveryId,
        now: context.now(),
      });
      if (triggerId) await enqueueDeployments(context, [{ type: "trigger", triggerId }]);
    },
  }),
  workflow_run: handler({
    schema: workflowRunEvent,
    actions: ["requested", "in_progress", "completed"],
    async run(payload, context) {
      const run = payload.workflow_run;
      const moved = await recordWorkflowRun(
        context.db,
        {
          runId: run.id,
          displayTitle: run.display_title ?? null,
          // The action says where the run is; the run's own status may lag behind it.
          status:
            payload.action === "completed"
              ? "completed"
              : payload.action === "in_progress"
                ? "in_progress"
                : run.status,
          conclusion: run.conclusion,
          htmlUrl: run.html_url,
        },
        context.now(),
      );
      if (moved) await enqueueDeployments(context, [advanceMessage(moved)]);
    },
  }),
  workflow_job: handler({
    schema: workflowJobEvent,
    actions: ["waiting", "in_progress"],
    async run(payload, context) {
      const moved = await recordWorkflowJob(
        context.db,
        { runId: payload.workflow_job.run_id, status: payload.action },
        context.now(),
      );
      if (moved) await enqueueDeployments(context, [advanceMessage(moved)]);
    },
  }),
} as const;

/** A payload that fails its event's schema: permanent (retrying cannot fix it), named by field, never quoted. */
export class PayloadInvalid extends Error {
  constructor(readonly fields: string[]) {
    super(`The payload does not have the shape we expect: ${fields.join(", ")}`);
    this.name = "PayloadInvalid";
  }
}

/** An event we cannot act on, whatever retries do (e.g. a release's tag that names no commit): said once. */
export class EventUnprocessable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventUnprocessable";
  }
}

export async function handleEvent(
  event: string,
  action: string | null,
  payload: unknown,
  context: AppLoadContext,
  deliveryId: string,
): Promise<EventOutcome> {
  const definition = (HANDLERS as Record<string, Handler<Type>>)[event];
  if (!definition) return { handled: false, reason: `The ${event} event is not one we act on.` };
  if (!action || !definition.actions.includes(action))
    return { handled: false, reason: `The ${event}.${action ?? "(none)"} action is not one we act on.` };
  const checked = validate(definition.schema, payload);
  if (!checked.ok) throw new PayloadInvalid([...new Set(checked.issues.map((issue) => issue.path))].slice(0, 10));
  await definition.run(checked.value, context, deliveryId);
  return { handled: true };
}
