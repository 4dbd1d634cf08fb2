/**
 * The answer of `GET /api/status` (inside the API envelope's `data`): one schema for the handler
 * that builds it and the footer indicator that reads it in the browser.
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

/** What the browser accepts from /api/status: a successful envelope carrying a summary. */
export const statusEnvelope = type({ success: "true", data: statusSummary });
