/** A workspace's overview — counts, trends and what needs attention — in one D1 round trip. */
import { and, count, desc, eq, gt, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  deployments,
  instanceResults,
  instances,
  instanceStatusCounts,
  locks,
  repositories,
  workspaceRepositories,
} from "../../db/schema";
import { isoTime, isoTimeOrNull } from "./time";

const DAY = 24 * 3_600_000;
export const TREND_DAYS = 30;

const day = (column: unknown) => sql<string>`strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

// Counts and "needs attention" cover the repositories in the workspace now: the instance rows of a
// repository removed from it stay behind (for its history) but are no longer the workspace's.
const inWorkspaceNow = (rows: typeof instances | typeof instanceStatusCounts) =>
  and(
    eq(workspaceRepositories.workspaceId, rows.workspaceId),
    eq(workspaceRepositories.repositoryId, rows.repositoryId),
  );
const currentRepository = inWorkspaceNow(instances);

const ATTENTION = 10;
export const REPOSITORIES_SHOWN = 10;

function attentionQuery(db: Database, workspaceId: string, status: "error" | "drifted") {
  return db
    .select({
      id: instances.id,
      stack: instances.stack,
      component: instances.component,
      status: instances.status,
      lastRunAt: instances.lastRunAt,
    })
    .from(instances)
    .innerJoin(workspaceRepositories, currentRepository)
    .where(and(eq(instances.workspaceId, workspaceId), eq(instances.status, status), isNull(instances.removedAt)))
    .orderBy(desc(instances.lastRunAt))
    .limit(ATTENTION);
}

export async function loadOverview(db: Database, workspaceId: string, now: Date) {
  const since = new Date(now.getTime() - (TREND_DAYS - 1) * DAY);
  since.setUTCHours(0, 0, 0, 0);
  const soon = new Date(now.getTime() + DAY);

  const [
    statusRows,
    repositoryRows,
    lockRows,
    runningRows,
    recent,
    driftRows,
    deployRows,
    erroring,
    drifting,
    failedApplies,
    expiring,
  ] = await db.batch([
    // The kept counts (a few rows per repository), not a count of every instance.
    db
      .select({
        status: instanceStatusCounts.status,
        count: sql<number>`sum(${instanceStatusCounts.count})`.mapWith(Number),
      })
      .from(instanceStatusCounts)
      .innerJoin(workspaceRepositories, inWorkspaceNow(instanceStatusCounts))
      .where(eq(instanceStatusCounts.workspaceId, workspaceId))
      .groupBy(instanceStatusCounts.status),
    // The first few repositories and how many there are: the Repositories page lists them all.
    db
      .select({
        id: repositories.id,
        owner: repositories.owner,
        name: repositories.name,
        host: repositories.host,
        total: sql<number>`count(*) over ()`.mapWith(Number),
      })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .orderBy(repositories.owner, repositories.name)
      .limit(REPOSITORIES_SHOWN),
    db
      .select({ count: count() })
      .from(locks)
      .where(and(eq(locks.workspaceId, workspaceId), isNull(locks.deletedAt), gt(locks.expiresAt, now))),
    db
      .select({ count: count() })
      .from(deployments)
      .where(and(eq(deployments.workspaceId, workspaceId), inArray(deployments.status, ["queued", "in_progress"]))),
    db
      .select({
        id: deployments.id,
        kind: deployments.kind,
        status: deployments.status,
        createdAt: deployments.createdAt,
        githubRunUrl: deployments.githubRunUrl,
        stack: instances.stack,
        component: instances.component,
      })
      .from(deployments)
      .innerJoin(instances, eq(instances.id, deployments.instanceId))
      .where(eq(deployments.workspaceId, workspaceId))
      .orderBy(desc(deployments.createdAt))
      .limit(8),
    db
      .select({ day: day(instanceResults.ranAt), status: instanceResults.status, count: count() })
      .from(instanceResults)
      // Drift detection's results only: what the drift runs' detects reported (not pull requests' plans).
      .where(
        and(
          eq(instanceResults.workspaceId, workspaceId),
          isNotNull(instanceResults.driftRunId),
          gt(instanceResults.ranAt, since),
        ),
      )
      .groupBy(day(instanceResults.ranAt), instanceResults.status),
    db
      .select({ day: day(deployments.createdAt), count: count() })
      .from(deployments)
      .where(and(eq(deployments.workspaceId, workspaceId), gt(deployments.createdAt, since)))
      .groupBy(day(deployments.createdAt)),
    // Errors first, then drifted, each the most recently run first: two index walks of at most 10 rows.
    attentionQuery(db, workspaceId, "error"),
    attentionQuery(db, workspaceId, "drifted"),
    db
      .select({
        id: deployments.id,
        stack: instances.stack,
        component: instances.component,
        createdAt: deployments.createdAt,
        githubRunUrl: deployments.githubRunUrl,
      })
      .from(deployments)
      .innerJoin(instances, eq(instances.id, deployments.instanceId))
      .innerJoin(workspaceRepositories, currentRepository)
      .where(
        and(eq(deployments.workspaceId, workspaceId), eq(deployments.kind, "apply"), eq(deployments.status, "failure")),
      )
      .orderBy(desc(deployments.createdAt))
      .limit(5),
    db
      .select({ id: locks.id, key: locks.key, expiresAt: locks.expiresAt, lockedBy: locks.lockedBy })
      .from(locks)
      .where(
        and(
          eq(locks.workspaceId, workspaceId),
          isNull(locks.deletedAt),
          gt(locks.expiresAt, now),
          lte(locks.expiresAt, soon),
        ),
      )
      .orderBy(locks.expiresAt)
      .limit(5),
  ]);

  const byStatus = { in_sync: 0, drifted: 0, error: 0, unknown: 0 };
  for (const row of statusRows) if (row.status in byStatus) byStatus[row.status] = row.count;

  const days = Array.from({ length: TREND_DAYS }, (_, i) =>
    new Date(since.getTime() + i * DAY).toISOString().slice(0, 10),
  );
  const drift = new Map(days.map((d) => [d, { day: d, drifted: 0, inSync: 0, error: 0 }]));
  for (const row of driftRows) {
    const entry = drift.get(row.day);
    if (!entry) continue;
    if (row.status === "drifted") entry.drifted += row.count;
    else if (row.status === "in_sync") entry.inSync += row.count;
    else if (row.status === "error") entry.error += row.count;
  }
  const perDay = new Map(deployRows.map((row) => [row.day, row.count]));

  return {
    instancesByStatus: byStatus,
    repositories: repositoryRows.map(({ total: _total, ...repository }) => repository),
    repositoryCount: repositoryRows[0]?.total ?? 0,
    activeLocks: lockRows[0]?.count ?? 0,
    deploymentsInProgress: runningRows[0]?.count ?? 0,
    recentDeployments: recent.map((row) => ({ ...row, createdAt: isoTime(row.createdAt) })),
    driftTrend: [...drift.values()],
    deploymentsPerDay: days.map((d) => ({ day: d, count: perDay.get(d) ?? 0 })),
    attention: {
      instances: [...erroring, ...drifting]
        .slice(0, ATTENTION)
        .map((row) => ({ ...row, lastRunAt: isoTimeOrNull(row.lastRunAt) })),
      failedApplies: failedApplies.map((row) => ({ ...row, createdAt: isoTime(row.createdAt) })),
      expiringLocks: expiring.map((row) => ({ ...row, expiresAt: isoTime(row.expiresAt) })),
    },
  };
}
