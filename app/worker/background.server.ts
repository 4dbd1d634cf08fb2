/**
 * The Worker's background entry points: `queue` (webhook deliveries and their dead letters, deployment work) and
 * `scheduled` (the every-minute Cron Trigger: housekeeping, drift schedules that came due, and the backstop of deployments). Each builds the same load context a
 * request gets, so domain code reads the same settings, database and clock.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { readSettings } from "../config/env.server";
import { runHousekeeping } from "../domain/housekeeping.server";
import { createLogger } from "../observability/logger";
import { reportError } from "../observability/reporter";
import { consumeWebhooks, deadLetterWebhooks } from "../webhooks/consume.server";
import { sweepDeployments } from "../domain/deployments/sweep.server";
import { githubAppConfigured } from "../github/app.server";
import { claimDueSchedules, startDriftRuns } from "../domain/drift/runs.server";
import {
  advanceBlockedBatches,
  consumeDeployments,
  DEPLOYMENT_QUEUE,
  enqueueDeployments,
} from "./deployment-queue.server";
import { createLoadContext } from "./load-context";

export const WEBHOOK_QUEUE = "atmos-pro-webhooks";
export const WEBHOOK_DEAD_LETTER_QUEUE = "atmos-pro-webhooks-dlq";

function backgroundContext(env: Env, ctx: ExecutionContext, requestId: string): AppLoadContext | null {
  const settings = readSettings(env);
  if (!settings.ok) {
    createLogger({ requestId }).error("config_invalid", { settings: settings.invalid });
    return null;
  }
  return createLoadContext({ env, ctx, settings: settings.settings, requestId });
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const context = backgroundContext(env, ctx, `queue-${crypto.randomUUID()}`);
  if (!context) {
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  // Queue names may carry an environment suffix (atmos-pro-webhooks-preview): match by prefix.
  if (batch.queue.startsWith(WEBHOOK_DEAD_LETTER_QUEUE)) return deadLetterWebhooks(batch, context);
  if (batch.queue.startsWith(WEBHOOK_QUEUE)) return consumeWebhooks(batch, context);
  if (batch.queue.startsWith(DEPLOYMENT_QUEUE)) return consumeDeployments(batch, context);
  context.logger.error("queue_unknown", { queue: batch.queue });
  batch.retryAll({ delaySeconds: 60 });
}

/** Claims the schedules due now and starts their drift runs (a schedule with nothing to check just moves on). */
async function runDueSchedules(context: AppLoadContext) {
  const now = context.now();
  const claimed = await claimDueSchedules(context.db, now);
  let runs = 0;
  for (const schedule of claimed) {
    const started = await startDriftRuns(context.db, {
      workspaceId: schedule.workspaceId,
      repositoryId: schedule.repositoryId,
      scheduleId: schedule.id,
      cause: "schedule",
      requestedBy: schedule.name,
      actor: { type: "system", id: null, label: `Schedule "${schedule.name}"` },
      remediate: schedule.remediate,
      spreadSeconds: context.settings.DRIFT_SPREAD_SECONDS,
      maxInFlight: context.settings.DEPLOYMENT_MAX_IN_FLIGHT,
      now,
    });
    if (!started.ok) continue;
    runs += started.runIds.length;
    await enqueueDeployments(
      context,
      started.runIds.map((runId) => ({ type: "drift", runId })),
    );
  }
  return { schedules: claimed.length, runs };
}

export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const context = backgroundContext(env, ctx, `cron-${crypto.randomUUID()}`);
  if (!context) return;
  const report = await runHousekeeping(context.db, context.now(), (job, error) =>
    reportError(context.logger, error, { route: `scheduled:${job}` }),
  );
  context.logger.info("housekeeping", { cron: controller.cron, ...report });
  // Locks expire without an event: the batches they held back move on within a minute.
  try {
    const advanced = await advanceBlockedBatches(context, null);
    if (advanced > 0) context.logger.info("blocked_batches_advanced", { batches: advanced });
  } catch (error) {
    reportError(context.logger, error, { route: "scheduled:blocked_batches" });
  }
  if (!githubAppConfigured(context.settings)) return;
  // Drift schedules that came due: each claimed once, its detect jobs queued.
  try {
    const started = await runDueSchedules(context);
    if (started.schedules > 0) context.logger.info("drift_schedules_run", started);
  } catch (error) {
    reportError(context.logger, error, { route: "scheduled:drift" });
  }
  // Runs GitHub never reported, runs that last, batches and drift runs with something due or nothing left to wait for.
  try {
    const swept = await sweepDeployments(context.db, context.settings, context.now);
    await enqueueDeployments(context, [
      ...swept.batches.map((batchId) => ({ type: "advance" as const, batchId })),
      ...swept.driftRuns.map((runId) => ({ type: "drift" as const, runId })),
    ]);
    const { batches, driftRuns, ...counts } = swept;
    context.logger.info("deployments_swept", { ...counts, batches: batches.length, driftRuns: driftRuns.length });
  } catch (error) {
    reportError(context.logger, error, { route: "scheduled:deployments" });
  }
}
