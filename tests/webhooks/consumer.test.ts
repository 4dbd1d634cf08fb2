/**
 * The webhook queue consumer, driven directly (cloudflare:test's message batches) for what the HTTP
 * path cannot provoke on demand: a transient failure is retried with a growing delay and its error kept;
 * the dead-letter queue marks the delivery failed; a message for a delivery already done is acknowledged
 * without a second run. And once through the real queue: a delivery that fails every time ends in the
 * dead-letter queue, failed, with its last error.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordDelivery } from "~/domain/webhook-deliveries.server";
import { handleQueue } from "~/worker/background.server";
import { retryDelaySeconds } from "~/webhooks/consume.server";
import { db, FIXED_NOW } from "../db";
import { expectErrorLogs } from "../logs";
import { fakes } from "../fakes/control";
import { deliveryRow, example, githubLists, installationCreated, newDeliveryId, processed, send } from "./fixtures";

async function gitFaults(faults: Record<string, string>) {
  const response = await fetch(`${fakes().controlUrl}/git`, { method: "POST", body: JSON.stringify({ faults }) });
  expect(response.status).toBe(200);
}

async function stored(payload: unknown, event = "installation", action = "created") {
  const id = newDeliveryId();
  const body = new TextEncoder().encode(JSON.stringify(payload));
  expect(await recordDelivery(db(), { id, event, action, installationId: 91, body, now: FIXED_NOW })).toEqual({
    duplicate: false,
  });
  return id;
}

async function consume(queue: string, deliveryId: string, attempts = 1, environment: Env = env) {
  const batch = createMessageBatch(queue, [
    { id: `msg-${deliveryId}`, timestamp: FIXED_NOW, attempts, body: { deliveryId } },
  ]);
  const ctx = createExecutionContext();
  await handleQueue(batch, environment, ctx);
  return getQueueResult(batch, ctx);
}

/** The test env with a D1 whose writes to github_installations fail: GitHub-or-D1-is-down, on demand. */
function failingEnv(): Env {
  const real = env.DB;
  const failing = new Proxy(real, {
    get(target, key) {
      if (key === "prepare")
        return (query: string) => {
          if (/github_installations/i.test(query) && /^\s*insert/i.test(query))
            throw new Error("D1 is unavailable (test)");
          return target.prepare(query);
        };
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, DB: failing } as Env;
}

describe("the webhook consumer", () => {
  it("retries a delivery whose processing failed, with a growing delay, keeping the error for admins", async () => {
    expectErrorLogs();
    const id = await stored(installationCreated(91, "acme", ["infra"]));
    const result = await consume("atmos-pro-webhooks", id, 1, failingEnv());
    expect(result.retryMessages.map((message: { msgId: string }) => message.msgId)).toEqual([`msg-${id}`]);
    expect(result.explicitAcks).toEqual([]);
    expect(await deliveryRow(id)).toMatchObject({
      status: "queued",
      attempts: 1,
      error: "Error: D1 is unavailable (test)",
    });
    expect([1, 2, 3, 4, 5, 12].map((attempt) => retryDelaySeconds(attempt, 10))).toEqual([10, 20, 40, 80, 160, 900]);

    // The next attempt, with D1 back, processes it.
    const retried = await consume("atmos-pro-webhooks", id, 2);
    expect(retried.explicitAcks).toEqual([`msg-${id}`]);
    expect(await deliveryRow(id)).toMatchObject({ status: "done", attempts: 2 });
  });

  it("retries an installation_repositories delivery while GitHub cannot list the installation's repositories", async () => {
    expectErrorLogs();
    await processed((await send("installation", installationCreated(93, "acme", ["infra"]))).deliveryId);
    await githubLists(93, "acme", [
      [93001, "infra"],
      [93002, "apps"],
    ]);
    const added = {
      ...example("installation_repositories", "added"),
      installation: installationCreated(93, "acme", []).installation,
      repositories_added: [{ id: 93002, node_id: "x", name: "apps", full_name: "acme/apps", private: true }],
      repositories_removed: [],
    };
    const id = await stored(added, "installation_repositories", "added");
    const covered = () =>
      db()
        .$client.prepare("SELECT name FROM repositories WHERE installation_id = 93 ORDER BY name")
        .all<{ name: string }>()
        .then(({ results }) => results.map((row) => row.name));
    await gitFaults({ listRepositories: "http_500" });
    try {
      const result = await consume("atmos-pro-webhooks", id);
      expect(result.retryMessages.map((message: { msgId: string }) => message.msgId)).toEqual([`msg-${id}`]);
      const row = await deliveryRow(id);
      expect(row).toMatchObject({ status: "queued", attempts: 1 });
      expect(row?.error).toMatch(/list_installation_repositories/);
      expect(await covered()).toEqual(["infra"]);
    } finally {
      await gitFaults({ listRepositories: "ok" });
    }
    expect((await consume("atmos-pro-webhooks", id, 2)).explicitAcks).toEqual([`msg-${id}`]);
    expect(await covered()).toEqual(["apps", "infra"]);
  });

  it("acknowledges a message whose delivery is done already, without running it again", async () => {
    const id = await stored(installationCreated(92, "acme", ["infra"]));
    expect((await consume("atmos-pro-webhooks", id)).explicitAcks).toEqual([`msg-${id}`]);
    const again = await consume("atmos-pro-webhooks", id, 1, failingEnv());
    expect(again.explicitAcks).toEqual([`msg-${id}`]);
    expect(again.retryMessages).toEqual([]);
    expect(await deliveryRow(id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("the dead-letter queue marks the delivery failed, keeping its last error", async () => {
    expectErrorLogs();
    const id = await stored(installationCreated(93, "acme", ["infra"]));
    await consume("atmos-pro-webhooks", id, 1, failingEnv());
    const dead = await consume("atmos-pro-webhooks-dlq", id);
    expect(dead.explicitAcks).toEqual([`msg-${id}`]);
    expect(await deliveryRow(id)).toMatchObject({ status: "failed", error: "Error: D1 is unavailable (test)" });
  });

  it("through the real queue: a delivery that fails every time is retried, then dead-lettered and failed", async () => {
    expectErrorLogs();
    // Two repositories of the installation; renaming one onto the other's name can never succeed.
    await processed((await send("installation", installationCreated(94, "acme", ["infra", "apps"]))).deliveryId);
    const rename = {
      action: "renamed",
      changes: { repository: { name: { from: "infra" } } },
      repository: { id: 94001, name: "apps", full_name: "acme/apps", owner: { login: "acme" } },
      installation: { id: 94 },
      sender: { id: 1, login: "acme-admin" },
    };
    const { response, deliveryId } = await send("repository", rename);
    expect(response.status).toBe(202);
    const row = await processed(deliveryId, 15_000);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(5);
    expect(row.error).toMatch(/UNIQUE constraint failed/);
    expect(row.error).not.toMatch(/update "repositories"|params/);
  });
});
