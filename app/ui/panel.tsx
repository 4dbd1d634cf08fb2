import { Component, type ErrorInfo, type ReactNode } from "react";
import type { PanelError, PanelResult } from "~/dashboard/panel-slot";

/** A panel's frame: heading, and either its content or its own error — never the page's. */
export function Panel<T>(props: {
  title: string;
  slot: PanelResult<T>;
  actions?: ReactNode;
  children: (data: T) => ReactNode;
  id?: string;
}) {
  const id = props.id ?? `panel-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="rounded-xl border border-slate-200 bg-white">
      <div className="flex items-center justify-between gap-3 border-b border-slate-100 px-4 py-3">
        <h2 id={id} className="text-sm font-semibold text-slate-900">
          {props.title}
        </h2>
        {props.actions}
      </div>
      <div className="p-4">
        {props.slot.ok ? (
          <RenderGuard requestId={null}>{props.children(props.slot.data)}</RenderGuard>
        ) : (
          <PanelFailure error={props.slot.error} />
        )}
      </div>
    </section>
  );
}

export function PanelFailure({ error }: { error: PanelError | { message: string; requestId: string | null } }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
      data-testid="panel-error"
    >
      <p>{error.message}</p>
      {error.requestId ? (
        <p className="mt-1 text-amber-800">
          Request id: <code>{error.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}

/** A render error inside one panel stays inside it. */
class RenderGuard extends Component<{ requestId: string | null; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("panel_render_failed", error.name, info.componentStack?.split("\n")[1]?.trim());
  }
  render() {
    if (this.state.failed) {
      return (
        <PanelFailure
          error={{
            message: "This panel could not be displayed. The rest of the page is fine.",
            requestId: this.props.requestId,
          }}
        />
      );
    }
    return this.props.children;
  }
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-600">
      <p className="font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-1">{children}</div> : null}
    </div>
  );
}

const STATUS_STYLE: Record<string, string> = {
  in_sync: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  drifted: "bg-amber-50 text-amber-900 ring-amber-200",
  error: "bg-rose-50 text-rose-800 ring-rose-200",
  unknown: "bg-slate-100 text-slate-700 ring-slate-200",
  success: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failure: "bg-rose-50 text-rose-800 ring-rose-200",
  queued: "bg-slate-100 text-slate-700 ring-slate-200",
  in_progress: "bg-sky-50 text-sky-800 ring-sky-200",
  cancelled: "bg-slate-100 text-slate-700 ring-slate-200",
  pending: "bg-slate-100 text-slate-700 ring-slate-200",
  blocked: "bg-amber-50 text-amber-900 ring-amber-200",
  dispatching: "bg-sky-50 text-sky-800 ring-sky-200",
  awaiting_approval: "bg-amber-50 text-amber-900 ring-amber-200",
  superseded: "bg-slate-100 text-slate-700 ring-slate-200",
  skipped: "bg-slate-100 text-slate-700 ring-slate-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  invalid: "bg-rose-50 text-rose-800 ring-rose-200",
  open: "bg-sky-50 text-sky-800 ring-sky-200",
  merged: "bg-violet-50 text-violet-800 ring-violet-200",
  closed: "bg-slate-100 text-slate-700 ring-slate-200",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${STATUS_STYLE[status] ?? STATUS_STYLE.unknown}`}
    >
      {status.replace(/_/g, " ")}
    </span>
  );
}

export function formatTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—";
}

/**
 * A wide table's scroll container. On a narrow screen the table scrolls sideways, so the container
 * is a named, focusable region: keyboard users can reach it and scroll it with the arrow keys.
 */
export function TableScroll({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      className={`overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500${className ? ` ${className}` : ""}`}
    >
      {children}
    </div>
  );
}

/** A column heading of a dashboard table; the last column has no right padding. */
export function ColumnHeader({ last = false, children }: { last?: boolean; children?: ReactNode }) {
  return (
    <th scope="col" className={last ? "py-2 font-medium" : "py-2 pr-4 font-medium"}>
      {children}
    </th>
  );
}

/** A cell of a dashboard table, under a `ColumnHeader`: `muted` for secondary values (times, counts of little note). */
export function Cell({
  last = false,
  muted = false,
  children,
}: {
  last?: boolean;
  muted?: boolean;
  children?: ReactNode;
}) {
  return <td className={`py-2${last ? "" : " pr-4"}${muted ? " text-slate-600" : ""}`}>{children}</td>;
}
