/** Deployments, locks, pull requests and drift for their dashboard pages (one round trip each). */
import { and, count, desc, eq, gt, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  affectedStackItems,
  affectedStacksUploads,
  deployments,
  type DEPLOYMENT_KINDS,
  type DEPLOYMENT_STATUSES,
  driftSchedules,
  instances,
  locks,
  repositories,
  workspaceRepositories,
} from "../../db/schema";
import { uploadGraphQueries } from "../domain/uploads/graph.server";
import { decodeCursor, encodeCursor } from "./cursor";
import { isoTime, isoTimeOrNull } from "./time";

export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
const PAGE = 50;

export async function listDeployments(
  db: Database,
  workspaceId: string,
  filters: { kind?: DeploymentKind; status?: DeploymentStatus; cursor?: string | null },
) {
  const conditions: SQL[] = [eq(deployments.workspaceId, workspaceId)];
  if (filters.kind) conditions.push(eq(deployments.kind, filters.kind));
  if (filters.status) conditions.push(eq(deployments.status, filters.status));
  const after = decodeCursor(filters.cursor, 2);
  if (after) conditions.push(sql`(${deployments.createdAt}, ${deployments.id}) < (${after[0]}, ${after[1]})`);
  const rows = await db
    .select({
      id: deployments.id,
      kind: deployments.kind,
      status: deployments.status,
      workflow: deployments.workflow,
      githubRunUrl: deployments.githubRunUrl,
      createdAt: deployments.createdAt,
      completedAt: deployments.completedAt,
      instanceId: instances.id,
      stack: instances.stack,
      component: instances.component,
    })
    .from(deployments)
    .innerJoin(instances, eq(instances.id, deployments.instanceId))
    .where(and(...conditions))
    .orderBy(desc(deployments.createdAt), desc(deployments.id))
    .limit(PAGE + 1);
  const page = rows.slice(0, PAGE);
  const last = rows.length > PAGE ? page[page.length - 1] : undefined;
  return {
    deployments: page.map((row) => ({
      ...row,
      createdAt: isoTime(row.createdAt),
      completedAt: isoTimeOrNull(row.completedAt),
    })),
    nextCursor: last ? encodeCursor([last.createdAt.getTime(), last.id]) : null,
  };
}

export async function listActiveLocks(db: Database, workspaceId: string, now: Date) {
  const rows = await db
    .select({
      id: locks.id,
      key: locks.key,
      message: locks.message,
      lockedBy: locks.lockedBy,
      expiresAt: locks.expiresAt,
      createdAt: locks.createdAt,
    })
    .from(locks)
    .where(and(eq(locks.workspaceId, workspaceId), isNull(locks.deletedAt), gt(locks.expiresAt, now)))
    .orderBy(locks.expiresAt)
    .limit(200);
  return rows.map((row) => ({ ...row, expiresAt: isoTime(row.expiresAt), createdAt: isoTime(row.createdAt) }));
}

/** Affected-stacks uploads, newest first, grouped by pull request (or head sha when there is none). */
/**
 * The pull requests page in one D1 round trip: the latest uploads, and the selected upload (the one
 * named, or else the latest) with its dependency graph — found by a subquery, not by a second trip.
 */
export async function loadPullRequests(db: Database, workspaceId: string, selectedId: string | null) {
  const latestFirst = [desc(affectedStacksUploads.createdAt), desc(affectedStacksUploads.id)] as const;
  const selectedUpload = db
    .select({ id: affectedStacksUploads.id })
    .from(affectedStacksUploads)
    .where(
      and(
        eq(affectedStacksUploads.workspaceId, workspaceId),
        selectedId === null ? undefined : eq(affectedStacksUploads.id, selectedId),
      ),
    )
    .orderBy(...latestFirst)
    .limit(1);
  const [rows, selected, items, edges] = await db.batch([
    db
      .select({
        id: affectedStacksUploads.id,
        pullRequest: affectedStacksUploads.pullRequest,
        headSha: affectedStacksUploads.headSha,
        baseSha: affectedStacksUploads.baseSha,
        headRef: affectedStacksUploads.headRef,
        status: affectedStacksUploads.status,
        createdAt: affectedStacksUploads.createdAt,
        owner: repositories.owner,
        name: repositories.name,
        items: sql<number>`(SELECT count(*) FROM ${affectedStackItems} WHERE ${affectedStackItems.uploadId} = ${affectedStacksUploads.id})`,
      })
      .from(affectedStacksUploads)
      .innerJoin(repositories, eq(repositories.id, affectedStacksUploads.repositoryId))
      .where(eq(affectedStacksUploads.workspaceId, workspaceId))
      .orderBy(...latestFirst)
      .limit(100),
    db
      .select({
        id: affectedStacksUploads.id,
        pullRequest: affectedStacksUploads.pullRequest,
        headSha: affectedStacksUploads.headSha,
        status: affectedStacksUploads.status,
      })
      .from(affectedStacksUploads)
      .where(inArray(affectedStacksUploads.id, selectedUpload)),
    ...uploadGraphQueries(db, selectedUpload),
  ]);
  const upload = selected[0];
  return {
    uploads: rows.map((row) => ({ ...row, createdAt: isoTime(row.createdAt) })),
    selected: upload ? { upload, graph: { items, edges } } : null,
  };
}

export async function loadDrift(db: Database, workspaceId: string) {
  const [schedules, byRepository] = await db.batch([
    db
      .select({
        id: driftSchedules.id,
        name: driftSchedules.name,
        cron: driftSchedules.cron,
        timezone: driftSchedules.timezone,
        enabled: driftSchedules.enabled,
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
        owner: repositories.owner,
        name: repositories.name,
        status: instances.status,
        driftEnabled: instances.driftEnabled,
        count: count(),
      })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .innerJoin(
        instances,
        and(
          eq(instances.repositoryId, repositories.id),
          eq(instances.workspaceId, workspaceId),
          isNull(instances.removedAt),
        ),
      )
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .groupBy(repositories.owner, repositories.name, instances.status, instances.driftEnabled),
  ]);
  const repos = new Map<
    string,
    { repository: string; in_sync: number; drifted: number; error: number; unknown: number; driftEnabled: number }
  >();
  for (const row of byRepository) {
    const key = `${row.owner}/${row.name}`;
    const entry = repos.get(key) ?? { repository: key, in_sync: 0, drifted: 0, error: 0, unknown: 0, driftEnabled: 0 };
    entry[row.status] += row.count;
    if (row.driftEnabled) entry.driftEnabled += row.count;
    repos.set(key, entry);
  }
  return {
    schedules: schedules.map((row) => ({
      id: row.id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      enabled: row.enabled,
      scope: row.owner ? `${row.owner}/${row.repoName}` : "All repositories",
      lastRunAt: isoTimeOrNull(row.lastRunAt),
      nextRunAt: isoTimeOrNull(row.nextRunAt),
    })),
    repositories: [...repos.values()],
  };
}
