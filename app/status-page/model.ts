/**
 * The status page's vocabulary, shared by server and browser: the components we report on, the
 * impact levels an incident can have, and the words for each. The database enums (db/schema.ts)
 * are the source; this adds names and order.
 */
import type {
  incidents,
  INCIDENT_STATUSES as DB_INCIDENT_STATUSES,
  STATUS_COMPONENTS as DB_STATUS_COMPONENTS,
} from "../../db/schema";

// Repeated here rather than imported: this module reaches the browser, db/schema.ts must not.
// The type checks below fail the build if the two ever disagree.
export const STATUS_COMPONENTS = ["authentication", "dashboard", "api", "webhooks", "deployments"] as const;
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export const IMPACTS = ["degraded", "partial_outage", "major_outage"] as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _SchemaAgrees = [
  Assert<Same<typeof STATUS_COMPONENTS, typeof DB_STATUS_COMPONENTS>>,
  Assert<Same<typeof INCIDENT_STATUSES, typeof DB_INCIDENT_STATUSES>>,
  Assert<Same<(typeof IMPACTS)[number], typeof incidents.$inferSelect.impact>>,
];

export type ComponentId = (typeof STATUS_COMPONENTS)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type Impact = (typeof IMPACTS)[number];
/** A component's state now, or a day's worst: no incident, or the worst impact of those affecting it. */
export type ComponentState = "operational" | Impact;
export const COMPONENT_STATES = ["operational", ...IMPACTS] as const;

export const COMPONENTS: ReadonlyArray<{ id: ComponentId; name: string; description: string }> = [
  {
    id: "authentication",
    name: "Authentication",
    description: "Sign-in with GitHub and OpenID Connect, sessions, and the CI token exchange.",
  },
  { id: "dashboard", name: "Dashboard", description: "The workspace dashboard, settings and members." },
  { id: "api", name: "API", description: "The /api/v1 endpoints the atmos CLI uploads to." },
  { id: "webhooks", name: "Webhooks", description: "GitHub App events: pull requests, workflow runs, installations." },
  { id: "deployments", name: "Deployments", description: "Dispatching plan, apply and drift detection runs." },
];

export const COMPONENT_NAMES = Object.fromEntries(COMPONENTS.map((c) => [c.id, c.name])) as Record<ComponentId, string>;

export const STATE_LABELS: Record<ComponentState, string> = {
  operational: "Operational",
  degraded: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

export const IMPACT_LABELS: Record<Impact, string> = {
  degraded: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};

const RANK: Record<ComponentState, number> = { operational: 0, degraded: 1, partial_outage: 2, major_outage: 3 };

export function severity(state: ComponentState): number {
  return RANK[state];
}

export function worse(a: ComponentState, b: ComponentState): ComponentState {
  return RANK[b] > RANK[a] ? b : a;
}

/** Tailwind classes per state: fills for bars and dots (each with a text label next to it, never colour alone). */
export const STATE_FILL: Record<ComponentState | "no_data", string> = {
  operational: "bg-emerald-500",
  degraded: "bg-amber-400",
  partial_outage: "bg-orange-500",
  major_outage: "bg-rose-600",
  no_data: "bg-slate-200",
};
