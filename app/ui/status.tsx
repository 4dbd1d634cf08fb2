/** Pieces of the status pages: state badges, component chips and the 90-day history bars. */
import { formatShortDay } from "~/site/dates";
import type { CompactHistory } from "~/status-page/derive";
import {
  COMPONENT_NAMES,
  INCIDENT_STATUS_LABELS,
  STATE_FILL,
  STATE_LABELS,
  type ComponentId,
  type ComponentState,
  type IncidentStatus,
} from "~/status-page/model";

const BADGE: Record<ComponentState, string> = {
  operational: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  degraded: "bg-amber-50 text-amber-900 ring-amber-200",
  partial_outage: "bg-orange-50 text-orange-900 ring-orange-200",
  major_outage: "bg-rose-50 text-rose-800 ring-rose-200",
};

export function StateBadge({ state }: { state: ComponentState }) {
  return (
    <span
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${BADGE[state]}`}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${STATE_FILL[state]}`} />
      {STATE_LABELS[state]}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const tone =
    status === "resolved"
      ? "bg-slate-100 text-slate-700 ring-slate-200"
      : "bg-indigo-50 text-indigo-800 ring-indigo-200";
  return (
    <span className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${tone}`}>
      {INCIDENT_STATUS_LABELS[status]}
    </span>
  );
}

export function ComponentChips({ components }: { components: ComponentId[] }) {
  return (
    <ul aria-label="Affected components" className="flex flex-wrap gap-2">
      {components.map((component) => (
        <li
          key={component}
          className="rounded-full bg-slate-100 px-3 py-1 text-sm font-medium text-slate-800 ring-1 ring-slate-200"
        >
          {COMPONENT_NAMES[component]}
        </li>
      ))}
    </ul>
  );
}

type Mark = CompactHistory["marks"][number];

function markLabel(mark: Mark): string {
  return `${formatShortDay(mark.date)}: ${STATE_LABELS[mark.state]} (${mark.incidents.map((incident) => incident.title).join("; ")})`;
}

const FILL_HEX: Record<ComponentState, string> = {
  operational: "#10b981",
  degraded: "#fbbf24",
  partial_outage: "#f97316",
  major_outage: "#e11d48",
};

const escapeText = (value: string) =>
  value.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);

/** What a screen reader hears for a component's bars: the summary, then each day that had an incident. */
export function historyLabel(history: CompactHistory): string {
  const name = COMPONENT_NAMES[history.component];
  if (history.marks.length === 0) return `${name}, last ${history.days} days: no incidents.`;
  const count = history.marks.length;
  return `${name}, last ${history.days} days: incidents on ${count} ${count === 1 ? "day" : "days"}. ${history.marks.map(markLabel).join(". ")}.`;
}

const BAR = 4;
const GAP = 1;

/**
 * One SVG per component: a bar per day, oldest on the left. Operational days are one patterned
 * rectangle; each day with an incident is its own bar with a tooltip (<title>). Written as markup
 * rather than React elements, so the page hydrates five strings instead of hundreds of nodes. The
 * SVG's label carries the same facts for assistive technology.
 */
export function historySvg(history: CompactHistory): string {
  const width = history.days * (BAR + GAP) - GAP;
  const id = `days-${history.component}`;
  const marks = history.marks
    .map(
      (mark) =>
        `<rect x="${mark.day * (BAR + GAP)}" width="${BAR}" height="32" fill="${FILL_HEX[mark.state]}" data-state="${mark.state}" data-date="${mark.date}"><title>${escapeText(markLabel(mark))}</title></rect>`,
    )
    .join("");
  return (
    `<svg role="img" aria-label="${escapeText(historyLabel(history))}" viewBox="0 0 ${width} 32" preserveAspectRatio="none" width="100%" height="32">` +
    `<defs><pattern id="${id}" width="${BAR + GAP}" height="32" patternUnits="userSpaceOnUse"><rect width="${BAR}" height="32" fill="${FILL_HEX.operational}"/></pattern></defs>` +
    `<rect width="${width}" height="32" fill="url(#${id})"/>${marks}</svg>`
  );
}

export function HistoryBars({ history }: { history: CompactHistory }) {
  return (
    <div>
      <div className="h-8" dangerouslySetInnerHTML={{ __html: historySvg(history) }} />
      <div className="mt-1 flex justify-between text-xs text-slate-600">
        <span>{history.from ? formatShortDay(history.from) : ""}</span>
        <span>
          {history.incidentDays === 0 ? "No incidents" : `Incidents on ${history.incidentDays} of ${history.days} days`}
        </span>
        <span>Today</span>
      </div>
    </div>
  );
}
