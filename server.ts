/**
 * The Worker module. `fetch` serves the Remix app (static files are served by Workers static
 * assets before the Worker runs). Later: `queue` and `scheduled`.
 */
import "./app/validation/configure";
import * as build from "@remix-run/dev/server-build";
import type { ServerBuild } from "@remix-run/cloudflare";
import { withSentry } from "@sentry/cloudflare";
import { scrubSentryEvent } from "./app/observability/sentry";
import { handleFetch } from "./app/worker/fetch.server";

const handler = {
  fetch(request, env, ctx) {
    return handleFetch(request, env, ctx, build as unknown as ServerBuild);
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
