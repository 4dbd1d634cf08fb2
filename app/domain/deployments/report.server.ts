/**
 * Reports a batch on GitHub: the "Atmos Pro" check run of its head sha (one per head sha, shared by
 * the plan and the apply of it) and the pull request's one comment, both edited in place as jobs
 * move. Their ids are stored after the first call, so a retry edits rather than duplicates. A report
 * that GitHub refuses is logged and retried with the next move; it never holds back a dispatch.
 */
import { and, desc, eq, inArray, isNotNull, isNull, ne } from "drizzle-orm";
import type { Database } from "../../../db/client";
import {
  deployments,
  deploymentBatches,
  deploymentTriggers,
  instances,
  pullRequests,
  repositories,
  workspaces,
} from "../../../db/schema";
import type { Clock } from "../../clock";
import type { Settings } from "../../config/env.server";
import { GithubError, repositoryClient } from "../../github/app.server";
import { REPORT_PERMISSIONS, upsertCheckRun, upsertComment } from "../../github/checks.server";
import {
  batchTable,
  CHECK_RUN_NAME,
  checkRunState,
  COMMENT_MARKER,
  commentBody,
  GITHUB_BODY_LIMIT,
  NO_UPLOAD_CHECK,
  type ReportBatch,
} from "./report";

/** How many of a pull request's batches its comment shows (newest first). */
const COMMENT_BATCHES = 5;

/** Batches as their reports show them, with their jobs: two statements in one round trip, whatever the count. */
async function reportBatches(db: Database, batchIds: string[]): Promise<Map<string, ReportBatch>> {
  const [rows, jobs] = await db.batch([
    db
      .select({
        id: deploymentBatches.id,
        kind: deploymentBatches.kind,
        status: deploymentBatches.status,
        error: deploymentBatches.error,
        headSha: deploymentBatches.headSha,
      })
      .from(deploymentBatches)
      .where(inArray(deploymentBatches.id, batchIds)),
    db
      .select({
        batchId: deployments.batchId,
        stack: instances.stack,
        component: instances.component,
        workflow: deployments.workflow,
        status: deployments.status,
        runUrl: deployments.githubRunUrl,
        reason: deployments.reason,
      })
      .from(deployments)
      .innerJoin(instances, eq(instances.id, deployments.instanceId))
      .where(inArray(deployments.batchId, batchIds))
      .orderBy(instances.stack, instances.component, deployments.workflow),
  ]);
  const out = new Map<string, ReportBatch>(rows.map(({ id, ...batch }) => [id, { ...batch, jobs: [] }]));
  for (const { batchId, ...job } of jobs) if (batchId) out.get(batchId)?.jobs.push(job);
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
      triggerCheckRunId: deploymentTriggers.checkRunId,
      slug: workspaces.slug,
      owner: repositories.owner,
      name: repositories.name,
      installationId: repositories.installationId,
    })
    .from(deploymentBatches)
    .innerJoin(workspaces, eq(workspaces.id, deploymentBatches.workspaceId))
    .innerJoin(repositories, eq(repositories.id, deploymentBatches.repositoryId))
    .innerJoin(deploymentTriggers, eq(deploymentTriggers.id, deploymentBatches.triggerId))
    .where(eq(deploymentBatches.id, batchId));
  if (!row) return;
  const detailsUrl = `${settings.APP_URL}/dashboard/${encodeURIComponent(row.slug)}/pull-requests?batch=${row.id}`;
  const client = await repositoryClient(settings, row.owner, row.name, REPORT_PERMISSIONS, clock, row.installationId);

  // In one round trip: another batch of this head sha that made the check run already; the pull
  // request's latest batches (this one among them) for its comment; the comment we made on it.
  const pullRequest = row.pullRequestNumber ?? -1;
  const [siblings, latest, prs] = await db.batch([
    db
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
      .limit(1),
    db
      .select({ id: deploymentBatches.id })
      .from(deploymentBatches)
      .where(
        and(
          eq(deploymentBatches.workspaceId, row.workspaceId),
          eq(deploymentBatches.repositoryId, row.repositoryId),
          eq(deploymentBatches.pullRequestNumber, pullRequest),
        ),
      )
      .orderBy(desc(deploymentBatches.createdAt), desc(deploymentBatches.id))
      .limit(COMMENT_BATCHES),
    db
      .select({ id: pullRequests.id, commentId: pullRequests.commentId })
      .from(pullRequests)
      .where(and(eq(pullRequests.repositoryId, row.repositoryId), eq(pullRequests.number, pullRequest))),
  ]);
  // A merge group's upload that came after its neutral check run edits that one: one check run per head sha.
  const checkRunId = row.checkRunId ?? siblings[0]?.checkRunId ?? row.triggerCheckRunId ?? null;
  const recent = latest.map((batch) => batch.id);
  const pr = prs[0];
  const reports = await reportBatches(db, recent.includes(row.id) ? recent : [row.id, ...recent]);
  const report = reports.get(row.id)!;
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
  const commentId = await upsertComment(client, {
    number: row.pullRequestNumber,
    knownId: pr?.commentId ?? null,
    marker: COMMENT_MARKER,
    body: commentBody(
      recent.flatMap((id) => reports.get(id) ?? []),
      `${settings.APP_URL}/dashboard/${encodeURIComponent(row.slug)}/pull-requests`,
    ),
  });
  if (pr && pr.commentId !== commentId)
    await db.update(pullRequests).set({ commentId }).where(eq(pullRequests.id, pr.id));
}

export type MergeGroupWaiting = {
  triggerId: string;
  headSha: string;
  owner: string;
  name: string;
  installationId: number | null;
};

/**
 * A merge group no upload met in time gets a neutral "Atmos Pro" check run, once: the trigger is
 * claimed before the call and released again only when GitHub may take it later (then the next sweep
 * retries). False when another sweep had claimed it, or GitHub refused it for good.
 */
export async function reportNoUpload(
  db: Database,
  settings: Settings,
  waiting: MergeGroupWaiting,
  clock: Clock,
  now: Date,
): Promise<boolean> {
  const claimed = await db
    .update(deploymentTriggers)
    .set({ settledAt: now })
    .where(and(eq(deploymentTriggers.id, waiting.triggerId), isNull(deploymentTriggers.settledAt)))
    .returning({ id: deploymentTriggers.id });
  if (claimed.length === 0) return false;
  try {
    const client = await repositoryClient(
      settings,
      waiting.owner,
      waiting.name,
      REPORT_PERMISSIONS,
      clock,
      waiting.installationId,
    );
    const id = await upsertCheckRun(client, null, {
      name: CHECK_RUN_NAME,
      headSha: waiting.headSha,
      status: "completed",
      conclusion: "neutral",
      detailsUrl: `${settings.APP_URL}/docs/ordered-deployments`,
      title: NO_UPLOAD_CHECK.title,
      summary: NO_UPLOAD_CHECK.summary(Math.round(settings.MERGE_GROUP_WAIT_SECONDS / 60)),
      externalId: waiting.triggerId,
    });
    await db.update(deploymentTriggers).set({ checkRunId: id }).where(eq(deploymentTriggers.id, waiting.triggerId));
    return true;
  } catch (error) {
    if (error instanceof GithubError && error.transient)
      await db.update(deploymentTriggers).set({ settledAt: null }).where(eq(deploymentTriggers.id, waiting.triggerId));
    throw error;
  }
}
