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

/** 90 bars, oldest on the left. Each bar has its label as text for assistive technology and as a tooltip. */
export function HistoryBars({ history }: { history: ComponentHistory }) {
  const name = COMPONENT_NAMES[history.component];
  const first = history.days[0];
  return (
    <div>
      <ol aria-label={`${name}, daily history for the last ${history.days.length} days`} className="flex h-8 items-stretch gap-px">
        {history.days.map((day) => (
          <li key={day.date} title={dayLabel(day)} className={`min-w-0 flex-1 rounded-sm ${STATE_FILL[day.state]}`} data-state={day.state} data-date={day.date}>
            <span className="sr-only">{dayLabel(day)}</span>
          </li>
        ))}
      </ol>
      <div className="mt-1 flex justify-between text-xs text-slate-600">
        <span>{first ? formatShortDay(first.date) : ""}</span>
        <span>{history.incidentDays === 0 ? "No incidents" : `Incidents on ${history.incidentDays} of ${history.days.length} days`}</span>
        <span>Today</span>
      </div>
    </div>
  );
}
