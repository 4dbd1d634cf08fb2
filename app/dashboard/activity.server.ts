/** Deployments, locks and pull requests for their dashboard pages (one round trip each). */
import { and, asc, desc, eq, gt, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  affectedStackItems,
  type BATCH_STATUSES,
  affectedStacksUploads,
  deploymentBatches,
  deployments,
  type DEPLOYMENT_KINDS,
  type DEPLOYMENT_STATUSES,
  instances,
  locks,
  pullRequests,
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
      reason: deployments.reason,
      batchId: deployments.batchId,
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

/** What the pull requests page was asked to show (each from its query string, already checked). */
export type PullRequestSelection = { upload?: string; batch?: string; pr?: string };

const PULL_REQUESTS_LISTED = 50;
const BATCHES_SHOWN = 10;
const JOBS_SHOWN = 1_000;

/**
 * The pull requests page in one D1 round trip: the workspace's pull requests (as GitHub last told
 * us) and the chosen one — the pull request of `?batch=`, else `?pr=`, else the latest — with its
 * newest batches and every job of them; and the latest affected-stacks uploads with the chosen one's
 * dependency graph. Each choice is a subquery, not a second trip; a batch or pull request of another
 * workspace is never chosen (every subquery is scoped to this workspace and its repositories).
 */
export async function loadPullRequests(db: Database, workspaceId: string, selection: PullRequestSelection) {
  const latestFirst = [desc(affectedStacksUploads.createdAt), desc(affectedStacksUploads.id)] as const;
  const selectedUpload = db
    .select({ id: affectedStacksUploads.id })
    .from(affectedStacksUploads)
    .where(
      and(
        eq(affectedStacksUploads.workspaceId, workspaceId),
        selection.upload === undefined ? undefined : eq(affectedStacksUploads.id, selection.upload),
      ),
    )
    .orderBy(...latestFirst)
    .limit(1);

  const ours = db
    .select({ id: workspaceRepositories.repositoryId })
    .from(workspaceRepositories)
    .where(eq(workspaceRepositories.workspaceId, workspaceId));
  const namedBatch = db
    .select({ repositoryId: deploymentBatches.repositoryId, number: deploymentBatches.pullRequestNumber })
    .from(deploymentBatches)
    .where(and(eq(deploymentBatches.workspaceId, workspaceId), eq(deploymentBatches.id, selection.batch ?? "")));
  const chosenPullRequest = db
    .select({ id: pullRequests.id })
    .from(pullRequests)
    .where(
      and(
        inArray(pullRequests.repositoryId, ours),
        selection.batch !== undefined
          ? sql`(${pullRequests.repositoryId}, ${pullRequests.number}) IN ${namedBatch}`
          : selection.pr !== undefined
            ? eq(pullRequests.id, selection.pr)
            : undefined,
      ),
    )
    .orderBy(desc(pullRequests.githubUpdatedAt), desc(pullRequests.id))
    .limit(1);
  const ofChosen = db
    .select({ repositoryId: pullRequests.repositoryId, number: pullRequests.number })
    .from(pullRequests)
    .where(inArray(pullRequests.id, chosenPullRequest));
  // The named batch first (it may be older than the newest few), then the chosen pull request's.
  const shownBatches = db
    .select({ id: deploymentBatches.id })
    .from(deploymentBatches)
    .where(
      and(
        eq(deploymentBatches.workspaceId, workspaceId),
        or(
          eq(deploymentBatches.id, selection.batch ?? ""),
          sql`(${deploymentBatches.repositoryId}, ${deploymentBatches.pullRequestNumber}) IN ${ofChosen}`,
        ),
      ),
    )
    .orderBy(
      desc(sql`${deploymentBatches.id} = ${selection.batch ?? ""}`),
      desc(deploymentBatches.createdAt),
      desc(deploymentBatches.id),
    )
    .limit(BATCHES_SHOWN);
  const pullRequestColumns = {
    id: pullRequests.id,
    number: pullRequests.number,
    title: pullRequests.title,
    author: pullRequests.author,
    state: pullRequests.state,
    headSha: pullRequests.headSha,
    headRef: pullRequests.headRef,
    baseRef: pullRequests.baseRef,
    htmlUrl: pullRequests.htmlUrl,
    updatedAt: pullRequests.githubUpdatedAt,
    repository: sql<string>`${repositories.owner} || '/' || ${repositories.name}`.as("repository"),
  };

  const [rows, selected, items, edges, prs, chosen, batches, jobs] = await db.batch([
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
    db
      .select({
        ...pullRequestColumns,
        latestBatch: sql<
          (typeof BATCH_STATUSES)[number] | null
        >`(SELECT ${deploymentBatches.status} FROM ${deploymentBatches}
          WHERE ${deploymentBatches.workspaceId} = ${workspaceId}
            AND ${deploymentBatches.repositoryId} = ${pullRequests.repositoryId}
            AND ${deploymentBatches.pullRequestNumber} = ${pullRequests.number}
          ORDER BY ${deploymentBatches.createdAt} DESC, ${deploymentBatches.id} DESC LIMIT 1)`.as("latest_batch"),
      })
      .from(pullRequests)
      .innerJoin(repositories, eq(repositories.id, pullRequests.repositoryId))
      .where(inArray(pullRequests.repositoryId, ours))
      .orderBy(desc(pullRequests.githubUpdatedAt), desc(pullRequests.id))
      .limit(PULL_REQUESTS_LISTED),
    db
      .select(pullRequestColumns)
      .from(pullRequests)
      .innerJoin(repositories, eq(repositories.id, pullRequests.repositoryId))
      .where(inArray(pullRequests.id, chosenPullRequest)),
    db
      .select({
        id: deploymentBatches.id,
        kind: deploymentBatches.kind,
        event: deploymentBatches.event,
        activity: deploymentBatches.activity,
        headSha: deploymentBatches.headSha,
        ref: deploymentBatches.ref,
        pullRequestNumber: deploymentBatches.pullRequestNumber,
        status: deploymentBatches.status,
        error: deploymentBatches.error,
        createdAt: deploymentBatches.createdAt,
        completedAt: deploymentBatches.completedAt,
        // Spelled out: drizzle leaves the columns of a one-table select unqualified, and an unqualified
        // "id" inside the subquery would be the deployment's.
        jobCount: sql<number>`(SELECT count(*) FROM ${deployments} WHERE ${deployments.batchId} = "deployment_batches"."id")`,
      })
      .from(deploymentBatches)
      .where(inArray(deploymentBatches.id, shownBatches))
      .orderBy(
        desc(sql`${deploymentBatches.id} = ${selection.batch ?? ""}`),
        desc(deploymentBatches.createdAt),
        desc(deploymentBatches.id),
      ),
    db
      .select({
        id: deployments.id,
        batchId: deployments.batchId,
        kind: deployments.kind,
        workflow: deployments.workflow,
        status: deployments.status,
        reason: deployments.reason,
        attempts: deployments.attempts,
        githubRunUrl: deployments.githubRunUrl,
        // Aliased: a second "id" would overwrite the first in a D1 batch row.
        instanceId: sql<string>`${instances.id}`.as("instance_id"),
        stack: instances.stack,
        component: instances.component,
      })
      .from(deployments)
      .innerJoin(instances, eq(instances.id, deployments.instanceId))
      .where(inArray(deployments.batchId, shownBatches))
      .orderBy(asc(instances.stack), asc(instances.component), asc(deployments.workflow))
      .limit(JOBS_SHOWN),
  ]);
  const upload = selected[0];
  const pullRequest = <T extends { updatedAt: Date }>({ updatedAt, ...row }: T) => ({
    ...row,
    updatedAt: isoTime(updatedAt),
  });
  const jobsOf = new Map<string, typeof jobs>();
  for (const job of jobs) jobsOf.set(job.batchId!, [...(jobsOf.get(job.batchId!) ?? []), job]);
  return {
    uploads: rows.map((row) => ({ ...row, createdAt: isoTime(row.createdAt) })),
    selected: upload ? { upload, graph: { items, edges } } : null,
    pullRequests: prs.map(pullRequest),
    chosen: chosen[0] ? pullRequest(chosen[0]) : null,
    batches: batches.map((batch) => ({
      ...batch,
      createdAt: isoTime(batch.createdAt),
      completedAt: isoTimeOrNull(batch.completedAt),
      jobs: (jobsOf.get(batch.id) ?? []).map(({ batchId: _batch, ...job }) => job),
    })),
  };
}
