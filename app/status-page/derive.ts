/**
 * From incidents and live checks to what the status page says. Pure functions over plain values
 * (no database, no clock of their own), so the rules are tested directly:
 * - a component's state now: the worst impact among the open incidents that affect it (an open
 *   incident that has been mitigated counts as "degraded" at most); a failing database check makes
 *   every component a major outage, since all of them need it;
 * - a day in the 90-day history: the worst impact among the incidents that affected the component
 *   at any moment of that UTC day (from occurred until resolved, or until now while open).
 */
import {
  COMPONENTS,
  COMPONENT_NAMES,
  STATE_LABELS,
  severity,
  worse,
  type ComponentId,
  type ComponentState,
  type Impact,
} from "./model";

export type IncidentFacts = {
  slug: string;
  title: string;
  impact: Impact;
  occurredAt: Date;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  components: ComponentId[];
};

export type LiveChecks = { databaseOk: boolean };

const DAY_MS = 86_400_000;
export const HISTORY_DAYS = 90;

function effectiveImpact(incident: IncidentFacts): ComponentState {
  return incident.mitigatedAt ? "degraded" : incident.impact;
}

export function componentStates(open: IncidentFacts[], checks: LiveChecks): Record<ComponentId, ComponentState> {
  const states = Object.fromEntries(COMPONENTS.map((c) => [c.id, "operational"])) as Record<
    ComponentId,
    ComponentState
  >;
  for (const incident of open) {
    if (incident.resolvedAt) continue;
    for (const component of incident.components)
      states[component] = worse(states[component], effectiveImpact(incident));
  }
  if (!checks.databaseOk) for (const c of COMPONENTS) states[c.id] = "major_outage";
  return states;
}

/** The overall state and the sentence the footer shows: "All systems operational", or what is not. */
export function overallStatus(states: Record<ComponentId, ComponentState>): {
  indicator: ComponentState;
  description: string;
} {
  const affected = COMPONENTS.filter((c) => states[c.id] !== "operational");
  if (affected.length === 0) return { indicator: "operational", description: "All systems operational" };
  const indicator = affected.reduce<ComponentState>((acc, c) => worse(acc, states[c.id]), "operational");
  const groups = (["major_outage", "partial_outage", "degraded"] as const)
    .map((state) => ({
      state,
      names: affected.filter((c) => states[c.id] === state).map((c) => COMPONENT_NAMES[c.id]),
    }))
    .filter((group) => group.names.length > 0)
    .map((group) => `${STATE_LABELS[group.state]}: ${group.names.join(", ")}`);
  return { indicator, description: groups.join(" · ") };
}

export type HistoryDay = { date: string; state: ComponentState; incidents: Array<{ slug: string; title: string }> };
export type ComponentHistory = { component: ComponentId; days: HistoryDay[]; incidentDays: number };

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** 90 UTC days per component, oldest first, ending with today. */
export function historyBars(incidents: IncidentFacts[], now: Date, days = HISTORY_DAYS): ComponentHistory[] {
  const today = startOfUtcDay(now.getTime());
  const first = today - (days - 1) * DAY_MS;
  return COMPONENTS.map(({ id }) => {
    const out: HistoryDay[] = [];
    for (let i = 0; i < days; i++) {
      const dayStart = first + i * DAY_MS;
      out.push({ date: new Date(dayStart).toISOString().slice(0, 10), state: "operational", incidents: [] });
    }
    for (const incident of incidents) {
      if (!incident.components.includes(id)) continue;
      const from = incident.occurredAt.getTime();
      const until = (incident.resolvedAt ?? now).getTime();
      if (until < first || from > now.getTime()) continue;
      const firstIndex = Math.max(0, Math.floor((startOfUtcDay(from) - first) / DAY_MS));
      const lastIndex = Math.min(days - 1, Math.floor((startOfUtcDay(until) - first) / DAY_MS));
      for (let i = firstIndex; i <= lastIndex; i++) {
        const day = out[i]!;
        day.state = worse(day.state, incident.impact);
        day.incidents.push({ slug: incident.slug, title: incident.title });
      }
    }
    return { component: id, days: out, incidentDays: out.filter((day) => severity(day.state) > 0).length };
  });
}

/**
 * The same history as the page needs it: the window, and only the days that had an incident (the
 * other days are operational by definition). About 1 KB of payload instead of 450 day records.
 */
export type CompactHistory = {
  component: ComponentId;
  from: string;
  days: number;
  incidentDays: number;
  marks: Array<{ day: number; date: string; state: Impact; incidents: Array<{ slug: string; title: string }> }>;
};

export function compactHistory(history: ComponentHistory): CompactHistory {
  return {
    component: history.component,
    from: history.days[0]?.date ?? "",
    days: history.days.length,
    incidentDays: history.incidentDays,
    marks: history.days.flatMap((day, index) =>
      day.state === "operational" ? [] : [{ day: index, date: day.date, state: day.state, incidents: day.incidents }],
    ),
  };
}
