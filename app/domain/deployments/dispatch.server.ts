/**
 * Driving a batch: whenever something moved (a batch was created, a run started or ended, a lock was
 * released, a retry is due), `advanceBatch` reads the batch, asks the dispatch order what is next, and
 * applies it. Every change is a conditional UPDATE, so retries, redeliveries and concurrent consumers
 * can never dispatch a job twice: a job is claimed (pending → dispatching, under the batch's
 * concurrency cap, in one statement) before GitHub is called, and only the claimer calls.
 *
 * A dispatch GitHub refused for a reason a retry may fix (5xx, 429, a secondary rate limit) goes back
 * to pending with the time GitHub asked us to wait; one whose outcome we cannot know (GitHub did not
 * answer in time) counts as dispatched without a known run, and the sweeper looks the run up.
 */
import { and, asc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { resultRows, runBatch, type Query } from "../../../db/batch";
import { deployments, deploymentBatches, repositories } from "../../../db/schema";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { DISPATCH_PERMISSIONS, dispatchWorkflow } from "../../github/actions.server";
import { GithubError, repositoryClient, type RepositoryClient } from "../../github/app.server";
import { auditEvent, auditEventIfChanged } from "../audit.server";
import { batchOutcome, IN_FLIGHT_STATES, nextSteps, type JobState } from "../dispatch-order";
import { lockKey, repositoryLocksQuery } from "../locks.server";
import { uploadGraphQueries } from "../uploads/graph.server";
import { describeItem } from "./workflows";

const IN_FLIGHT_SQL = sql.raw(`(${IN_FLIGHT_STATES.map((state) => `'${state}'`).join(", ")})`);

/** A dispatch retried this often without success fails its job. */
export const MAX_DISPATCH_ATTEMPTS = 6;
/** The wait before retry n when GitHub does not say (seconds): 5, 10, 20, … at most 5 minutes. */
export const dispatchBackoffSeconds = (attempt: number) => Math.min(5 * 2 ** Math.max(0, attempt - 1), 300);

const SYSTEM = { type: "system", id: null, label: "Atmos Pro" } as const;

export type AdvanceResult = {
  dispatched: number;
  /** The batch's outcome when it ended in this call, else null. */
  finished: "success" | "failure" | "cancelled" | null;
  /** Seconds until a retry of a dispatch is due (the caller re-queues the batch), or null. */
  retryInSeconds: number | null;
};

type JobRow = {
  id: string;
  itemId: string | null;
  status: JobState;
  workflow: string;
  ref: string | null;
  inputs: Record<string, string> | null;
  attempts: number;
  notBefore: Date | null;
};

async function loadBatch(db: Database, batchId: string, now: Date) {
  const [batchRows, jobs] = await db.batch([
    db
      .select({
        id: deploymentBatches.id,
        workspaceId: deploymentBatches.workspaceId,
        uploadId: deploymentBatches.uploadId,
        kind: deploymentBatches.kind,
        status: deploymentBatches.status,
        headSha: deploymentBatches.headSha,
        maxInFlight: deploymentBatches.maxInFlight,
        owner: repositories.owner,
        name: repositories.name,
        installationId: repositories.installationId,
      })
      .from(deploymentBatches)
      .innerJoin(repositories, eq(repositories.id, deploymentBatches.repositoryId))
      .where(eq(deploymentBatches.id, batchId)),
    db
      .select({
        id: deployments.id,
        itemId: deployments.itemId,
        status: deployments.status,
        workflow: deployments.workflow,
        ref: deployments.ref,
        inputs: deployments.inputs,
        attempts: deployments.attempts,
        notBefore: deployments.notBefore,
      })
      .from(deployments)
      .where(eq(deployments.batchId, batchId))
      .orderBy(asc(deployments.workflow), asc(deployments.id)),
  ]);
  const batch = batchRows[0];
  if (!batch) return null;
  const [items, edges, held] = await db.batch([
    ...uploadGraphQueries(db, batch.uploadId),
    repositoryLocksQuery(db, batch.workspaceId, batch, now),
  ]);
  return { batch, jobs: jobs as JobRow[], items, edges, locks: held };
}

/** D1's limit of bound parameters per statement leaves room for this many ids in one `IN (…)`. */
const IDS_PER_STATEMENT = 90;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Moves a batch on as far as it can go now. */
export async function advanceBatch(
  db: Database,
  settings: Settings,
  batchId: string,
  clock: Clock,
): Promise<AdvanceResult> {
  const result: AdvanceResult = { dispatched: 0, finished: null, retryInSeconds: null };
  let client: RepositoryClient | GithubError | null = null;
  // Each round applies what is ready and reads the batch again: in a plan, a dispatch readies its
  // dependents at once; a skip may end the batch.
  for (let round = 0; round < 100; round++) {
    const now = clock();
    const loaded = await loadBatch(db, batchId, now);
    if (!loaded || loaded.batch.status !== "running") return result;
    const { batch, jobs, items, edges } = loaded;

    const outcome = batchOutcome(jobs.map((job) => ({ state: job.status })));
    if (outcome !== "running") {
      const ended = await db
        .update(deploymentBatches)
        .set({ status: outcome, completedAt: now })
        .where(and(eq(deploymentBatches.id, batch.id), eq(deploymentBatches.status, "running")))
        .returning({ id: deploymentBatches.id });
      if (ended.length > 0) result.finished = outcome;
      return result;
    }

    const jobById = new Map(jobs.map((job) => [job.id, job]));
    const itemById = new Map(items.map((item) => [item.id, item]));
    const keyOf = (item: { stack: string; component: string }) =>
      lockKey({ owner: batch.owner, name: batch.name, ...item });
    // A lock taken by one of this batch's own runs is not "something else".
    const heldKeys = new Set(
      loaded.locks.flatMap((lock) => {
        const runId = lock.properties?.atmos_pro_run_id;
        return typeof runId === "string" && jobById.has(runId) ? [] : [lock.key];
      }),
    );
    const held = new Set(items.filter((item) => heldKeys.has(keyOf(item))).map((item) => item.id));
    const steps = nextSteps({
      items: items.map((item) => item.id),
      edges,
      jobs: jobs.flatMap((job) => (job.itemId ? [{ id: job.id, itemId: job.itemId, state: job.status }] : [])),
      mode: batch.kind,
      maxInFlight: batch.maxInFlight,
      held,
    });

    const writes: Query[] = [];
    // Skipped jobs, one statement per failed item they wait for (and per IDS_PER_STATEMENT jobs).
    const skippedBecause = new Map<string, string[]>();
    for (const { jobId, because } of steps.skip) {
      const group = skippedBecause.get(because) ?? [];
      group.push(jobId);
      skippedBecause.set(because, group);
    }
    for (const [because, skipped] of skippedBecause) {
      const cause = itemById.get(because);
      for (const ids of chunks(skipped, IDS_PER_STATEMENT)) {
        writes.push(
          db
            .update(deployments)
            .set({
              status: "skipped",
              reason: `Skipped: ${cause ? describeItem(cause) : "a dependency"} did not succeed.`,
              completedAt: now,
            })
            .where(and(inArray(deployments.id, ids), inArray(deployments.status, ["pending", "blocked"]))),
        );
      }
    }
    for (const jobId of steps.block) {
      const item = itemById.get(jobById.get(jobId)!.itemId!)!;
      writes.push(
        db
          .update(deployments)
          .set({
            status: "blocked",
            reason: `Blocked by lock on ${keyOf(item)}: dispatched once it is released or expires.`,
          })
          .where(and(eq(deployments.id, jobId), eq(deployments.status, "pending"))),
      );
    }
    // Blocked jobs whose lock is gone wait as pending again.
    const released = jobs.filter((job) => job.status === "blocked" && job.itemId && !held.has(job.itemId));
    for (const ids of chunks(
      released.map((job) => job.id),
      IDS_PER_STATEMENT,
    ))
      writes.push(
        db
          .update(deployments)
          .set({ status: "pending", reason: null })
          .where(and(inArray(deployments.id, ids), eq(deployments.status, "blocked"))),
      );
    if (writes.length > 0) await runBatch(db, { statements: 0 }, writes);

    // Jobs waiting for a retry are not due yet.
    const due = steps.dispatch.filter((id) => {
      const job = jobById.get(id)!;
      if (job.notBefore && job.notBefore.getTime() > now.getTime()) {
        const wait = Math.ceil((job.notBefore.getTime() - now.getTime()) / 1000);
        result.retryInSeconds = Math.min(result.retryInSeconds ?? wait, wait);
        return false;
      }
      return true;
    });
    let claimed = 0;
    for (const id of due) {
      if (!(await claimJob(db, id, now, batchHasRoom(batch.id)))) continue;
      claimed++;
      client ??= await repositoryClient(
        settings,
        batch.owner,
        batch.name,
        DISPATCH_PERMISSIONS,
        clock,
        batch.installationId,
      ).catch((error: unknown) => {
        if (error instanceof GithubError) return error;
        throw error;
      });
      const dispatched = await dispatchJob(db, client, batch, jobById.get(id)!, clock);
      if (dispatched === "dispatched") result.dispatched++;
      if (typeof dispatched === "number")
        result.retryInSeconds = Math.min(result.retryInSeconds ?? dispatched, dispatched);
    }
    // Nothing moved that could ready or end anything: the batch waits for the next event (or retry).
    if (claimed === 0 && steps.skip.length === 0) return result;
  }
  return result;
}

/**
 * Running batches with a job blocked by a lock (in one workspace, or everywhere): what to advance when
 * a lock is released, and each minute for locks that expired.
 */
export async function blockedBatches(db: Database, workspaceId: string | null): Promise<string[]> {
  const rows = await db
    .selectDistinct({ batchId: deployments.batchId })
    .from(deployments)
    .innerJoin(deploymentBatches, eq(deploymentBatches.id, deployments.batchId))
    .where(
      and(
        eq(deployments.status, "blocked"),
        eq(deploymentBatches.status, "running"),
        workspaceId === null ? undefined : eq(deployments.workspaceId, workspaceId),
      ),
    )
    .limit(1000);
  return rows.flatMap((row) => (row.batchId ? [row.batchId] : []));
}

/** The batch has fewer jobs in flight than its cap. */
const batchHasRoom = (batchId: string) =>
  sql`(SELECT count(*) FROM deployments AS d WHERE d.batch_id = ${batchId} AND d.status IN ${IN_FLIGHT_SQL}) < (SELECT max_in_flight FROM deployment_batches WHERE id = ${batchId})`;

/** A drift run has fewer jobs in flight than its cap. */
export const driftRunHasRoom = (runId: string) =>
  sql`(SELECT count(*) FROM deployments AS d WHERE d.drift_run_id = ${runId} AND d.status IN ${IN_FLIGHT_SQL}) < (SELECT max_in_flight FROM drift_runs WHERE id = ${runId})`;

/**
 * pending|blocked → dispatching, only while `room` holds (the job's batch or drift run is under its
 * cap): the one statement that makes a dispatch ours.
 */
export async function claimJob(db: Database, jobId: string, now: Date, room: SQL): Promise<boolean> {
  const claimed = await db
    .update(deployments)
    // dispatched_at from the claim on: a claim whose Worker stopped before the call is found by the sweeper.
    .set({ status: "dispatching", attempts: sql`${deployments.attempts} + 1`, reason: null, dispatchedAt: now })
    .where(
      and(
        eq(deployments.id, jobId),
        inArray(deployments.status, ["pending", "blocked"]),
        or(isNull(deployments.notBefore), lte(deployments.notBefore, now)),
        room,
      ),
    )
    .returning({ id: deployments.id });
  return claimed.length > 0;
}

/** Calls GitHub for a claimed job (of a batch or a drift run): "dispatched", "failed", or the seconds until its retry. */
export async function dispatchJob(
  db: Database,
  client: RepositoryClient | GithubError,
  batch: { workspaceId: string; kind: "plan" | "apply" | "detect" | "remediate"; owner: string; name: string },
  job: Pick<JobRow, "id" | "workflow" | "ref" | "inputs" | "attempts">,
  clock: Clock,
): Promise<"dispatched" | "failed" | number> {
  const settle = (values: Partial<typeof deployments.$inferInsert>) =>
    db
      .update(deployments)
      .set(values)
      .where(and(eq(deployments.id, job.id), eq(deployments.status, "dispatching")));
  const audit = (action: string, metadata: Record<string, unknown>) =>
    auditEvent(db, {
      workspaceId: batch.workspaceId,
      actor: SYSTEM,
      action,
      target: { type: "deployment", id: job.id },
      metadata: { workflow: job.workflow, kind: batch.kind, repository: `${batch.owner}/${batch.name}`, ...metadata },
      at: clock(),
    });
  try {
    if (client instanceof GithubError) throw client;
    const run = await dispatchWorkflow(client, { file: job.workflow, ref: job.ref ?? "", inputs: job.inputs ?? {} });
    const now = clock();
    await db.batch([
      settle({
        status: "queued",
        githubRunId: run?.runId ?? null,
        githubRunUrl: run?.runUrl ?? null,
        dispatchedAt: now,
        notBefore: null,
        reason: run ? null : "Dispatched; waiting for GitHub to report the run.",
      }),
      audit("workflow.dispatched", { runId: run?.runId ?? null, ref: job.ref }),
    ]);
    return "dispatched";
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    const now = clock();
    if (error.kind === "timeout") {
      // GitHub may have started the run: never dispatch again; the sweeper finds the run by its title.
      await settle({
        status: "queued",
        dispatchedAt: now,
        reason: "GitHub did not answer in time; looking for the run.",
      });
      return "dispatched";
    }
    if (error.transient && job.attempts + 1 < MAX_DISPATCH_ATTEMPTS) {
      const wait = error.retryAfterSeconds ?? dispatchBackoffSeconds(job.attempts + 1);
      await settle({
        status: "pending",
        notBefore: new Date(now.getTime() + wait * 1000),
        reason: `${error.message}; retrying in ${wait} s.`,
      });
      return wait;
    }
    await db.batch([
      settle({ status: "failure", reason: `Not dispatched: ${error.message}.`, completedAt: now }),
      audit("workflow.failed", { error: error.message }),
    ]);
    return "failed";
  }
}

// ---------------------------------------------------------------------------------------------
// How runs end
// ---------------------------------------------------------------------------------------------

export type RunFacts = {
  runId: number;
  displayTitle: string | null;
  /** GitHub's run status: requested, queued, pending, waiting, in_progress, completed. */
  status: string | null;
  conclusion: string | null;
  htmlUrl: string;
};

/** Where a run's status and conclusion take a job, and from which states (a job never moves back). */
function transition(facts: RunFacts): { to: JobState; from: JobState[] } | null {
  const dispatched: JobState[] = ["dispatching", "queued"];
  if (facts.status !== "completed") {
    if (facts.status === "in_progress") return { to: "in_progress", from: dispatched };
    if (facts.status === "waiting") return { to: "awaiting_approval", from: [...dispatched, "in_progress"] };
    return null;
  }
  const open: JobState[] = [...dispatched, "in_progress", "awaiting_approval"];
  switch (facts.conclusion) {
    case "success":
    case "neutral":
    case "skipped":
      return { to: "success", from: open };
    case "failure":
    case "timed_out":
    case "startup_failure":
      return { to: "failure", from: open };
    case "cancelled":
    case "stale":
      return { to: "cancelled", from: open };
    case "action_required":
      return { to: "awaiting_approval", from: dispatched.concat("in_progress") };
    default:
      return null;
  }
}

/** What moving a job on a run's news needs of it. */
const runJobColumns = () => ({
  id: deployments.id,
  batchId: deployments.batchId,
  driftRunId: deployments.driftRunId,
  instanceId: deployments.instanceId,
  createdAt: deployments.createdAt,
  workspaceId: deployments.workspaceId,
  workflow: deployments.workflow,
  kind: deployments.kind,
});

const JOB_ID_IN_TITLE = /\bdep_[0-9A-Za-z]{28}\b/;

/**
 * A `workflow_run` event (or a run the sweeper fetched): ties the run to its job — by run id, or by
 * the job id in the run's display title when the dispatch did not tell us the run — and moves the job.
 * Returns the job's batch or drift run when the job moved (to be advanced), else null.
 */
export async function recordWorkflowRun(db: Database, facts: RunFacts, now: Date): Promise<MovedJob | null> {
  let [job] = await db
    .select(runJobColumns())
    .from(deployments)
    .where(eq(deployments.githubRunId, facts.runId))
    .limit(1);
  if (!job) {
    const titled = facts.displayTitle ? JOB_ID_IN_TITLE.exec(facts.displayTitle)?.[0] : undefined;
    if (!titled) return null;
    const [tied] = await db
      .update(deployments)
      .set({ githubRunId: facts.runId, githubRunUrl: facts.htmlUrl })
      .where(and(eq(deployments.id, titled), isNull(deployments.githubRunId)))
      .returning(runJobColumns());
    if (!tied) return null;
    job = tied;
  }
  const move = transition(facts);
  if (!move) return null;
  let to = move.to;
  if (to === "cancelled") {
    // Cancelled because a newer job of the same instance replaced it (e.g. a concurrency group): superseded.
    const [newer] = await db
      .select({ id: deployments.id })
      .from(deployments)
      .where(
        and(
          eq(deployments.instanceId, job.instanceId),
          gt(deployments.createdAt, job.createdAt),
          eq(deployments.kind, job.kind),
        ),
      )
      .limit(1);
    if (newer) to = "superseded";
  }
  const finished = to === "success" || to === "failure" || to === "cancelled" || to === "superseded";
  const statements: Query[] = [
    db
      .update(deployments)
      .set({
        status: to,
        githubRunUrl: facts.htmlUrl,
        reason: to === "awaiting_approval" ? "Awaiting approval of a GitHub environment." : null,
        ...(to === "in_progress" ? { startedAt: now } : {}),
        ...(finished ? { completedAt: now } : {}),
      })
      .where(and(eq(deployments.id, job.id), inArray(deployments.status, move.from)))
      .returning({ id: deployments.id }),
  ];
  if (finished)
    statements.push(
      auditEventIfChanged(db, {
        workspaceId: job.workspaceId,
        actor: { type: "system", id: null, label: "GitHub" },
        action: to === "success" ? "workflow.completed" : "workflow.failed",
        target: { type: "deployment", id: job.id },
        metadata: { workflow: job.workflow, kind: job.kind, runId: facts.runId, conclusion: facts.conclusion },
        at: now,
      }),
    );
  const results = await runBatch(db, { statements: 0 }, statements);
  if (resultRows(results[0]).length === 0) return null;
  return movedJob(job);
}

/** What a job that moved belongs to: the batch or drift run to advance next. */
export type MovedJob = { batchId: string } | { driftRunId: string };

const movedJob = (job: { batchId: string | null; driftRunId: string | null }): MovedJob | null =>
  job.batchId ? { batchId: job.batchId } : job.driftRunId ? { driftRunId: job.driftRunId } : null;

/** A `workflow_job` event: a job waiting for an environment's approval, or running again after it. */
export async function recordWorkflowJob(
  db: Database,
  facts: { runId: number; status: string },
  now: Date,
): Promise<MovedJob | null> {
  const move =
    facts.status === "waiting"
      ? { to: "awaiting_approval" as const, from: ["dispatching", "queued", "in_progress"] as JobState[] }
      : facts.status === "in_progress"
        ? { to: "in_progress" as const, from: ["dispatching", "queued", "awaiting_approval"] as JobState[] }
        : null;
  if (!move) return null;
  const [moved] = await db
    .update(deployments)
    .set({
      status: move.to,
      reason: move.to === "awaiting_approval" ? "Awaiting approval of a GitHub environment." : null,
      ...(move.to === "in_progress" ? { startedAt: now } : {}),
    })
    .where(and(eq(deployments.githubRunId, facts.runId), inArray(deployments.status, move.from)))
    .returning({ batchId: deployments.batchId, driftRunId: deployments.driftRunId });
  return moved ? movedJob(moved) : null;
}
