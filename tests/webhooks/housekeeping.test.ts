/**
 * The every-minute housekeeping under a fixed clock: abandoned upload chunks expire, audit events
 * older than their plan keeps them go, old webhook deliveries are pruned; each job is bounded per run,
 * and two runs at once do the work once. Also through the Worker's own `scheduled` handler.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  affectedStacksChunks,
  affectedStacksUploads,
  auditEvents,
  instanceUploads,
  repositories,
  webhookDeliveries,
  workspaces,
} from "../../db/schema";
import { pruneAuditEvents, runHousekeeping } from "~/domain/housekeeping.server";
import { newId } from "~/domain/ids";
import { recordDelivery } from "~/domain/webhook-deliveries.server";
import { handleScheduled } from "~/worker/background.server";
import { db, FIXED_NOW } from "../db";

const DAY = 86_400_000;
const ago = (ms: number) => new Date(FIXED_NOW.getTime() - ms);

async function world() {
  const free = newId("ws");
  const enterprise = newId("ws");
  const repo = newId("repo");
  await db().batch([
    db().insert(workspaces).values({ id: free, name: "Free", slug: "free-ws", plan: "free" }),
    db().insert(workspaces).values({ id: enterprise, name: "Ent", slug: "ent-ws", plan: "enterprise" }),
    db().insert(repositories).values({ id: repo, owner: "acme", name: "infra" }),
  ]);
  const event = (workspaceId: string, age: number, label: string) =>
    db()
      .insert(auditEvents)
      .values({
        id: newId("aud"),
        workspaceId,
        actorType: "system",
        actorId: null,
        actorLabel: label,
        action: "test.event",
        category: "test",
        createdAt: ago(age),
      });
  await db().batch([
    event(free, 31 * DAY, "free-old"),
    event(free, 29 * DAY, "free-kept"),
    event(enterprise, 731 * DAY, "ent-old"),
    event(enterprise, 400 * DAY, "ent-kept"),
  ]);
  const upload = newId("upl");
  await db().batch([
    db()
      .insert(affectedStacksUploads)
      .values({
        id: upload,
        workspaceId: free,
        repositoryId: repo,
        headSha: "a".repeat(40),
        baseSha: "b".repeat(40),
        batchId: "batch-1",
        batchTotal: 2,
        batchReceived: 1,
        status: "receiving",
        createdAt: ago(2 * 3_600_000),
        expiresAt: ago(3_600_000),
      }),
    db().insert(affectedStacksChunks).values({ uploadId: upload, batchIndex: 0, body: "[]" }),
    db()
      .insert(instanceUploads)
      .values({
        workspaceId: free,
        batchId: "inv-1",
        repositoryId: repo,
        batchTotal: 3,
        status: "receiving",
        startedAt: ago(2 * 3_600_000),
      }),
  ]);
  for (const [id, age] of [
    ["00000000-0000-4000-8000-00000000a001", 31 * DAY],
    ["00000000-0000-4000-8000-00000000a002", DAY],
  ] as const) {
    await recordDelivery(db(), {
      id,
      event: "star",
      action: "created",
      installationId: null,
      body: new TextEncoder().encode("{}"),
      now: ago(age),
    });
  }
  return { upload };
}

async function state() {
  const d = db();
  const [labels, uploads, chunks, inventories, deliveries] = await d.batch([
    d.select({ label: auditEvents.actorLabel }).from(auditEvents).orderBy(auditEvents.actorLabel),
    d.select({ status: affectedStacksUploads.status }).from(affectedStacksUploads),
    d.select({ id: affectedStacksChunks.uploadId }).from(affectedStacksChunks),
    d.select({ status: instanceUploads.status }).from(instanceUploads),
    d.select({ id: webhookDeliveries.id }).from(webhookDeliveries).orderBy(webhookDeliveries.id),
  ]);
  return {
    audit: labels.map((row) => row.label),
    uploads: uploads.map((row) => row.status),
    chunks: chunks.length,
    inventories: inventories.map((row) => row.status),
    deliveries: deliveries.map((row) => row.id),
  };
}

describe("housekeeping", () => {
  it("expires abandoned uploads, prunes audit events past their plan's retention and old deliveries", async () => {
    await world();
    const report = await runHousekeeping(db(), FIXED_NOW, (job, error) => {
      throw new Error(`${job}: ${String(error)}`);
    });
    expect(report).toEqual({
      uploads_expired: 1,
      inventories_expired: 1,
      audit_events_pruned: 2,
      deliveries_pruned: 1,
    });
    expect(await state()).toEqual({
      audit: ["ent-kept", "free-kept"],
      uploads: ["expired"],
      chunks: 0,
      inventories: ["expired"],
      deliveries: ["00000000-0000-4000-8000-00000000a002"],
    });
  });

  it("two runs at once do the work once; a second run finds nothing", async () => {
    await world();
    const noError = (job: string, error: unknown) => {
      throw new Error(`${job}: ${String(error)}`);
    };
    const [a, b] = await Promise.all([
      runHousekeeping(db(), FIXED_NOW, noError),
      runHousekeeping(db(), FIXED_NOW, noError),
    ]);
    for (const job of ["uploads_expired", "inventories_expired", "audit_events_pruned", "deliveries_pruned"] as const)
      expect(Number(a[job]) + Number(b[job]), job).toBe(
        { uploads_expired: 1, inventories_expired: 1, audit_events_pruned: 2, deliveries_pruned: 1 }[job],
      );
    expect(await runHousekeeping(db(), FIXED_NOW, noError)).toEqual({
      uploads_expired: 0,
      inventories_expired: 0,
      audit_events_pruned: 0,
      deliveries_pruned: 0,
    });
  });

  it("is bounded per run: the next run takes the rest", async () => {
    await world();
    expect(await pruneAuditEvents(db(), FIXED_NOW, 1)).toBe(1);
    expect(await pruneAuditEvents(db(), FIXED_NOW, 1)).toBe(1);
    expect(await pruneAuditEvents(db(), FIXED_NOW, 1)).toBe(0);
  });

  it("runs from the Worker's scheduled handler at the run's clock", async () => {
    await world();
    const ctx = createExecutionContext();
    await handleScheduled(createScheduledController({ scheduledTime: FIXED_NOW, cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await state()).audit).toEqual(["ent-kept", "free-kept"]);
  });
});
