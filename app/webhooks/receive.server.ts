/**
 * POST /webhooks/github: GitHub's deliveries, answered well inside its 10 s. The signature is checked
 * over the raw body before anything is parsed or stored (401 otherwise, nothing written); a body over
 * GitHub's 25 MiB is refused (413); a redelivery of a delivery we have is acknowledged and changes
 * nothing; anything else is stored and queued (202) for the `queue` handler (./consume.server.ts).
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { envelope } from "../api/envelope";
import { forgetDelivery, recordDelivery } from "../domain/webhook-deliveries.server";
import { type, validate } from "../validation";
import { readBodyBytes } from "../worker/read-body";
import { verifyWebhookSignature } from "./signature.server";

export const WEBHOOK_PATH = "/webhooks/github";
/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** What the message on the queue carries: the delivery is read back from D1 (a queue message is at most 128 KB). */
export type WebhookMessage = { deliveryId: string };

const DELIVERY_ID = /^[0-9A-Za-z-]{1,64}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;
/** Only what routing needs, read after the signature is checked; each event's own schema checks the rest. */
const actionField = type({ action: "0 < string <= 100" });
const installationField = type({ installation: { id: "number.integer > 0" } });

const answer = (context: AppLoadContext, status: number, message: string, errorTag?: string) =>
  envelope(context.requestId, status, status < 300 ? { data: { message } } : { errorTag, errorMessage: message });

export async function handleWebhook(request: Request, context: AppLoadContext): Promise<Response> {
  if (request.method !== "POST") {
    const response = answer(context, 405, "Send webhook deliveries with POST.", "MethodNotAllowed");
    response.headers.set("Allow", "POST");
    return response;
  }
  const secrets = context.settings.GITHUB_WEBHOOK_SECRET;
  if (!secrets) {
    context.logger.warn("webhook_not_configured", {});
    return answer(context, 503, "Webhooks are not configured here: set GITHUB_WEBHOOK_SECRET.", "NotConfigured");
  }
  const read = await readBodyBytes(request, MAX_WEBHOOK_BYTES);
  if (!read.ok) return answer(context, 413, "The delivery is larger than GitHub's 25 MiB limit.", "PayloadTooLarge");
  if (!(await verifyWebhookSignature(secrets, request.headers.get("X-Hub-Signature-256"), read.bytes))) {
    context.logger.warn("webhook_signature_invalid", { signed: request.headers.has("X-Hub-Signature-256") });
    return answer(context, 401, "The signature (X-Hub-Signature-256) is missing or does not match.", "Unauthorized");
  }

  const deliveryId = request.headers.get("X-GitHub-Delivery") ?? "";
  const event = request.headers.get("X-GitHub-Event") ?? "";
  if (!DELIVERY_ID.test(deliveryId) || !EVENT_NAME.test(event)) {
    return answer(context, 400, "X-GitHub-Delivery and X-GitHub-Event are required.", "ValidationError");
  }
  if (!/^application\/json\b/i.test(request.headers.get("Content-Type") ?? "")) {
    return answer(context, 415, "Set the webhook's content type to application/json.", "UnsupportedMediaType");
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(read.bytes));
  } catch {
    return answer(context, 400, "The delivery is not JSON.", "ValidationError");
  }
  if (event === "ping") {
    context.logger.info("webhook_ping", { deliveryId });
    return answer(context, 200, "pong");
  }
  const actionOf = validate(actionField, json);
  const installationOf = validate(installationField, json);
  const action = actionOf.ok ? actionOf.value.action : null;
  const installationId = installationOf.ok ? installationOf.value.installation.id : null;

  const stored = await recordDelivery(context.db, {
    id: deliveryId,
    event,
    action,
    installationId,
    body: read.bytes,
    now: context.now(),
  });
  if (stored.duplicate) {
    context.logger.info("webhook_redelivery", { deliveryId, event });
    return answer(context, 200, "Already received: not processed again.");
  }
  try {
    await context.cloudflare.env.WEBHOOK_QUEUE.send({ deliveryId } satisfies WebhookMessage, { contentType: "json" });
  } catch (error) {
    // Not queued: forget it, so that GitHub's redelivery (or its retry) is received afresh.
    await forgetDelivery(context.db, deliveryId);
    context.logger.error("webhook_enqueue_failed", {
      deliveryId,
      event,
      error: error instanceof Error ? error.name : "unknown",
    });
    return answer(
      context,
      503,
      "The delivery could not be queued. Redeliver it from the App's settings.",
      "Unavailable",
    );
  }
  context.logger.info("webhook_queued", { deliveryId, event, action });
  return answer(context, 202, "Queued.");
}
