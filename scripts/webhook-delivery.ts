/**
 * A GitHub webhook delivery as GitHub makes it, for trying the App locally: GitHub's published example
 * payload for an event (@octokit/webhooks-examples), signed (X-Hub-Signature-256) with the first
 * GITHUB_WEBHOOK_SECRET of .dev.vars, POSTed to a Worker. Used by `npm run webhook:send` and the
 * browser e2e, so the e2e sends what a developer sends.
 */
import { readFileSync } from "node:fs";
import examples from "@octokit/webhooks-examples" with { type: "json" };
import { signWebhook } from "../app/webhooks/signature.server";

export type ExamplePayload = Record<string, unknown>;

/** GitHub's example payload for `event.action` (or `event`), or the sentence saying what exists. */
export function examplePayload(name: string): { event: string; payload: ExamplePayload } | { problem: string } {
  const [event, action] = name.split(".") as [string, string | undefined];
  const definition = examples.find((entry) => entry.name === event);
  const payload = definition?.examples.find((example) => !action || (example as { action?: string }).action === action);
  if (!payload) {
    const known = definition ? definition.actions.join(", ") : examples.map((entry) => entry.name).join(", ");
    return {
      problem: `GitHub publishes no example for ${name}. ${definition ? `Actions: ${known}` : `Events: ${known}`}`,
    };
  }
  return { event, payload: structuredClone(payload) as ExamplePayload };
}

/** The secret `npm run dev` verifies deliveries with (the first of .dev.vars' GITHUB_WEBHOOK_SECRET), or null. */
export function devWebhookSecret(file = ".dev.vars"): string | null {
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((candidate) => candidate.startsWith("GITHUB_WEBHOOK_SECRET="));
  return line?.slice("GITHUB_WEBHOOK_SECRET=".length).split(",")[0]?.trim() || null;
}

/** POSTs one signed delivery of `event` to `url` (…/webhooks/github), with a fresh delivery id. */
export async function postWebhook(url: string, event: string, payload: unknown, secret: string): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "GitHub-Hookshot/local",
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": crypto.randomUUID(),
      "X-Hub-Signature-256": await signWebhook(secret, body),
    },
    body,
  });
}
