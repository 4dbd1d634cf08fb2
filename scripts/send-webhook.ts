/**
 * `npm run webhook:send -- <event>[.<action>] [url]`: posts GitHub's published example payload for
 * that event (@octokit/webhooks-examples), signed with the first GITHUB_WEBHOOK_SECRET of .dev.vars,
 * to the local Worker (`npm run dev`), as GitHub would. Prints the answer.
 *   npm run webhook:send -- installation.created
 *   npm run webhook:send -- ping http://127.0.0.1:8787/webhooks/github
 */
import { readFileSync } from "node:fs";
import examples from "@octokit/webhooks-examples" with { type: "json" };
import { signWebhook } from "../app/webhooks/signature.server";

const [name, url = `http://127.0.0.1:${process.env.PORT ?? "8787"}/webhooks/github`] = process.argv.slice(2);
if (!name) {
  console.error("Usage: npm run webhook:send -- <event>[.<action>] [url]   e.g. installation.created");
  process.exit(2);
}
const [event, action] = name.split(".") as [string, string | undefined];
const definition = examples.find((entry) => entry.name === event);
const payload = definition?.examples.find((example) => !action || (example as { action?: string }).action === action);
if (!payload) {
  const known = definition ? definition.actions.join(", ") : examples.map((entry) => entry.name).join(", ");
  console.error(`GitHub publishes no example for ${name}. ${definition ? `Actions: ${known}` : `Events: ${known}`}`);
  process.exit(2);
}

const secretLine = readFileSync(".dev.vars", "utf8")
  .split("\n")
  .find((line) => line.startsWith("GITHUB_WEBHOOK_SECRET="));
const secret = secretLine?.slice("GITHUB_WEBHOOK_SECRET=".length).split(",")[0]?.trim();
if (!secret) {
  console.error("Set GITHUB_WEBHOOK_SECRET in .dev.vars (npm run dev adds it from .dev.vars.example).");
  process.exit(2);
}

const body = JSON.stringify(payload);
const response = await fetch(url, {
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
console.log(`${response.status} ${await response.text()}`);
process.exit(response.ok ? 0 : 1);
