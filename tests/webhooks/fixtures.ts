/**
 * A sender of GitHub webhooks, as GitHub sends them: real-shaped payloads (GitHub's published
 * examples, @octokit/webhooks-examples, with our overrides), signed with X-Hub-Signature-256, with a
 * delivery id and event header, POSTed to the built Worker.
 */
import { SELF } from "cloudflare:test";
import examples from "@octokit/webhooks-examples";
import { expect } from "vitest";
import { signWebhook } from "~/webhooks/signature.server";
import { db } from "../db";
import { fakes } from "../fakes/control";
import { ORIGIN } from "../http";
import { TEST_WEBHOOK_SECRETS } from "../settings";

type Payload = Record<string, unknown>;

/** GitHub's example payload for `event` (with `action`, when given): a fresh copy. */
export function example(event: string, action?: string): Payload {
  const definition = examples.find((entry) => entry.name === event);
  const found = definition?.examples.find((candidate) => !action || (candidate as Payload).action === action);
  if (!found) throw new Error(`no example payload for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(found) as Payload;
}

/** Every example payload GitHub publishes for `event`. */
export function allExamples(event: string): Payload[] {
  return (examples.find((entry) => entry.name === event)?.examples ?? []).map(
    (payload) => structuredClone(payload) as Payload,
  );
}

let deliveries = 0;
export const newDeliveryId = () => `00000000-0000-4000-8000-${String(++deliveries).padStart(12, "0")}`;

export type SendOptions = {
  deliveryId?: string;
  /** The secret to sign with (the first test secret by default); null sends no signature. */
  secret?: string | null;
  signature?: string;
  body?: string;
  headers?: Record<string, string>;
};

/** POSTs a delivery to /webhooks/github as GitHub does. */
export async function send(event: string, payload: unknown, options: SendOptions = {}) {
  const body = options.body ?? JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? newDeliveryId();
  const headers = new Headers({
    "Content-Type": "application/json",
    "User-Agent": "GitHub-Hookshot/abc1234",
    "X-GitHub-Event": event,
    "X-GitHub-Delivery": deliveryId,
    "X-GitHub-Hook-ID": "424242",
    ...options.headers,
  });
  const secret = options.secret === undefined ? TEST_WEBHOOK_SECRETS[0] : options.secret;
  if (options.signature !== undefined) headers.set("X-Hub-Signature-256", options.signature);
  else if (secret !== null) headers.set("X-Hub-Signature-256", await signWebhook(secret, body));
  const response = await SELF.fetch(`${ORIGIN}/webhooks/github`, { method: "POST", headers, body });
  const envelope = (await response.json()) as {
    status: number;
    success: boolean;
    errorTag?: string;
    errorMessage?: string;
    data?: { message: string };
  };
  expect(envelope.status).toBe(response.status);
  return { response, envelope, deliveryId };
}

type DeliveryRow = {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  event: string;
  action: string | null;
};

/** The stored delivery, or null. */
export async function deliveryRow(id: string): Promise<DeliveryRow | null> {
  const row = await db()
    .$client.prepare("SELECT id, status, attempts, error, event, action FROM webhook_deliveries WHERE id = ?")
    .bind(id)
    .first<DeliveryRow>();
  return row ?? null;
}

/** Waits (bounded) until the queue consumer has finished the delivery: done, ignored or failed. */
export async function processed(id: string, timeoutMs = 10_000): Promise<DeliveryRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await deliveryRow(id);
    if (row && ["done", "ignored", "failed"].includes(row.status)) return row;
    if (Date.now() > until)
      throw new Error(`delivery ${id} not processed within ${timeoutMs} ms: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** An installation payload (GitHub's example) for our installation `id` on `account`, covering `repos`. */
export function installationCreated(id: number, account: string, repos: string[], senderId = 5001) {
  const payload = example("installation", "created");
  const installation = payload.installation as Payload;
  installation.id = id;
  installation.account = { ...(installation.account as Payload), login: account, id: 9000 + id, type: "Organization" };
  installation.repository_selection = "selected";
  payload.sender = { ...(payload.sender as Payload), id: senderId, login: "acme-admin" };
  payload.repositories = repos.map((name, i) => ({
    id: id * 1000 + i + 1,
    node_id: "x",
    name,
    full_name: `${account}/${name}`,
    private: true,
  }));
  return payload;
}

/**
 * What GitHub lists for installation `id` from now on (GET /installation/repositories on the local fake):
 * the truth an `installation_repositories` event is reconciled with, whatever order events arrive in.
 */
export async function githubLists(id: number, account: string, repositories: Array<[number, string]>): Promise<void> {
  const response = await fetch(`${fakes().controlUrl}/git`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      installations: { [id]: { account, repositories: repositories.map(([repoId, name]) => ({ id: repoId, name })) } },
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}
