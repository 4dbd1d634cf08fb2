/**
 * GitHub webhook deliveries: stored once by their `X-GitHub-Delivery` id (a redelivery changes
 * nothing), their raw body kept gzip-compressed in parts (D1 values are at most 2 MB; GitHub sends up
 * to 25 MiB), then claimed, finished or failed by the queue consumer with conditional updates, so two
 * consumers of one message never process it twice.
 */
import { and, asc, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { githubInstallations, webhookDeliveries, webhookDeliveryBodies } from "../../db/schema";
import { gunzipFromBase64, gzipToBase64 } from "../encoding";
import { MAX_STORED_CHUNK_CHARS } from "./uploads/chunks";

export type DeliveryHeaders = { id: string; event: string; action: string | null; installationId: number | null };

/** Stores a delivery and its body. `duplicate`: this id was received before (nothing written). */
export async function recordDelivery(
  db: Database,
  delivery: DeliveryHeaders & { body: Uint8Array<ArrayBuffer>; now: Date },
): Promise<{ duplicate: boolean }> {
  const encoded = await gzipToBase64(delivery.body);
  const parts: string[] = [];
  for (let at = 0; at < encoded.length || parts.length === 0; at += MAX_STORED_CHUNK_CHARS)
    parts.push(encoded.slice(at, at + MAX_STORED_CHUNK_CHARS));
  // One transaction: the row and every part of its body, or nothing (a consumer never sees half a body).
  // On a redelivery the row exists already: nothing is inserted, and the answer says so.
  const [inserted] = await db.batch([
    db
      .insert(webhookDeliveries)
      .values({
        id: delivery.id,
        event: delivery.event,
        action: delivery.action,
        installationId: delivery.installationId,
        status: "queued",
        bodyParts: parts.length,
        bodyBytes: delivery.body.byteLength,
        receivedAt: delivery.now,
        updatedAt: delivery.now,
      })
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id }),
    ...parts.map((data, part) =>
      db.insert(webhookDeliveryBodies).values({ deliveryId: delivery.id, part, data }).onConflictDoNothing(),
    ),
  ]);
  return { duplicate: inserted.length === 0 };
}

/** Forgets a delivery that could not be queued, so that GitHub's redelivery is received afresh. */
export async function forgetDelivery(db: Database, id: string): Promise<void> {
  await db.delete(webhookDeliveries).where(eq(webhookDeliveries.id, id));
}

export type StoredDelivery = DeliveryHeaders & { attempts: number; body: string };

/**
 * Claims a delivery for processing: only a queued one (not done, ignored or failed; a second consumer
 * of the same message finds it claimed). Returns it with its body, or null.
 */
export async function claimDelivery(db: Database, id: string, now: Date): Promise<StoredDelivery | null> {
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ status: "processing", attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: now })
    .where(
      and(
        eq(webhookDeliveries.id, id),
        or(
          eq(webhookDeliveries.status, "queued"),
          // A consumer that died mid-way (the isolate was evicted) leaves "processing": the queue's retry takes it over.
          and(
            eq(webhookDeliveries.status, "processing"),
            lt(webhookDeliveries.updatedAt, new Date(now.getTime() - 60_000)),
          ),
        ),
      ),
    )
    .returning();
  if (!claimed) return null;
  const parts = await db
    .select({ data: webhookDeliveryBodies.data })
    .from(webhookDeliveryBodies)
    .where(eq(webhookDeliveryBodies.deliveryId, id))
    .orderBy(asc(webhookDeliveryBodies.part));
  const body = new TextDecoder().decode(await gunzipFromBase64(parts.map((part) => part.data).join("")));
  return {
    id: claimed.id,
    event: claimed.event,
    action: claimed.action,
    installationId: claimed.installationId,
    attempts: claimed.attempts,
    body,
  };
}

type Outcome = { status: "done" } | { status: "ignored"; reason: string } | { status: "failed"; error: string };

/** Finishes a claimed delivery: done, ignored (an event or action we do not act on), or failed for good. */
export async function finishDelivery(db: Database, id: string, outcome: Outcome, now: Date): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status: outcome.status,
      error: outcome.status === "failed" ? outcome.error : outcome.status === "ignored" ? outcome.reason : null,
      processedAt: now,
      updatedAt: now,
    })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "processing")));
}

/** An attempt failed and will be retried by the queue: back to queued, with the error kept for admins. */
export async function releaseDelivery(db: Database, id: string, error: string, now: Date): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: "queued", error, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "processing")));
}

/** The dead-letter queue's verdict: the retries are exhausted. The last error stays visible. */
export async function deadLetterDelivery(db: Database, id: string, now: Date): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status: "failed",
      error: sql`coalesce(${webhookDeliveries.error}, 'The retries were exhausted.')`,
      processedAt: now,
      updatedAt: now,
    })
    .where(and(eq(webhookDeliveries.id, id), inArray(webhookDeliveries.status, ["queued", "processing"])));
}

/** Deletes deliveries received before `before`, at most `limit` per call (housekeeping). Returns how many. */
export async function pruneDeliveries(db: Database, before: Date, limit: number): Promise<number> {
  const old = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(lt(webhookDeliveries.receivedAt, before))
    .orderBy(asc(webhookDeliveries.receivedAt))
    .limit(limit);
  const deleted = await db
    .delete(webhookDeliveries)
    .where(inArray(webhookDeliveries.id, old))
    .returning({ id: webhookDeliveries.id });
  return deleted.length;
}

/** The workspace's most recent deliveries (those of its connected installations), for its admins: a query for the caller's batch. */
export function recentDeliveriesQuery(db: Database, workspaceId: string, limit = 20) {
  return db
    .select({
      id: webhookDeliveries.id,
      event: webhookDeliveries.event,
      action: webhookDeliveries.action,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      error: webhookDeliveries.error,
      receivedAt: webhookDeliveries.receivedAt,
    })
    .from(webhookDeliveries)
    .where(
      inArray(
        webhookDeliveries.installationId,
        db
          .select({ id: githubInstallations.id })
          .from(githubInstallations)
          .where(eq(githubInstallations.workspaceId, workspaceId)),
      ),
    )
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(limit);
}
