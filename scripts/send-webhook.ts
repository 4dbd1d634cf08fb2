/**
 * `npm run webhook:send -- <event>[.<action>] [url]`: posts GitHub's published example payload for
 * that event (@octokit/webhooks-examples), signed with the first GITHUB_WEBHOOK_SECRET of .dev.vars,
 * to the local Worker (`npm run dev`), as GitHub would. Prints the answer.
 *   npm run webhook:send -- installation.created
 *   npm run webhook:send -- ping http://127.0.0.1:8787/webhooks/github
 */
import { devWebhookSecret, examplePayload, postWebhook } from "./webhook-delivery";

const [name, url = `http://127.0.0.1:${process.env.PORT ?? "8787"}/webhooks/github`] = process.argv.slice(2);
if (!name) {
  console.error("Usage: npm run webhook:send -- <event>[.<action>] [url]   e.g. installation.created");
  process.exit(2);
}
const example = examplePayload(name);
if ("problem" in example) {
  console.error(example.problem);
  process.exit(2);
}
const secret = devWebhookSecret();
if (!secret) {
  console.error("Set GITHUB_WEBHOOK_SECRET in .dev.vars (npm run dev adds it from .dev.vars.example).");
  process.exit(2);
}
const response = await postWebhook(url, example.event, example.payload, secret);
console.log(`${response.status} ${await response.text()}`);
process.exit(response.ok ? 0 : 1);
