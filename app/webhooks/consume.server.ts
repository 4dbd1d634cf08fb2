/**
 * The queue consumer of webhook deliveries: claim the stored delivery (at most once: a redelivered
 * message finds it done), check its payload by its event's schema, make the domain call, and record
 * the outcome. A failure that a retry may fix (GitHub or D1 unavailable) goes back to the queue with
 * a growing delay; once the retries are exhausted the message lands in the dead-letter queue, whose
 * consumer marks the delivery failed with its last error, for the workspace's admins to see.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import {
  claimDelivery,
  deadLetterDelivery,
  finishDelivery,
  releaseDelivery,
} from "../domain/webhook-deliveries.server";
import { EventUnprocessable, handleEvent, PayloadInvalid } from "./events.server";
import type { WebhookMessage } from "./receive.server";

/** Seconds before retry n (1, 2, …): base × 2^(n-1), at most 15 minutes. */
export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  return Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), 900);
}

const deliveryIdOf = (message: Message<unknown>) => {
  const body = message.body as Partial<WebhookMessage> | null;
  return body && typeof body.deliveryId === "string" ? body.deliveryId : null;
};

/**
 * What admins see as the error: the innermost cause's name and message (D1's or GitHub's sentence),
 * never the query or its parameters, which a query builder's error would quote.
 */
function describe(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  if (inner instanceof Error) return `${inner.name}: ${inner.message}`.slice(0, 500);
  return "An unexpected error.";
}

export async function consumeWebhooks(batch: MessageBatch<unknown>, context: AppLoadContext): Promise<void> {
  for (const message of batch.messages) {
    const deliveryId = deliveryIdOf(message);
    if (!deliveryId) {
      context.logger.warn("webhook_message_unreadable", { messageId: message.id });
      message.ack();
      continue;
    }
    const now = context.now();
    const delivery = await claimDelivery(context.db, deliveryId, now);
    if (!delivery) {
      // Done, ignored or failed already, or being processed by another consumer: nothing to do twice.
      message.ack();
      continue;
    }
    const log = { deliveryId, event: delivery.event, action: delivery.action, attempt: delivery.attempts };
    try {
      const outcome = await handleEvent(
        delivery.event,
        delivery.action,
        JSON.parse(delivery.body),
        context,
        deliveryId,
      );
      await finishDelivery(
        context.db,
        deliveryId,
        outcome.handled ? { status: "done" } : { status: "ignored", reason: outcome.reason },
        context.now(),
      );
      context.logger.info(outcome.handled ? "webhook_processed" : "webhook_ignored", log);
      message.ack();
    } catch (error) {
      if (error instanceof PayloadInvalid || error instanceof EventUnprocessable) {
        await finishDelivery(context.db, deliveryId, { status: "failed", error: error.message }, context.now());
        if (error instanceof PayloadInvalid)
          context.logger.error("webhook_payload_invalid", { ...log, fields: error.fields });
        else context.logger.warn("webhook_unprocessable", log);
        message.ack();
        continue;
      }
      await releaseDelivery(context.db, deliveryId, describe(error), context.now());
      const delaySeconds = retryDelaySeconds(message.attempts, context.settings.WEBHOOK_RETRY_BASE_SECONDS);
      context.logger.warn("webhook_retry", {
        ...log,
        delaySeconds,
        error: error instanceof Error ? error.name : "unknown",
      });
      message.retry({ delaySeconds });
    }
  }
}

/** The dead-letter queue: the delivery's retries are exhausted. */
export async function deadLetterWebhooks(batch: MessageBatch<unknown>, context: AppLoadContext): Promise<void> {
  for (const message of batch.messages) {
    const deliveryId = deliveryIdOf(message);
    if (deliveryId) {
      await deadLetterDelivery(context.db, deliveryId, context.now());
      context.logger.error("webhook_dead_lettered", { deliveryId });
    }
    message.ack();
  }
}
