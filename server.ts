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

// Sentry is enabled only when SENTRY_DSN is set. Without a DSN the handler runs unwrapped: the SDK's
// per-request instrumentation (scopes, context proxies) cost a cached public page a third of its CPU
// (npm run bench:profile). Every event is scrubbed of secrets first (app/observability/sentry.ts).
const instrumented = withSentry(
  (env: Env) => ({
    dsn: sentryDsn(env),
    environment: env.ENVIRONMENT,
    tracesSampleRate: 0,
    beforeSend: scrubSentryEvent,
  }),
  // A copy: withSentry replaces the methods of the object it is given.
  { ...handler },
);

function sentryDsn(env: Env): string | undefined {
  return typeof env.SENTRY_DSN === "string" && env.SENTRY_DSN !== "" ? env.SENTRY_DSN : undefined;
}

/** The handler for this deployment: instrumented only when there is somewhere to report to. */
const chosen = (env: Env) => (sentryDsn(env) ? (instrumented as typeof handler) : handler);

export default {
  fetch: (request, env, ctx) => chosen(env).fetch(request, env, ctx),
  queue: (batch, env, ctx) => chosen(env).queue(batch, env, ctx),
  scheduled: (controller, env, ctx) => chosen(env).scheduled(controller, env, ctx),
} satisfies ExportedHandler<Env>;
