/**
 * The answer of `GET /api/status` (inside the API envelope's `data`), checked when it is read
 * back from the edge cache and in the status page's payload. The footer reads it in the browser
 * through api-guard.ts, which a test keeps in step with `statusEnvelope`.
 */
import { type } from "~/validation";

const state = type("'operational' | 'degraded' | 'partial_outage' | 'major_outage'");

export const statusSummary = type({
  indicator: state,
  description: "string",
  components: type({ id: "string", name: "string", state }).array(),
  incidents: type({
    slug: "string",
    title: "string",
    impact: "'degraded' | 'partial_outage' | 'major_outage'",
    status: "'investigating' | 'identified' | 'monitoring' | 'resolved'",
    url: "string",
  }).array(),
  checks: {
    database: { ok: "boolean", latencyMs: "number" },
    authentication: { ok: "boolean", providers: "string[]" },
  },
  updatedAt: "string",
});
export type StatusSummary = typeof statusSummary.infer;

/** A successful envelope carrying a summary: what the footer may rely on. */
export const statusEnvelope = type({ success: "true", data: statusSummary });
