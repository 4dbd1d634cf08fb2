/**
 * The Drift page's data, in one round trip: the schedules (with their next run), each repository's
 * drift status, and the latest drift runs with their jobs and what their detects reported.
 */
import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  deployments,
  driftRuns,
  driftSchedules,
  instanceResults,
  instances,
  repositories,
  workspaceRepositories,
} from "../../db/schema";
import { isoTime, isoTimeOrNull } from "./time";

/** The runs the page shows, newest first, and the jobs shown of each. */
export const DRIFT_RUNS_SHOWN = 20;
export const DRIFT_JOBS_SHOWN = 50;

export async function loadDrift(db: Database, workspaceId: string) {
  const latestRuns = db
    .select({ id: driftRuns.id })
    .from(driftRuns)
    .where(eq(driftRuns.workspaceId, workspaceId))
    .orderBy(desc(driftRuns.createdAt))
    .limit(DRIFT_RUNS_SHOWN);
  const [schedules, byRepository, runs, jobs, results] = await db.batch([
    db
      .select({
        id: driftSchedules.id,
        name: driftSchedules.name,
        cron: driftSchedules.cron,
        timezone: driftSchedules.timezone,
        enabled: driftSchedules.enabled,
        remediate: driftSchedules.remediate,
        repositoryId: driftSchedules.repositoryId,
        lastRunAt: driftSchedules.lastRunAt,
        nextRunAt: driftSchedules.nextRunAt,
        owner: repositories.owner,
        // Aliased: D1 batch rows are objects keyed by column name, so a second "name" would overwrite the first.
        repoName: sql<string | null>`${repositories.name}`.as("repo_name"),
      })
      .from(driftSchedules)
      .leftJoin(repositories, eq(repositories.id, driftSchedules.repositoryId))
      .where(eq(driftSchedules.workspaceId, workspaceId))
      .orderBy(driftSchedules.name),
    db
      .select({
        id: repositories.id,
        owner: repositories.owner,
        name: repositories.name,
        status: instances.status,
        driftEnabled: instances.driftEnabled,
        count: count(instances.id),
      })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .leftJoin(
        instances,
        and(
          eq(instances.repositoryId, repositories.id),
          eq(instances.workspaceId, workspaceId),
          isNull(instances.removedAt),
        ),
      )
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .groupBy(repositories.id, instances.status, instances.driftEnabled)
      .orderBy(repositories.owner, repositories.name),
    db
      .select({
        id: driftRuns.id,
        cause: driftRuns.cause,
        requestedBy: driftRuns.requestedBy,
        status: driftRuns.status,
        remediate: driftRuns.remediate,
        error: driftRuns.error,
        createdAt: driftRuns.createdAt,
        completedAt: driftRuns.completedAt,
        owner: repositories.owner,
        name: repositories.name,
      })
      .from(driftRuns)
      .innerJoin(repositories, eq(repositories.id, driftRuns.repositoryId))
      .where(eq(driftRuns.workspaceId, workspaceId))
      .orderBy(desc(driftRuns.createdAt))
      .limit(DRIFT_RUNS_SHOWN),
    db
      .select({
        id: deployments.id,
        runId: deployments.driftRunId,
        kind: deployments.kind,
        status: deployments.status,
        workflow: deployments.workflow,
        reason: deployments.reason,
        githubRunUrl: deployments.githubRunUrl,
        instanceId: deployments.instanceId,
        stack: instances.stack,
        component: instances.component,
      })
      .from(deployments)
      .innerJoin(instances, eq(instances.id, deployments.instanceId))
      .where(inArray(deployments.driftRunId, latestRuns))
      .orderBy(deployments.kind, instances.component, instances.stack),
    db
      .select({ runId: instanceResults.driftRunId, status: instanceResults.status, count: count() })
      .from(instanceResults)
      .where(inArray(instanceResults.driftRunId, latestRuns))
      .groupBy(instanceResults.driftRunId, instanceResults.status),
  ]);

  const repos = new Map<
    string,
    {
      id: string;
      repository: string;
      in_sync: number;
      drifted: number;
      error: number;
      unknown: number;
      driftEnabled: number;
    }
  >();
  for (const row of byRepository) {
    const key = `${row.owner}/${row.name}`;
    const entry = repos.get(key) ?? {
      id: row.id,
      repository: key,
      in_sync: 0,
      drifted: 0,
      error: 0,
      unknown: 0,
      driftEnabled: 0,
    };
    if (row.status) entry[row.status] += row.count;
    if (row.driftEnabled) entry.driftEnabled += row.count;
    repos.set(key, entry);
  }
  const tally = (runId: string, status: "in_sync" | "drifted" | "error") =>
    results.find((row) => row.runId === runId && row.status === status)?.count ?? 0;
  return {
    schedules: schedules.map((row) => ({
      id: row.id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      enabled: row.enabled,
      remediate: row.remediate,
      repositoryId: row.repositoryId,
      scope: row.owner ? `${row.owner}/${row.repoName}` : "All repositories",
      lastRunAt: isoTimeOrNull(row.lastRunAt),
      nextRunAt: isoTimeOrNull(row.nextRunAt),
    })),
    repositories: [...repos.values()],
    runs: runs.map((run) => {
      const own = jobs.filter((job) => job.runId === run.id);
      return {
        id: run.id,
        repository: `${run.owner}/${run.name}`,
        cause: run.cause,
        requestedBy: run.requestedBy,
        status: run.status,
        remediate: run.remediate,
        error: run.error,
        createdAt: isoTime(run.createdAt),
        completedAt: isoTimeOrNull(run.completedAt),
        checks: own.filter((job) => job.kind === "detect").length,
        inSync: tally(run.id, "in_sync"),
        drifted: tally(run.id, "drifted"),
        errors: tally(run.id, "error"),
        skipped: own.filter((job) => job.status === "skipped").length,
        remediations: own.filter((job) => job.kind === "remediate").length,
        jobs: own.slice(0, DRIFT_JOBS_SHOWN).map((job) => ({
          id: job.id,
          kind: job.kind,
          status: job.status,
          workflow: job.workflow,
          instance: `${job.component} in ${job.stack}`,
          instanceId: job.instanceId,
          reason: job.reason,
          githubRunUrl: job.githubRunUrl,
        })),
      };
    }),
  };
}
