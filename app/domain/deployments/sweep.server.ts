/**
 * The backstop of ordered deployments, run by the every-minute Cron Trigger: nothing waits forever
 * on an event GitHub did not send.
 *
 * - A job dispatched without a known run (GitHub answered 204, or did not answer in time, or the
 *   Worker stopped between the claim and the call) is looked up after 2 minutes through the runs API,
 *   by head sha and the job id in the run's title. Not found after 10 minutes, it fails with the
 *   reason — it is never dispatched a second time.
 * - A run in progress for more than 15 minutes is polled (at most every 15 minutes each), so a lost
 *   `workflow_run` webhook cannot keep its batch open.
 * - A running batch with nothing left to wait for is advanced, which ends it and its check run.
 * - A running drift run with a job due (its spread start came, or a retry) or nothing left to wait
 *   for is advanced, whatever became of the queue message meant to do it.
 * - A merge group that no affected-stacks upload met within MERGE_GROUP_WAIT_SECONDS gets a neutral
 *   check run ("No affected stacks workflow detected"), once, so a merge queue requiring the check
 *   is not held forever by a repository that does not deploy with Atmos.
 *
 * Each sweep is bounded; what it moved is returned for the caller to advance.
 */
import { and, asc, eq, exists, gt, inArray, isNotNull, isNull, lt, lte, notExists, or, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  deployments,
  deploymentBatches,
  deploymentTriggers,
  driftRuns,
  repositories,
  workspaceRepositories,
} from "../../../db/schema";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { getWorkflowRun, RUNS_PERMISSIONS, runsOfHeadSha, type workflowRun } from "../../github/actions.server";
import { GithubError, repositoryClient, type RepositoryClient } from "../../github/app.server";
import { driftRunsToAdvance } from "../drift/runs.server";
import { recordWorkflowRun } from "./dispatch.server";
import { reportNoUpload } from "./report.server";

export const LOOKUP_AFTER_MS = 2 * 60_000;
export const GIVE_UP_AFTER_MS = 10 * 60_000;
export const POLL_AFTER_MS = 15 * 60_000;
const MAX_JOBS_PER_SWEEP = 100;
/** A merge group older than this is past caring about: GitHub's merge queue gave up on it long ago. */
export const MERGE_GROUP_MAX_AGE_MS = 24 * 60 * 60_000;

/** A run as the runs API shows it, in the terms recordWorkflowRun takes. */
const runFacts = (run: typeof workflowRun.infer) => ({
  runId: run.id,
  displayTitle: run.display_title ?? null,
  status: run.status,
  conclusion: run.conclusion,
  htmlUrl: run.html_url,
});

export type SweepReport = {
  lookedUp: number;
  found: number;
  failed: number;
  polled: number;
  /** Merge groups given their neutral check run. */
  neutral: number;
  batches: string[];
  /** Drift runs to advance: a job moved, a spread start is due, or nothing is left to wait for. */
  driftRuns: string[];
};

/** `now` decides what is late (the clock by default); `clock` signs GitHub's calls. */
export async function sweepDeployments(
  db: Database,
  settings: Settings,
  clock: Clock,
  now: Date = clock(),
): Promise<SweepReport> {
  const report: SweepReport = { lookedUp: 0, found: 0, failed: 0, polled: 0, neutral: 0, batches: [], driftRuns: [] };
  const touched = new Set<string>();
  const columns = {
    id: deployments.id,
    batchId: deployments.batchId,
    driftRunId: deployments.driftRunId,
    status: deployments.status,
    runId: deployments.githubRunId,
    dispatchedAt: deployments.dispatchedAt,
    startedAt: deployments.startedAt,
    // A batch's head, or the commit a drift run resolved (null until it did: nothing was dispatched then).
    headSha: sql<string>`coalesce(${deploymentBatches.headSha}, ${driftRuns.headSha}, '')`,
    owner: repositories.owner,
    name: repositories.name,
    installationId: repositories.installationId,
  };
  const [unknownRuns, longRuns, idle, mergeGroups] = await db.batch([
    db
      .select(columns)
      .from(deployments)
      .leftJoin(deploymentBatches, eq(deploymentBatches.id, deployments.batchId))
      .leftJoin(driftRuns, eq(driftRuns.id, deployments.driftRunId))
      .innerJoin(
        repositories,
        eq(repositories.id, sql`coalesce(${deploymentBatches.repositoryId}, ${driftRuns.repositoryId})`),
      )
      .where(
        and(
          inArray(deployments.status, ["dispatching", "queued"]),
          isNull(deployments.githubRunId),
          lte(deployments.dispatchedAt, new Date(now.getTime() - LOOKUP_AFTER_MS)),
        ),
      )
      .orderBy(asc(deployments.dispatchedAt))
      .limit(MAX_JOBS_PER_SWEEP),
    db
      .select(columns)
      .from(deployments)
      .leftJoin(deploymentBatches, eq(deploymentBatches.id, deployments.batchId))
      .leftJoin(driftRuns, eq(driftRuns.id, deployments.driftRunId))
      .innerJoin(
        repositories,
        eq(repositories.id, sql`coalesce(${deploymentBatches.repositoryId}, ${driftRuns.repositoryId})`),
      )
      .where(
        and(
          inArray(deployments.status, ["queued", "in_progress", "awaiting_approval"]),
          isNotNull(deployments.githubRunId),
          lte(deployments.dispatchedAt, new Date(now.getTime() - POLL_AFTER_MS)),
          or(isNull(deployments.notBefore), lte(deployments.notBefore, now)),
        ),
      )
      .orderBy(asc(deployments.dispatchedAt))
      .limit(MAX_JOBS_PER_SWEEP),
    db
      .select({ id: deploymentBatches.id })
      .from(deploymentBatches)
      .where(
        and(
          eq(deploymentBatches.status, "running"),
          lt(deploymentBatches.createdAt, new Date(now.getTime() - LOOKUP_AFTER_MS)),
          notExists(
            db
              .select({ one: sql`1` })
              .from(deployments)
              .where(
                and(
                  eq(deployments.batchId, deploymentBatches.id),
                  inArray(deployments.status, ["pending", "dispatching", "queued", "in_progress", "awaiting_approval"]),
                ),
              ),
          ),
        ),
      )
      .limit(MAX_JOBS_PER_SWEEP),
    db
      .select({
        triggerId: deploymentTriggers.id,
        headSha: deploymentTriggers.headSha,
        owner: repositories.owner,
        name: repositories.name,
        installationId: repositories.installationId,
      })
      .from(deploymentTriggers)
      .innerJoin(repositories, eq(repositories.id, deploymentTriggers.repositoryId))
      .where(
        and(
          eq(deploymentTriggers.event, "merge_group"),
          isNull(deploymentTriggers.settledAt),
          lte(deploymentTriggers.receivedAt, new Date(now.getTime() - settings.MERGE_GROUP_WAIT_SECONDS * 1000)),
          gt(deploymentTriggers.receivedAt, new Date(now.getTime() - MERGE_GROUP_MAX_AGE_MS)),
          isNull(repositories.deletedAt),
          exists(
            db
              .select({ one: sql`1` })
              .from(workspaceRepositories)
              .where(eq(workspaceRepositories.repositoryId, repositories.id)),
          ),
          notExists(
            db
              .select({ one: sql`1` })
              .from(deploymentBatches)
              .where(eq(deploymentBatches.triggerId, deploymentTriggers.id)),
          ),
        ),
      )
      .orderBy(asc(deploymentTriggers.receivedAt))
      .limit(MAX_JOBS_PER_SWEEP),
  ]);
  for (const batch of idle) touched.add(batch.id);
  const touchedRuns = new Set(await driftRunsToAdvance(db, now));
  const touch = (job: { batchId: string | null; driftRunId: string | null }) => {
    if (job.batchId) touched.add(job.batchId);
    if (job.driftRunId) touchedRuns.add(job.driftRunId);
  };

  const clients = new Map<string, Promise<RepositoryClient>>();
  const clientFor = (job: (typeof unknownRuns)[number]) => {
    const key = `${job.owner}/${job.name}`;
    if (!clients.has(key))
      clients.set(key, repositoryClient(settings, job.owner, job.name, RUNS_PERMISSIONS, clock, job.installationId));
    return clients.get(key)!;
  };

  // Runs GitHub never told us about: find them by the job id in their title.
  const runsByHead = new Map<string, Awaited<ReturnType<typeof runsOfHeadSha>>>();
  for (const job of unknownRuns) {
    report.lookedUp++;
    try {
      const key = `${job.owner}/${job.name}@${job.headSha}`;
      if (!runsByHead.has(key)) runsByHead.set(key, await runsOfHeadSha(await clientFor(job), job.headSha));
      const run = runsByHead.get(key)!.find((candidate) => candidate.display_title?.includes(job.id));
      if (run) {
        report.found++;
        await recordWorkflowRun(db, runFacts(run), now);
        touch(job);
        continue;
      }
    } catch (error) {
      if (!(error instanceof GithubError)) throw error;
      continue; // GitHub unavailable: the next sweep tries again.
    }
    if (job.dispatchedAt && now.getTime() - job.dispatchedAt.getTime() >= GIVE_UP_AFTER_MS) {
      const failed = await db
        .update(deployments)
        .set({
          status: "failure",
          completedAt: now,
          reason:
            "GitHub never reported a run for this dispatch (put the atmos_pro_run_id input in the workflow's run-name so it can be found). It was not dispatched again.",
        })
        .where(
          and(
            eq(deployments.id, job.id),
            inArray(deployments.status, ["dispatching", "queued"]),
            isNull(deployments.githubRunId),
          ),
        )
        .returning({ id: deployments.id });
      if (failed.length > 0) {
        report.failed++;
        touch(job);
      }
    }
  }

  // Long runs: ask GitHub how they are doing, at most every POLL_AFTER_MS each.
  for (const job of longRuns) {
    report.polled++;
    await db
      .update(deployments)
      .set({ notBefore: new Date(now.getTime() + POLL_AFTER_MS) })
      .where(eq(deployments.id, job.id));
    try {
      const run = await getWorkflowRun(await clientFor(job), job.runId!);
      const moved = await recordWorkflowRun(db, runFacts(run), now);
      if (moved) touch("batchId" in moved ? { batchId: moved.batchId, driftRunId: null } : { batchId: null, ...moved });
    } catch (error) {
      if (!(error instanceof GithubError)) throw error;
    }
  }
  // Merge groups no upload met: a neutral check run, so the queue is not held.
  for (const waiting of mergeGroups) {
    try {
      if (await reportNoUpload(db, settings, waiting, clock, now)) report.neutral++;
    } catch (error) {
      if (!(error instanceof GithubError)) throw error;
    }
  }
  report.batches = [...touched];
  report.driftRuns = [...touchedRuns];
  return report;
}
