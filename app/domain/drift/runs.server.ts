/**
 * Drift runs: one check of one repository's drift-enabled instances, started by a schedule that came
 * due or by a person ("check now", of a repository or of one instance).
 *
 * - `claimDueSchedules` takes each due schedule with one conditional UPDATE (its next run moves on
 *   only if it is still the one we read), so two overlapping Cron invocations never run it twice.
 * - `startDriftRuns` makes a run per repository with one detect job (a deployment) per instance of the
 *   latest inventory and workflow under `settings.pro.drift_detection.detect.workflows`, their start
 *   times spread over a window instead of all at once.
 * - `advanceDriftRun` drives a run with the same machinery as ordered deployments (a job is claimed
 *   under the run's concurrency cap before GitHub is called, retries wait for Retry-After, runs are
 *   tracked by workflow_run and the sweeper); a locked instance is skipped with the reason; with
 *   remediation on, an instance its detect found drifted gets its `drift_detection.remediate`
 *   workflows, once (a unique index makes "once" hold under races).
 */
import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { changedRows, runBatch, type Query } from "../../../db/batch";
import {
  deployments,
  driftRuns,
  driftSchedules,
  instances,
  repositories,
  workspaceRepositories,
} from "../../../db/schema";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { DISPATCH_PERMISSIONS } from "../../github/actions.server";
import { GithubError, repositoryClient, type RepositoryClient } from "../../github/app.server";
import { commitOfRef, REF_PERMISSIONS } from "../../github/commits.server";
import { auditEvent, type AuditActor } from "../audit.server";
import { describeItem, workflowsFor } from "../deployments/workflows";
import { claimJob, dispatchJob, driftRunHasRoom, type AdvanceResult } from "../deployments/dispatch.server";
import { IN_FLIGHT_STATES, WAITING_STATES } from "../dispatch-order";
import { newId } from "../ids";
import { lockKey, repositoryLocksQuery } from "../locks.server";
import { refuse, type Refusal } from "../result";
import { nextRunAfter } from "./schedule-time";

/** At most this many schedules are claimed per minute (the rest stay due for the next minute). */
const MAX_SCHEDULES_PER_TICK = 50;
/** Rows per INSERT of jobs (at most 12 bound values each, under D1's 100). */
const JOBS_PER_INSERT = 8;
/** When GitHub could not tell us the branch's commit, the run tries again this much later. */
const REF_RETRY_SECONDS = 30;

const OPEN_STATES = [...WAITING_STATES, ...IN_FLIGHT_STATES];

export type DriftRunRequest = {
  workspaceId: string;
  /** Null: every repository of the workspace. */
  repositoryId: string | null;
  /** One instance only ("check now" on an instance's page). */
  instanceId?: string;
  scheduleId: string | null;
  cause: "schedule" | "manual";
  requestedBy: string;
  actor: AuditActor;
  remediate: boolean;
  /** Detect jobs start over this many seconds (0: all at once, as a person checking now expects). */
  spreadSeconds: number;
  maxInFlight: number;
  now: Date;
};

export type DriftRefusal = Refusal<"nothing_to_check">;

/**
 * Starts one run per repository that has drift-enabled instances, with its detect jobs; returns the
 * runs (to advance) and how many jobs they hold. None when nothing has drift detection on.
 */
export async function startDriftRuns(
  db: Database,
  request: DriftRunRequest,
): Promise<{ ok: true; runIds: string[]; jobs: number } | DriftRefusal> {
  const [repos, candidates] = await db.batch([
    db
      .select({
        id: repositories.id,
        owner: repositories.owner,
        name: repositories.name,
        ref: repositories.defaultBranch,
      })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .where(
        and(
          eq(workspaceRepositories.workspaceId, request.workspaceId),
          isNull(repositories.deletedAt),
          request.repositoryId === null ? undefined : eq(repositories.id, request.repositoryId),
        ),
      )
      .orderBy(asc(repositories.owner), asc(repositories.name)),
    db
      .select({
        id: instances.id,
        repositoryId: instances.repositoryId,
        stack: instances.stack,
        component: instances.component,
        settingsPro: instances.settingsPro,
      })
      .from(instances)
      .where(
        and(
          eq(instances.workspaceId, request.workspaceId),
          eq(instances.driftEnabled, true),
          isNull(instances.removedAt),
          request.repositoryId === null ? undefined : eq(instances.repositoryId, request.repositoryId),
          request.instanceId === undefined ? undefined : eq(instances.id, request.instanceId),
        ),
      )
      .orderBy(asc(instances.component), asc(instances.stack)),
  ]);
  const runIds: string[] = [];
  const statements: Query[] = [];
  let jobCount = 0;
  for (const repo of repos) {
    const own = candidates.filter((instance) => instance.repositoryId === repo.id);
    if (own.length === 0) continue;
    const runId = newId("drr");
    type JobInsert = typeof deployments.$inferInsert;
    const jobs: JobInsert[] = [];
    for (const instance of own) {
      const requested = workflowsFor(instance, "drift_detection", "detect");
      for (const workflow of requested.workflows) {
        const id = newId("dep");
        jobs.push({
          id,
          workspaceId: request.workspaceId,
          instanceId: instance.id,
          driftRunId: runId,
          kind: "detect",
          status: "pending",
          workflow: workflow.file,
          ref: repo.ref,
          inputs: { ...workflow.inputs, atmos_pro_run_id: id },
        });
      }
      for (const problem of requested.problems)
        jobs.push({
          id: newId("dep"),
          workspaceId: request.workspaceId,
          instanceId: instance.id,
          driftRunId: runId,
          kind: "detect",
          status: "failure",
          workflow: problem.file.slice(0, 200),
          reason: `Configuration error in settings.pro of ${describeItem(instance)}: ${problem.message}.`,
          completedAt: request.now,
        });
      if (requested.workflows.length === 0 && requested.problems.length === 0)
        jobs.push({
          id: newId("dep"),
          workspaceId: request.workspaceId,
          instanceId: instance.id,
          driftRunId: runId,
          kind: "detect",
          status: "skipped",
          workflow: "—",
          reason: `Drift detection is on for ${describeItem(instance)}, but settings.pro.drift_detection.detect names no workflow.`,
          completedAt: request.now,
        });
    }
    // Spread the starts: job i of n waits i/n of the window.
    const pending = jobs.filter((job) => job.status === "pending");
    pending.forEach((job, i) => {
      const offset = Math.floor((i * request.spreadSeconds * 1000) / pending.length);
      job.notBefore = offset > 0 ? new Date(request.now.getTime() + offset) : null;
    });
    statements.push(
      db.insert(driftRuns).values({
        id: runId,
        workspaceId: request.workspaceId,
        repositoryId: repo.id,
        scheduleId: request.scheduleId,
        cause: request.cause,
        requestedBy: request.requestedBy,
        remediate: request.remediate,
        ref: repo.ref,
        status: "running",
        maxInFlight: request.maxInFlight,
        createdAt: request.now,
      }),
    );
    for (let i = 0; i < jobs.length; i += JOBS_PER_INSERT)
      statements.push(db.insert(deployments).values(jobs.slice(i, i + JOBS_PER_INSERT)));
    statements.push(
      auditEvent(db, {
        workspaceId: request.workspaceId,
        actor: request.actor,
        action: "drift.started",
        target: { type: "drift_run", id: runId },
        metadata: {
          repository: `${repo.owner}/${repo.name}`,
          cause: request.cause,
          instances: own.length,
          ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
        },
        at: request.now,
      }),
    );
    runIds.push(runId);
    jobCount += jobs.length;
  }
  if (runIds.length === 0)
    return refuse(
      "nothing_to_check",
      request.instanceId
        ? "Drift detection is not on for this instance: set settings.pro.drift_detection.enabled and upload the inventory again."
        : "No instance here has drift detection on: set settings.pro.drift_detection.enabled in your stacks and upload the inventory (atmos list instances --upload).",
    );
  await runBatch(db, { statements: 0 }, statements);
  return { ok: true, runIds, jobs: jobCount };
}

/**
 * Claims the schedules due at `now`: each one's next run moves to the one after now, conditionally on
 * it being the one we read, so only one of two overlapping invocations gets it.
 */
export async function claimDueSchedules(db: Database, now: Date) {
  const due = await db
    .select({
      id: driftSchedules.id,
      workspaceId: driftSchedules.workspaceId,
      repositoryId: driftSchedules.repositoryId,
      name: driftSchedules.name,
      cron: driftSchedules.cron,
      timezone: driftSchedules.timezone,
      remediate: driftSchedules.remediate,
      nextRunAt: driftSchedules.nextRunAt,
    })
    .from(driftSchedules)
    .where(and(eq(driftSchedules.enabled, true), lte(driftSchedules.nextRunAt, now)))
    .orderBy(asc(driftSchedules.nextRunAt))
    .limit(MAX_SCHEDULES_PER_TICK);
  // One round trip: each UPDATE is conditional on the next run this read saw, so a schedule another
  // invocation took in the meantime changes no row.
  const claims = await runBatch(
    db,
    { statements: 0 },
    due.map((schedule) =>
      db
        .update(driftSchedules)
        .set({ lastRunAt: schedule.nextRunAt, nextRunAt: nextRunAfter(schedule.cron, schedule.timezone, now) })
        .where(
          and(
            eq(driftSchedules.id, schedule.id),
            eq(driftSchedules.enabled, true),
            eq(driftSchedules.nextRunAt, schedule.nextRunAt!),
          ),
        ),
    ),
  );
  return due.filter((_, i) => changedRows(claims[i]) > 0);
}

type RunJob = {
  id: string;
  instanceId: string;
  kind: "plan" | "apply" | "detect" | "remediate";
  status: (typeof deployments.$inferSelect)["status"];
  workflow: string;
  ref: string | null;
  inputs: Record<string, string> | null;
  attempts: number;
  notBefore: Date | null;
};

/** A drift run's jobs, in the order they are due. */
function runJobsQuery(db: Database, runId: string) {
  return db
    .select({
      id: deployments.id,
      instanceId: deployments.instanceId,
      kind: deployments.kind,
      status: deployments.status,
      workflow: deployments.workflow,
      ref: deployments.ref,
      inputs: deployments.inputs,
      attempts: deployments.attempts,
      notBefore: deployments.notBefore,
    })
    .from(deployments)
    .where(eq(deployments.driftRunId, runId))
    .orderBy(asc(deployments.notBefore), asc(deployments.id));
}

async function loadRun(db: Database, runId: string, now: Date) {
  const [runRows, jobs] = await db.batch([
    db
      .select({
        id: driftRuns.id,
        workspaceId: driftRuns.workspaceId,
        status: driftRuns.status,
        remediate: driftRuns.remediate,
        ref: driftRuns.ref,
        headSha: driftRuns.headSha,
        owner: repositories.owner,
        name: repositories.name,
        installationId: repositories.installationId,
      })
      .from(driftRuns)
      .innerJoin(repositories, eq(repositories.id, driftRuns.repositoryId))
      .where(eq(driftRuns.id, runId)),
    runJobsQuery(db, runId),
  ]);
  const run = runRows[0];
  if (!run) return null;
  const [targets, held] = await db.batch([
    db
      .select({
        id: instances.id,
        stack: instances.stack,
        component: instances.component,
        settingsPro: instances.settingsPro,
        // Whether this run's detect reported it drifted.
        drifted: sql<number>`EXISTS (SELECT 1 FROM instance_results AS r WHERE r.drift_run_id = ${runId} AND r.instance_id = "instances"."id" AND r.status = 'drifted')`,
      })
      .from(instances)
      .where(
        and(
          eq(instances.workspaceId, run.workspaceId),
          // Every instance of the run's jobs, by their run: one statement whatever their number.
          sql`${instances.id} IN (SELECT ${deployments.instanceId} FROM ${deployments} WHERE ${deployments.driftRunId} = ${runId})`,
        ),
      ),
    repositoryLocksQuery(db, run.workspaceId, run, now),
  ]);
  return { run, jobs: jobs as RunJob[], targets, locks: held };
}

const isOpen = (status: RunJob["status"]) => (OPEN_STATES as readonly string[]).includes(status);

/**
 * Moves a drift run on as far as it can go now; `retryInSeconds` says when its next spread job (or
 * retry) is due. `now` decides what is due (the clock by default); `clock` signs GitHub's calls.
 */
export async function advanceDriftRun(
  db: Database,
  settings: Settings,
  runId: string,
  clock: Clock,
  now: Date = clock(),
): Promise<AdvanceResult> {
  const result: AdvanceResult = { dispatched: 0, finished: null, retryInSeconds: null };
  const loaded = await loadRun(db, runId, now);
  if (!loaded || loaded.run.status !== "running") return result;
  const { run, targets } = loaded;
  let jobs = loaded.jobs;
  const targetById = new Map(targets.map((target) => [target.id, target]));
  const writes: Query[] = [];

  // Remediation: an instance this run's detect reported drifted, once.
  if (run.remediate) {
    const remediated = new Set(jobs.filter((job) => job.kind === "remediate").map((job) => job.instanceId));
    for (const target of targets) {
      if (!target.drifted || remediated.has(target.id)) continue;
      remediated.add(target.id);
      const requested = workflowsFor(target, "drift_detection", "remediate");
      for (const workflow of requested.workflows) {
        const id = newId("dep");
        writes.push(
          db
            .insert(deployments)
            .values({
              id,
              workspaceId: run.workspaceId,
              instanceId: target.id,
              driftRunId: run.id,
              kind: "remediate",
              status: "pending",
              workflow: workflow.file,
              ref: run.ref,
              inputs: { ...workflow.inputs, atmos_pro_run_id: id },
            })
            .onConflictDoNothing(),
        );
      }
      for (const problem of requested.problems)
        writes.push(
          db
            .insert(deployments)
            .values({
              id: newId("dep"),
              workspaceId: run.workspaceId,
              instanceId: target.id,
              driftRunId: run.id,
              kind: "remediate",
              status: "failure",
              workflow: problem.file.slice(0, 200),
              reason: `Configuration error in settings.pro of ${describeItem(target)}: ${problem.message}.`,
              completedAt: now,
            })
            .onConflictDoNothing(),
        );
    }
  }

  // A locked instance is skipped, with who holds it and why (a lock taken by the run's own job is its own).
  const ownJobs = new Set(jobs.map((job) => job.id));
  const heldBy = new Map(
    loaded.locks
      .filter((lock) => {
        const runIdOfLock = lock.properties?.atmos_pro_run_id;
        return !(typeof runIdOfLock === "string" && ownJobs.has(runIdOfLock));
      })
      .map((lock) => [lock.key, lock]),
  );
  for (const job of jobs) {
    if (job.status !== "pending") continue;
    const target = targetById.get(job.instanceId);
    const lock = target ? heldBy.get(lockKey({ owner: run.owner, name: run.name, ...target })) : undefined;
    if (!lock) continue;
    writes.push(
      db
        .update(deployments)
        .set({
          status: "skipped",
          reason: `Skipped: locked by ${lock.lockedBy}${lock.message ? ` (${lock.message.slice(0, 200)})` : ""}.`,
          completedAt: now,
        })
        .where(and(eq(deployments.id, job.id), eq(deployments.status, "pending"))),
    );
  }
  if (writes.length > 0) {
    await runBatch(db, { statements: 0 }, writes);
    jobs = (await runJobsQuery(db, runId)) as RunJob[];
  }
  if (await endIfSettled(db, run.id, jobs, now, result)) return result;

  const due: RunJob[] = [];
  for (const job of jobs) {
    if (job.status !== "pending") continue;
    if (job.notBefore && job.notBefore.getTime() > now.getTime()) {
      const wait = Math.ceil((job.notBefore.getTime() - now.getTime()) / 1000);
      result.retryInSeconds = Math.min(result.retryInSeconds ?? wait, wait);
    } else due.push(job);
  }
  if (due.length === 0) return result;

  let client: RepositoryClient | GithubError;
  try {
    client = await repositoryClient(
      settings,
      run.owner,
      run.name,
      { ...DISPATCH_PERMISSIONS, ...REF_PERMISSIONS },
      clock,
      run.installationId,
    );
  } catch (error) {
    if (!(error instanceof GithubError)) throw error;
    client = error;
  }
  // The branch's commit, once per run: the `sha` input, and how the sweeper finds unreported runs.
  let headSha = run.headSha;
  if (!headSha && !(client instanceof GithubError)) {
    try {
      headSha = await commitOfRef(client, run.ref);
      await db.update(driftRuns).set({ headSha }).where(eq(driftRuns.id, run.id));
    } catch (error) {
      if (!(error instanceof GithubError)) throw error;
      if (error.transient) {
        result.retryInSeconds = Math.min(result.retryInSeconds ?? REF_RETRY_SECONDS, REF_RETRY_SECONDS);
        return result;
      }
      client = error;
    }
  }
  for (const job of due) {
    if (!(await claimJob(db, job.id, now, driftRunHasRoom(run.id)))) continue;
    const inputs = { ...(job.inputs ?? {}), sha: headSha ?? "" };
    const dispatched = await dispatchJob(db, client, { ...run, kind: job.kind }, { ...job, inputs }, clock);
    if (dispatched === "dispatched") result.dispatched++;
    if (typeof dispatched === "number")
      result.retryInSeconds = Math.min(result.retryInSeconds ?? dispatched, dispatched);
  }
  // When nothing went out and nothing waits for a retry, the dispatches failed: that may end the run.
  if (result.dispatched === 0 && result.retryInSeconds === null)
    await endIfSettled(db, run.id, (await runJobsQuery(db, runId)) as RunJob[], now, result);
  return result;
}

/** Ends the run when none of its jobs is open any more (failure if one failed or was cancelled). */
async function endIfSettled(db: Database, runId: string, jobs: RunJob[], now: Date, result: AdvanceResult) {
  if (jobs.some((job) => isOpen(job.status))) return false;
  const outcome = jobs.some((job) => job.status === "failure" || job.status === "cancelled") ? "failure" : "success";
  const ended = await db
    .update(driftRuns)
    .set({ status: outcome, completedAt: now })
    .where(and(eq(driftRuns.id, runId), eq(driftRuns.status, "running")))
    .returning({ id: driftRuns.id });
  if (ended.length > 0) result.finished = outcome;
  return true;
}

/**
 * Running drift runs that have a job due (the spread reached it, or a retry is due) or nothing left
 * to wait for: the sweeper advances them each minute, whatever became of the queue's messages.
 */
export async function driftRunsToAdvance(db: Database, now: Date, limit = 100): Promise<string[]> {
  const rows = await db
    .select({ id: driftRuns.id })
    .from(driftRuns)
    .where(
      and(
        eq(driftRuns.status, "running"),
        sql`(
          EXISTS (SELECT 1 FROM deployments AS d WHERE d.drift_run_id = "drift_runs"."id" AND d.status = 'pending' AND (d.not_before IS NULL OR d.not_before <= ${now.getTime()}))
          OR NOT EXISTS (SELECT 1 FROM deployments AS d WHERE d.drift_run_id = "drift_runs"."id" AND d.status IN ('pending', 'blocked', 'dispatching', 'queued', 'in_progress', 'awaiting_approval'))
        )`,
      ),
    )
    .orderBy(asc(driftRuns.createdAt))
    .limit(limit);
  return rows.map((row) => row.id);
}

/**
 * The running drift run whose detect of this instance was dispatched and has not ended (the newest,
 * if several): a status report from the instance is that detect's result.
 */
export async function driftRunChecking(
  db: Database,
  instance: { workspaceId: string; repositoryId: string; stack: string; component: string },
): Promise<{ runId: string; remediate: boolean } | null> {
  const [row] = await db
    .select({ runId: driftRuns.id, remediate: driftRuns.remediate })
    .from(deployments)
    .innerJoin(driftRuns, eq(driftRuns.id, deployments.driftRunId))
    .innerJoin(instances, eq(instances.id, deployments.instanceId))
    .where(
      and(
        eq(instances.workspaceId, instance.workspaceId),
        eq(instances.repositoryId, instance.repositoryId),
        eq(instances.stack, instance.stack),
        eq(instances.component, instance.component),
        eq(deployments.kind, "detect"),
        inArray(deployments.status, IN_FLIGHT_STATES),
        eq(driftRuns.status, "running"),
      ),
    )
    .orderBy(desc(driftRuns.createdAt))
    .limit(1);
  return row ?? null;
}
