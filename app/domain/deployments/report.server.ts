/**
 * Reports a batch on GitHub: the "Atmos Pro" check run of its head sha (one per head sha, shared by
 * the plan and the apply of it) and the pull request's one comment, both edited in place as jobs
 * move. Their ids are stored after the first call, so a retry edits rather than duplicates. A report
 * that GitHub refuses is logged and retried with the next move; it never holds back a dispatch.
 */
import { and, desc, eq, isNotNull, ne } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { deployments, deploymentBatches, instances, pullRequests, repositories, workspaces } from "../../../db/schema";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { repositoryClient } from "../../github/app.server";
import { REPORT_PERMISSIONS, upsertCheckRun, upsertComment } from "../../github/checks.server";
import {
  batchTable,
  CHECK_RUN_NAME,
  checkRunState,
  COMMENT_MARKER,
  commentBody,
  GITHUB_BODY_LIMIT,
  type ReportBatch,
} from "./report";

/** How many of a pull request's batches its comment shows (newest first). */
const COMMENT_BATCHES = 5;

async function reportBatches(db: Database, batchIds: string[]): Promise<Map<string, ReportBatch>> {
  const out = new Map<string, ReportBatch>();
  for (const id of batchIds) {
    const [[batch], jobs] = await db.batch([
      db
        .select({
          kind: deploymentBatches.kind,
          status: deploymentBatches.status,
          error: deploymentBatches.error,
          headSha: deploymentBatches.headSha,
        })
        .from(deploymentBatches)
        .where(eq(deploymentBatches.id, id)),
      db
        .select({
          stack: instances.stack,
          component: instances.component,
          workflow: deployments.workflow,
          status: deployments.status,
          runUrl: deployments.githubRunUrl,
          reason: deployments.reason,
        })
        .from(deployments)
        .innerJoin(instances, eq(instances.id, deployments.instanceId))
        .where(eq(deployments.batchId, id))
        .orderBy(instances.stack, instances.component, deployments.workflow),
    ]);
    if (batch) out.set(id, { ...batch, jobs });
  }
  return out;
}

export async function reportBatch(db: Database, settings: Settings, batchId: string, clock: Clock): Promise<void> {
  const [row] = await db
    .select({
      id: deploymentBatches.id,
      workspaceId: deploymentBatches.workspaceId,
      repositoryId: deploymentBatches.repositoryId,
      headSha: deploymentBatches.headSha,
      pullRequestNumber: deploymentBatches.pullRequestNumber,
      checkRunId: deploymentBatches.checkRunId,
      slug: workspaces.slug,
      owner: repositories.owner,
      name: repositories.name,
      installationId: repositories.installationId,
    })
    .from(deploymentBatches)
    .innerJoin(workspaces, eq(workspaces.id, deploymentBatches.workspaceId))
    .innerJoin(repositories, eq(repositories.id, deploymentBatches.repositoryId))
    .where(eq(deploymentBatches.id, batchId));
  if (!row) return;
  const detailsUrl = `${settings.APP_URL}/dashboard/${encodeURIComponent(row.slug)}/pull-requests?batch=${row.id}`;
  const client = await repositoryClient(settings, row.owner, row.name, REPORT_PERMISSIONS, clock, row.installationId);

  // The check run: the one of this head sha if another batch of it made one already.
  let checkRunId = row.checkRunId;
  if (checkRunId === null) {
    const [sibling] = await db
      .select({ checkRunId: deploymentBatches.checkRunId })
      .from(deploymentBatches)
      .where(
        and(
          eq(deploymentBatches.workspaceId, row.workspaceId),
          eq(deploymentBatches.repositoryId, row.repositoryId),
          eq(deploymentBatches.headSha, row.headSha),
          ne(deploymentBatches.id, row.id),
          isNotNull(deploymentBatches.checkRunId),
        ),
      )
      .limit(1);
    checkRunId = sibling?.checkRunId ?? null;
  }
  const report = (await reportBatches(db, [row.id])).get(row.id)!;
  const state = checkRunState(report);
  const id = await upsertCheckRun(client, checkRunId, {
    name: CHECK_RUN_NAME,
    headSha: row.headSha,
    status: state.status,
    conclusion: state.conclusion,
    detailsUrl,
    title: state.title,
    summary: batchTable(report, detailsUrl, GITHUB_BODY_LIMIT - 1_000),
    externalId: row.id,
  });
  if (id !== row.checkRunId)
    await db.update(deploymentBatches).set({ checkRunId: id }).where(eq(deploymentBatches.id, row.id));

  if (row.pullRequestNumber === null) return;
  const [pr] = await db
    .select({ id: pullRequests.id, commentId: pullRequests.commentId })
    .from(pullRequests)
    .where(and(eq(pullRequests.repositoryId, row.repositoryId), eq(pullRequests.number, row.pullRequestNumber)));
  const recent = await db
    .select({ id: deploymentBatches.id })
    .from(deploymentBatches)
    .where(
      and(
        eq(deploymentBatches.workspaceId, row.workspaceId),
        eq(deploymentBatches.repositoryId, row.repositoryId),
        eq(deploymentBatches.pullRequestNumber, row.pullRequestNumber),
      ),
    )
    .orderBy(desc(deploymentBatches.createdAt), desc(deploymentBatches.id))
    .limit(COMMENT_BATCHES);
  const reports = await reportBatches(
    db,
    recent.map((batch) => batch.id),
  );
  const commentId = await upsertComment(client, {
    number: row.pullRequestNumber,
    knownId: pr?.commentId ?? null,
    marker: COMMENT_MARKER,
    body: commentBody(
      recent.flatMap((batch) => reports.get(batch.id) ?? []),
      `${settings.APP_URL}/dashboard/${encodeURIComponent(row.slug)}/pull-requests`,
    ),
  });
  if (pr && pr.commentId !== commentId)
    await db.update(pullRequests).set({ commentId }).where(eq(pullRequests.id, pr.id));
}
