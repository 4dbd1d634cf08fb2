/**
 * The deployment queue: the work that moves batches, off the request that caused it.
 *
 *   { type: "upload", uploadId }    an affected-stacks upload is complete: match it with its trigger
 *   { type: "trigger", triggerId }  GitHub told us something that deploys a head sha: match its uploads
 *   { type: "advance", batchId }    something moved in a batch: dispatch what is ready, end it when done
 *   { type: "drift", runId }        something moved in a drift run (or its spread reached a job): the same
 *
 * Every step is idempotent (unique batches, conditional job claims), so a redelivered or retried
 * message does nothing twice. A failure that a retry may fix goes back with a growing delay; a
 * dispatch that GitHub asked us to hold back re-queues its batch for when the wait is over.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { advanceBatch, blockedBatches, type MovedJob } from "../domain/deployments/dispatch.server";
import { advanceDriftRun } from "../domain/drift/runs.server";
import { matchTrigger, matchUpload, type Matched } from "../domain/deployments/matching.server";
import { reportBatch } from "../domain/deployments/report.server";
import { GithubError } from "../github/app.server";
import { retryDelaySeconds } from "../webhooks/consume.server";

/** When GitHub could not take a report, the batch is reported again this much later. */
const REPORT_RETRY_SECONDS = 30;

export const DEPLOYMENT_QUEUE = "atmos-pro-deployments";

export type DeploymentMessage =
  | { type: "upload"; uploadId: string }
  | { type: "trigger"; triggerId: string }
  | { type: "advance"; batchId: string }
  | { type: "drift"; runId: string };

/** The message that advances what a job that moved belongs to. */
export const advanceMessage = (moved: MovedJob): DeploymentMessage =>
  "batchId" in moved ? { type: "advance", batchId: moved.batchId } : { type: "drift", runId: moved.driftRunId };

/** Queues deployment work (from a request, a webhook, or the queue itself). */
export async function enqueueDeployments(
  context: AppLoadContext,
  messages: DeploymentMessage[],
  delaySeconds = 0,
): Promise<void> {
  if (messages.length === 0) return;
  await context.cloudflare.env.DEPLOYMENT_QUEUE.sendBatch(
    messages.map((body) => ({ body, contentType: "json" as const, delaySeconds })),
  );
}

/** After a lock was released (workspace) or may have expired (null: all): the batches it held back move on. */
export async function advanceBlockedBatches(context: AppLoadContext, workspaceId: string | null): Promise<number> {
  const ids = await blockedBatches(context.db, workspaceId);
  await enqueueDeployments(
    context,
    ids.map((batchId) => ({ type: "advance", batchId })),
  );
  return ids.length;
}

function readMessage(body: unknown): DeploymentMessage | null {
  if (typeof body !== "object" || body === null) return null;
  const message = body as Record<string, unknown>;
  if (message.type === "upload" && typeof message.uploadId === "string")
    return { type: "upload", uploadId: message.uploadId };
  if (message.type === "trigger" && typeof message.triggerId === "string")
    return { type: "trigger", triggerId: message.triggerId };
  if (message.type === "advance" && typeof message.batchId === "string")
    return { type: "advance", batchId: message.batchId };
  if (message.type === "drift" && typeof message.runId === "string") return { type: "drift", runId: message.runId };
  return null;
}

async function run(message: DeploymentMessage, context: AppLoadContext): Promise<void> {
  if (message.type === "drift") {
    const result = await advanceDriftRun(context.db, context.settings, message.runId, context.now);
    context.logger.info("drift_run_advanced", { runId: message.runId, ...result });
    if (result.retryInSeconds !== null)
      await enqueueDeployments(context, [message], Math.max(1, result.retryInSeconds));
    return;
  }
  const options = { maxInFlight: context.settings.DEPLOYMENT_MAX_IN_FLIGHT, now: context.now() };
  let batches: Matched[];
  if (message.type === "upload") batches = await matchUpload(context.db, message.uploadId, options);
  else if (message.type === "trigger") batches = await matchTrigger(context.db, message.triggerId, options);
  else batches = [{ batchId: message.batchId, workspaceId: "" }];
  for (const { batchId } of batches) {
    const result = await advanceBatch(context.db, context.settings, batchId, context.now);
    context.logger.info("batch_advanced", { batchId, dispatched: result.dispatched, finished: result.finished });
    let retryIn = result.retryInSeconds;
    try {
      await reportBatch(context.db, context.settings, batchId, context.now);
    } catch (error) {
      // The report never holds back a dispatch: logged, and redone with the next move (or soon, if GitHub may recover).
      if (!(error instanceof GithubError)) throw error;
      context.logger.warn("batch_report_failed", { batchId, kind: error.kind, step: error.step, status: error.status });
      if (error.transient)
        retryIn = Math.min(retryIn ?? REPORT_RETRY_SECONDS, error.retryAfterSeconds ?? REPORT_RETRY_SECONDS);
    }
    if (retryIn !== null) await enqueueDeployments(context, [{ type: "advance", batchId }], Math.max(1, retryIn));
  }
}

export async function consumeDeployments(batch: MessageBatch<unknown>, context: AppLoadContext): Promise<void> {
  for (const message of batch.messages) {
    const body = readMessage(message.body);
    if (!body) {
      context.logger.warn("deployment_message_unreadable", { messageId: message.id });
      message.ack();
      continue;
    }
    try {
      await run(body, context);
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelaySeconds(message.attempts, context.settings.WEBHOOK_RETRY_BASE_SECONDS);
      context.logger.warn("deployment_retry", {
        type: body.type,
        attempt: message.attempts,
        delaySeconds,
        error: error instanceof Error ? error.name : "unknown",
      });
      message.retry({ delaySeconds });
    }
  }
}
