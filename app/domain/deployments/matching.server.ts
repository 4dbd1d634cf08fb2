/**
 * From GitHub's events and the CLI's uploads to batches of jobs.
 *
 * A trigger (a pull request opened, synchronized, reopened or merged; a merge group's checks
 * requested) and a complete affected-stacks upload meet by repository + head sha, whichever comes
 * first waiting for the other. The upload carries no event: the plan upload and the merge upload of a
 * pull request have the same head sha, so an upload goes to the merge trigger when we have learned
 * that the pull request was merged, else to the oldest live plan trigger. A trigger is live while it
 * still describes the pull request: a plan trigger while the PR is open at that head sha, a merge
 * trigger once it is merged. Each pair becomes one batch (unique per upload and per trigger in a
 * workspace, so matching twice, from both sides at once, is a no-op).
 */
import { and, asc, eq, inArray, isNull, notExists, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { idLiteral, NULL, packRows, resultRows, runBatch, bound, type Row } from "../../../db/batch";
import {
  affectedStacksUploads,
  deployments,
  deploymentBatches,
  deploymentTriggers,
  pullRequests,
  repositories,
  workspaceRepositories,
} from "../../../db/schema";
import { auditEvent, type AuditActor } from "../audit.server";
import { dependencyCycle } from "../dispatch-order";
import { newId } from "../ids";
import { loadUploadGraph } from "../uploads/graph.server";
import { describeItem, workflowsFor, type WorkflowEvent } from "./workflows";

export type PullRequestFacts = {
  repositoryGithubId: number;
  host: string;
  number: number;
  title: string;
  author: string;
  state: "open" | "closed" | "merged";
  headSha: string;
  headRef: string;
  baseRef: string;
  htmlUrl: string;
  updatedAt: Date;
};

type Trigger = typeof deploymentTriggers.$inferSelect;
type Upload = typeof affectedStacksUploads.$inferSelect;

const GITHUB_ACTOR: AuditActor = { type: "system", id: null, label: "GitHub" };

/** Plans for a pull request's pushes and merge groups; applies after a merge and for releases. */
export const batchKind = (trigger: Pick<Trigger, "event" | "activity">): "plan" | "apply" =>
  trigger.activity === "merged" || trigger.event === "release" ? "apply" : "plan";

/** A repository we know (not deleted) by GitHub's id. */
export async function repositoryByGithubId(db: Database, host: string, githubId: number) {
  const [repository] = await db
    .select({
      id: repositories.id,
      owner: repositories.owner,
      name: repositories.name,
      installationId: repositories.installationId,
    })
    .from(repositories)
    .where(and(eq(repositories.host, host), eq(repositories.githubId, githubId), isNull(repositories.deletedAt)))
    .limit(1);
  return repository ?? null;
}

/** The workspaces that import a repository: where its pull requests show, and where audit events go. */
async function importingWorkspaces(db: Database, repositoryId: string): Promise<string[]> {
  const rows = await db
    .select({ workspaceId: workspaceRepositories.workspaceId })
    .from(workspaceRepositories)
    .where(eq(workspaceRepositories.repositoryId, repositoryId));
  return rows.map((row) => row.workspaceId);
}

export type PullRequestOutcome = {
  repositoryId: string | null;
  /** False when the event was older than what we know (a late delivery): nothing changed. */
  applied: boolean;
  triggerId: string | null;
  /** Batches whose waiting jobs were cancelled (superseded by a push, or the PR closed). */
  stoppedBatches: string[];
};

/**
 * A `pull_request` event: the pull request as it is now (unless we know a newer state), a trigger when
 * it deploys something, and the end of what it makes moot: a push supersedes the previous batches'
 * waiting jobs, closing without merging cancels them. Runs in flight are left alone.
 */
export async function recordPullRequestEvent(
  db: Database,
  input: { facts: PullRequestFacts; action: string; deliveryId: string; now: Date },
): Promise<PullRequestOutcome> {
  const { facts, now } = input;
  const repository = await repositoryByGithubId(db, facts.host, facts.repositoryGithubId);
  if (!repository) return { repositoryId: null, applied: false, triggerId: null, stoppedBatches: [] };
  const row = {
    id: newId("pr"),
    repositoryId: repository.id,
    number: facts.number,
    title: facts.title.slice(0, 500),
    author: facts.author,
    state: facts.state,
    headSha: facts.headSha,
    headRef: facts.headRef,
    baseRef: facts.baseRef,
    htmlUrl: facts.htmlUrl,
    githubUpdatedAt: facts.updatedAt,
    createdAt: now,
    updatedAt: now,
  };
  const upserted = await db
    .insert(pullRequests)
    .values(row)
    .onConflictDoUpdate({
      target: [pullRequests.repositoryId, pullRequests.number],
      set: {
        title: row.title,
        author: row.author,
        state: row.state,
        headSha: row.headSha,
        headRef: row.headRef,
        baseRef: row.baseRef,
        htmlUrl: row.htmlUrl,
        githubUpdatedAt: row.githubUpdatedAt,
        updatedAt: now,
      },
      // A late delivery (older than the state we have) changes nothing; a merged PR stays merged.
      setWhere: sql`${pullRequests.githubUpdatedAt} <= ${facts.updatedAt.getTime()} AND ${pullRequests.state} <> 'merged'`,
    })
    .returning({ id: pullRequests.id });
  const applied = upserted.length > 0;
  if (!applied) return { repositoryId: repository.id, applied, triggerId: null, stoppedBatches: [] };

  // What it deploys: the head's plans, or after a merge the applies; a PR closed unmerged deploys nothing.
  const activity = input.action === "closed" ? (facts.state === "merged" ? "merged" : null) : input.action;
  let triggerId: string | null = null;
  if (activity) {
    const [inserted] = await db
      .insert(deploymentTriggers)
      .values({
        id: newId("trg"),
        repositoryId: repository.id,
        deliveryId: input.deliveryId,
        event: "pull_request",
        activity,
        headSha: facts.headSha,
        ref: activity === "merged" ? facts.baseRef : facts.headRef,
        pullRequestNumber: facts.number,
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: deploymentTriggers.id });
    triggerId = inserted?.id ?? null;
  }

  // What this state makes moot: plans of older heads after a push; everything waiting once closed unmerged.
  const stopAll = input.action === "closed" && facts.state !== "merged";
  const stopOlder = activity === "synchronize" || activity === "opened" || activity === "reopened";
  let stoppedBatches: string[] = [];
  if (stopAll || stopOlder) {
    const moot = await db
      .update(deploymentBatches)
      .set({ status: stopAll ? "cancelled" : "superseded", completedAt: now })
      .where(
        and(
          eq(deploymentBatches.repositoryId, repository.id),
          eq(deploymentBatches.pullRequestNumber, facts.number),
          eq(deploymentBatches.status, "running"),
          stopAll ? undefined : sql`${deploymentBatches.headSha} <> ${facts.headSha}`,
        ),
      )
      .returning({ id: deploymentBatches.id });
    stoppedBatches = moot.map((batch) => batch.id);
    if (stoppedBatches.length > 0) {
      await db
        .update(deployments)
        .set({
          status: "cancelled",
          reason: stopAll
            ? `Pull request #${facts.number} was closed without merging.`
            : `Superseded by a newer push (${facts.headSha.slice(0, 7)}).`,
          completedAt: now,
        })
        .where(and(inArray(deployments.batchId, stoppedBatches), inArray(deployments.status, ["pending", "blocked"])));
    }
  }

  const workspaces = await importingWorkspaces(db, repository.id);
  const auditAction =
    input.action === "opened"
      ? "pull_request.opened"
      : facts.state === "merged"
        ? "pull_request.merged"
        : "pull_request.updated";
  await runBatch(
    db,
    { statements: 0 },
    workspaces.map((workspaceId) =>
      auditEvent(db, {
        workspaceId,
        actor: { ...GITHUB_ACTOR, label: facts.author },
        action: auditAction,
        target: { type: "pull_request", id: `${repository.owner}/${repository.name}#${facts.number}` },
        metadata: { action: input.action, headSha: facts.headSha, state: facts.state },
        at: now,
      }),
    ),
  );
  return { repositoryId: repository.id, applied, triggerId, stoppedBatches };
}

/**
 * A trigger that no pull request carries: a merge group's checks (plans of its head, on its head ref)
 * or a release (applies of its tagged commit, on its tag). `published` and `released` of one release
 * make one trigger: the second finds the first by repository and commit and adds nothing.
 */
export async function recordRefTrigger(
  db: Database,
  input: {
    repositoryId: string;
    event: "merge_group" | "release";
    activity: "checks_requested" | "published";
    headSha: string;
    ref: string;
    deliveryId: string;
    now: Date;
  },
): Promise<{ triggerId: string | null }> {
  const [inserted] = await db
    .insert(deploymentTriggers)
    .values({
      id: newId("trg"),
      repositoryId: input.repositoryId,
      deliveryId: input.deliveryId,
      event: input.event,
      activity: input.activity,
      headSha: input.headSha,
      ref: input.ref,
      pullRequestNumber: null,
      receivedAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: deploymentTriggers.id });
  return { triggerId: inserted?.id ?? null };
}

/** Whether a trigger still describes its pull request (triggers of merge groups and releases always do). */
async function liveTriggers(db: Database, triggers: Trigger[]): Promise<Trigger[]> {
  const numbers = [...new Set(triggers.flatMap((t) => (t.pullRequestNumber === null ? [] : [t.pullRequestNumber])))];
  if (numbers.length === 0) return triggers;
  const prs = await db
    .select({ number: pullRequests.number, state: pullRequests.state, headSha: pullRequests.headSha })
    .from(pullRequests)
    .where(and(eq(pullRequests.repositoryId, triggers[0]!.repositoryId), inArray(pullRequests.number, numbers)));
  const byNumber = new Map(prs.map((pr) => [pr.number, pr]));
  return triggers.filter((trigger) => {
    if (trigger.pullRequestNumber === null) return true;
    const pr = byNumber.get(trigger.pullRequestNumber);
    if (!pr) return false;
    if (trigger.activity === "merged") return pr.state === "merged";
    return pr.state === "open" && pr.headSha === trigger.headSha;
  });
}

export type Matched = { batchId: string; workspaceId: string };

/** "No batch matches this yet": the NOT EXISTS both sides of matching filter by. */
function noBatchWhere(db: Database, condition: SQL | undefined) {
  return notExists(
    db
      .select({ one: sql`1` })
      .from(deploymentBatches)
      .where(condition),
  );
}

/** A new trigger meets the complete uploads of its head sha that wait for one (at most one per workspace). */
export async function matchTrigger(db: Database, triggerId: string, options: BatchOptions): Promise<Matched[]> {
  const [trigger] = await db.select().from(deploymentTriggers).where(eq(deploymentTriggers.id, triggerId));
  if (!trigger || (await liveTriggers(db, [trigger])).length === 0) return [];
  const uploads = await db
    .select()
    .from(affectedStacksUploads)
    .where(
      and(
        eq(affectedStacksUploads.repositoryId, trigger.repositoryId),
        eq(affectedStacksUploads.headSha, trigger.headSha),
        eq(affectedStacksUploads.status, "complete"),
        noBatchWhere(db, eq(deploymentBatches.uploadId, affectedStacksUploads.id)),
        noBatchWhere(
          db,
          and(
            eq(deploymentBatches.triggerId, trigger.id),
            eq(deploymentBatches.workspaceId, affectedStacksUploads.workspaceId),
          ),
        ),
      ),
    )
    .orderBy(asc(affectedStacksUploads.completedAt), asc(affectedStacksUploads.id));
  const firstPerWorkspace = new Map<string, Upload>();
  for (const upload of uploads)
    if (!firstPerWorkspace.has(upload.workspaceId)) firstPerWorkspace.set(upload.workspaceId, upload);
  const matched: Matched[] = [];
  for (const upload of firstPerWorkspace.values()) {
    const batchId = await createBatch(db, upload, trigger, options);
    if (batchId) matched.push({ batchId, workspaceId: upload.workspaceId });
  }
  return matched;
}

/** A complete upload meets the trigger of its head sha that waits for one: the merge, once merged; else the oldest. */
export async function matchUpload(db: Database, uploadId: string, options: BatchOptions): Promise<Matched[]> {
  const [upload] = await db
    .select()
    .from(affectedStacksUploads)
    .where(and(eq(affectedStacksUploads.id, uploadId), eq(affectedStacksUploads.status, "complete")));
  if (!upload) return [];
  const waiting = await db
    .select()
    .from(deploymentTriggers)
    .where(
      and(
        eq(deploymentTriggers.repositoryId, upload.repositoryId),
        eq(deploymentTriggers.headSha, upload.headSha),
        noBatchWhere(
          db,
          and(
            eq(deploymentBatches.triggerId, deploymentTriggers.id),
            eq(deploymentBatches.workspaceId, upload.workspaceId),
          ),
        ),
      ),
    )
    .orderBy(asc(deploymentTriggers.receivedAt), asc(deploymentTriggers.id));
  const live = await liveTriggers(db, waiting);
  const trigger = live.find((t) => t.activity === "merged") ?? live[0];
  if (!trigger) return [];
  const batchId = await createBatch(db, upload, trigger, options);
  return batchId ? [{ batchId, workspaceId: upload.workspaceId }] : [];
}

export type BatchOptions = { maxInFlight: number; now: Date };

/**
 * The batch of an upload and a trigger, with one job per item and workflow, in one transaction: the
 * instances it deploys (created if the inventory has not listed them yet), the batch, its jobs. A
 * dependency cycle refuses the batch; a workflow we cannot render fails that item's job before any
 * dispatch (its dependents are then skipped). Null when the pair was matched already.
 */
async function createBatch(
  db: Database,
  upload: Upload,
  trigger: Trigger,
  options: BatchOptions,
): Promise<string | null> {
  const graph = await loadUploadGraph(db, upload.id);
  const byId = new Map(graph.items.map((item) => [item.id, item]));
  const cycle = dependencyCycle(
    graph.items.map((item) => item.id),
    graph.edges,
  );
  const batchId = newId("bat");
  const kind = batchKind(trigger);
  const error = cycle
    ? `Dependency cycle: ${cycle.map((id) => describeItem(byId.get(id)!)).join(" → ")}. Nothing was dispatched; break the cycle in the stacks' dependencies.`
    : null;

  const jobRows: Row[] = [];
  if (!cycle) {
    for (const item of graph.items) {
      const requested = workflowsFor(item, trigger.event as WorkflowEvent, trigger.activity);
      for (const workflow of requested.workflows) {
        const id = newId("dep");
        const inputs = JSON.stringify({ ...workflow.inputs, atmos_pro_run_id: id, sha: trigger.headSha });
        const file = bound(workflow.file);
        const json = bound(inputs);
        jobRows.push({
          sql: sql`(${idLiteral(id)}, 'pending', ${file.sql}, ${idLiteral(item.id)}, ${json.sql}, NULL)`,
          params: 2,
          bytes: 120 + inputs.length,
        });
      }
      for (const problem of requested.problems) {
        const file = bound(problem.file.slice(0, 200));
        const reason = bound(`Configuration error in settings.pro of ${describeItem(item)}: ${problem.message}.`);
        jobRows.push({
          sql: sql`(${idLiteral(newId("dep"))}, 'failure', ${file.sql}, ${idLiteral(item.id)}, NULL, ${reason.sql})`,
          params: 3,
          bytes: 400,
        });
      }
    }
  }

  const instanceRows: Row[] = cycle
    ? []
    : graph.items.map((item) => {
        const stack = bound(item.stack);
        const component = bound(item.component);
        const type = bound(item.componentType);
        return {
          sql: sql`(${idLiteral(newId("inst"))}, ${stack.sql}, ${component.sql}, ${type.sql})`,
          params: 3,
          bytes: 60 + item.stack.length + item.component.length,
        };
      });
  const nowMs = options.now.getTime();
  const statements = [
    db
      .insert(deploymentBatches)
      .values({
        id: batchId,
        workspaceId: upload.workspaceId,
        repositoryId: upload.repositoryId,
        uploadId: upload.id,
        triggerId: trigger.id,
        kind,
        event: trigger.event,
        activity: trigger.activity,
        headSha: trigger.headSha,
        ref: trigger.ref,
        pullRequestNumber: trigger.pullRequestNumber ?? upload.pullRequest,
        status: cycle ? "invalid" : "running",
        error,
        maxInFlight: options.maxInFlight,
        createdAt: options.now,
        completedAt: cycle ? options.now : null,
      })
      .onConflictDoNothing(),
    ...packRows(
      instanceRows,
      2,
      (values) => sql`
      INSERT INTO instances (id, workspace_id, repository_id, stack, component, component_type)
      SELECT v.column1, ${upload.workspaceId}, ${upload.repositoryId}, v.column2, v.column3, v.column4
      FROM (VALUES ${values}) AS v
      WHERE EXISTS (SELECT 1 FROM deployment_batches WHERE id = ${idLiteral(batchId)})
      ON CONFLICT DO NOTHING`,
    ),
    ...packRows(
      jobRows,
      0,
      (values) => sql`
      INSERT INTO deployments (id, workspace_id, instance_id, upload_id, kind, status, workflow, batch_id, item_id, ref, inputs, reason, created_at, completed_at)
      SELECT v.column1, b.workspace_id, i.id, b.upload_id, b.kind, v.column2, v.column3, b.id, v.column4, b.ref, v.column5, v.column6, ${sql.raw(String(nowMs))},
        CASE WHEN v.column2 = 'failure' THEN ${sql.raw(String(nowMs))} ELSE ${NULL} END
      FROM (VALUES ${values}) AS v
      JOIN deployment_batches AS b ON b.id = ${idLiteral(batchId)}
      JOIN affected_stack_items AS it ON it.id = v.column4
      JOIN instances AS i ON i.workspace_id = b.workspace_id AND i.repository_id = b.repository_id AND i.stack = it.stack AND i.component = it.component`,
    ),
    sql`SELECT id FROM deployment_batches WHERE id = ${idLiteral(batchId)}`,
  ];
  const results = await runBatch(db, { statements: 0 }, statements);
  return resultRows<{ id: string }>(results[results.length - 1]).length > 0 ? batchId : null;
}
