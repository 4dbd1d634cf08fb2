/** The numbers on a workspace's overview, read in one D1 round trip. */
import { and, count, desc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { deployments, instances, locks, repositories, workspaceRepositories } from "../../db/schema";

export async function loadOverview(db: Database, workspaceId: string, now: Date) {
  const [statusRows, repositoryRows, lockRows, runningRows, recent] = await db.batch([
    db
      .select({ status: instances.status, count: count() })
      .from(instances)
      .where(and(eq(instances.workspaceId, workspaceId), isNull(instances.removedAt)))
      .groupBy(instances.status),
    db
      .select({ id: repositories.id, owner: repositories.owner, name: repositories.name, host: repositories.host })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .orderBy(repositories.owner, repositories.name),
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
  ]);

  const byStatus = { in_sync: 0, drifted: 0, error: 0, unknown: 0 };
  for (const row of statusRows) if (row.status in byStatus) byStatus[row.status] = row.count;

  return {
    instancesByStatus: byStatus,
    repositories: repositoryRows,
    activeLocks: lockRows[0]?.count ?? 0,
    deploymentsInProgress: runningRows[0]?.count ?? 0,
    recentDeployments: recent.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
  };
}
