/** Pieces of the status pages: state badges, component chips and the 90-day history bars. */
import { formatShortDay } from "~/site/dates";
import type { ComponentHistory } from "~/status/derive";
import { COMPONENT_NAMES, INCIDENT_STATUS_LABELS, STATE_FILL, STATE_LABELS, type ComponentId, type ComponentState, type IncidentStatus } from "~/status/model";

const BADGE: Record<ComponentState, string> = {
  operational: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  degraded: "bg-amber-50 text-amber-900 ring-amber-200",
  partial_outage: "bg-orange-50 text-orange-900 ring-orange-200",
  major_outage: "bg-rose-50 text-rose-800 ring-rose-200",
};

export function StateBadge({ state }: { state: ComponentState }) {
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${BADGE[state]}`}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${STATE_FILL[state]}`} />
      {STATE_LABELS[state]}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const tone = status === "resolved" ? "bg-slate-100 text-slate-700 ring-slate-200" : "bg-indigo-50 text-indigo-800 ring-indigo-200";
  return <span className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${tone}`}>{INCIDENT_STATUS_LABELS[status]}</span>;
}

export function ComponentChips({ components }: { components: ComponentId[] }) {
  return (
    <ul aria-label="Affected components" className="flex flex-wrap gap-2">
      {components.map((component) => (
        <li key={component} className="rounded-full bg-slate-100 px-3 py-1 text-sm font-medium text-slate-800 ring-1 ring-slate-200">
          {COMPONENT_NAMES[component]}
        </li>
      ))}
    </ul>
  );
}

function dayLabel(day: ComponentHistory["days"][number]): string {
  const date = formatShortDay(day.date);
  if (day.state === "operational") return `${date}: no incidents`;
  return `${date}: ${STATE_LABELS[day.state]} (${day.incidents.map((incident) => incident.title).join("; ")})`;
}

const FILL_HEX: Record<ComponentState, string> = {
  operational: "#10b981",
  degraded: "#fbbf24",
  partial_outage: "#f97316",
  major_outage: "#e11d48",
};

const escapeText = (value: string) => value.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);

/** What a screen reader hears for a component's bars: the summary, then each day that had an incident. */
export function historyLabel(history: ComponentHistory): string {
  const name = COMPONENT_NAMES[history.component];
  const bad = history.days.filter((day) => day.state !== "operational");
  if (bad.length === 0) return `${name}, last ${history.days.length} days: no incidents.`;
  return `${name}, last ${history.days.length} days: incidents on ${bad.length} ${bad.length === 1 ? "day" : "days"}. ${bad.map(dayLabel).join(". ")}.`;
}

/**
 * One SVG per component, 90 bars, oldest on the left, each with its own tooltip (<title>). Written
 * as markup rather than 90 React elements: the status page hydrates five strings instead of ~500
 * nodes. The SVG's label carries the same facts for assistive technology.
 */
export function historySvg(history: ComponentHistory): string {
  const width = 4;
  const gap = 1;
  const total = history.days.length * (width + gap) - gap;
  const bars = history.days
    .map((day, i) => `<rect x="${i * (width + gap)}" y="0" width="${width}" height="32" rx="1" fill="${FILL_HEX[day.state]}" data-state="${day.state}" data-date="${day.date}"><title>${escapeText(dayLabel(day))}</title></rect>`)
    .join("");
  return `<svg role="img" aria-label="${escapeText(historyLabel(history))}" viewBox="0 0 ${total} 32" preserveAspectRatio="none" width="100%" height="32">${bars}</svg>`;
}

export function HistoryBars({ history }: { history: ComponentHistory }) {
  const first = history.days[0];
  return (
    <div>
      <div className="h-8" dangerouslySetInnerHTML={{ __html: historySvg(history) }} />
      <div className="mt-1 flex justify-between text-xs text-slate-600">
        <span>{first ? formatShortDay(first.date) : ""}</span>
        <span>{history.incidentDays === 0 ? "No incidents" : `Incidents on ${history.incidentDays} of ${history.days.length} days`}</span>
        <span>Today</span>
      </div>
    </div>
  );
}
