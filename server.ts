/**
 * The Worker module. `fetch` serves the Remix app, the API and GitHub's webhooks (static files are
 * served by Workers static assets before the Worker runs); `queue` processes webhook deliveries;
 * `scheduled` runs the every-minute housekeeping.
 */
import "./app/validation/configure";
import * as build from "@remix-run/dev/server-build";
import type { ServerBuild } from "@remix-run/cloudflare";
import { withSentry } from "@sentry/cloudflare";
import { scrubSentryEvent } from "./app/observability/sentry";
import { handleQueue, handleScheduled } from "./app/worker/background.server";
import { handleFetch } from "./app/worker/fetch.server";

const handler = {
  fetch(request, env, ctx) {
    return handleFetch(request, env, ctx, build as unknown as ServerBuild);
  },
  queue(batch, env, ctx) {
    return handleQueue(batch, env, ctx);
  },
  scheduled(controller, env, ctx) {
    return handleScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env>;

// Sentry is enabled only when SENTRY_DSN is set; without a DSN the SDK sends nothing. Every event is
// scrubbed of secrets first (app/observability/sentry.ts).
export default withSentry(
  (env: Env) => ({
    dsn: typeof env.SENTRY_DSN === "string" && env.SENTRY_DSN !== "" ? env.SENTRY_DSN : undefined,
    environment: env.ENVIRONMENT,
    tracesSampleRate: 0,
    beforeSend: scrubSentryEvent,
  }),
  handler,
);
