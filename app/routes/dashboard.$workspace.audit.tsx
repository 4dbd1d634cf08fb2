import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { AUDIT_PAGE_SIZE, loadAuditLog } from "~/dashboard/audit-log.server";
import { requireMember } from "~/dashboard/membership.server";
import { PLAN_DEFINITIONS, planLimit } from "~/domain/plans";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { TableScroll } from "~/ui/panel";
import { buttonPrimary } from "~/ui/forms";
import { AUDIT_QUERY_KEYS, auditLogPayload, auditLogQuery } from "~/dashboard/payloads/audit.server";
import { readQuery } from "~/validation/query.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Audit log · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace, "audit.read");
  const query = readQuery(new URL(request.url), auditLogQuery, AUDIT_QUERY_KEYS);
  // The plan's audit log retention: older events are not shown.
  const retentionDays = planLimit(workspace.plan, "auditRetentionDays");
  const log = await loadAuditLog(context.db, workspace.id, {
    since: retentionDays === null ? null : new Date(context.now().getTime() - retentionDays * 86_400_000),
    category: query.category,
    actorId: query.actor,
    search: query.q,
    cursor: query.cursor,
    limit: AUDIT_PAGE_SIZE,
  });
  return payload(
    auditLogPayload,
    {
      workspace: { name: workspace.name, slug: workspace.slug },
      retention: { days: retentionDays, plan: PLAN_DEFINITIONS[workspace.plan].name },
      filters: {
        category: query.category ?? null,
        actor: query.actor ?? null,
        q: query.q ?? "",
        cursor: query.cursor ?? null,
      },
      options: log.options,
      events: log.events,
      nextCursor: log.nextCursor,
    },
    context,
    { name: "dashboard.audit" },
  );
}

type Filters = typeof auditLogPayload.infer.filters;

/** `?category=…&actor=…&q=…[&cursor=…]`, empty filters left out. */
function searchFor(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams();
  if (filters.category) params.set("category", filters.category);
  if (filters.actor) params.set("actor", filters.actor);
  if (filters.q) params.set("q", filters.q);
  if (cursor) params.set("cursor", cursor);
  const search = params.toString();
  return search ? `?${search}` : "";
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (
    Array.isArray(value) &&
    value.every((item) => typeof item === "string" || typeof item === "number" || typeof item === "boolean")
  ) {
    return value.join(", ");
  }
  return JSON.stringify(value);
}

function Details({ metadata }: { metadata: Record<string, unknown> | null }) {
  const entries = metadata ? Object.entries(metadata) : [];
  if (entries.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <dl className="space-y-0.5 text-xs">
      {entries.map(([key, value]) => (
        <div key={key} className="flex gap-1">
          <dt className="shrink-0 font-medium text-slate-500">{`${key}:`}</dt>
          <dd className="break-all text-slate-700">{formatValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

const ACTOR_TYPE_LABEL = { user: null, ci: "CI", system: "System" } as const;
const controlClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-sm";

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const { filters } = data;
  const filtered = Boolean(filters.category || filters.actor || filters.q);
  const path = `/dashboard/${data.workspace.slug}/audit`;

  return (
    <div className="space-y-6">
      <div>
        <PageTitle>Audit log</PageTitle>
        <p className="mt-1 text-sm text-slate-600">
          Every change made in {data.workspace.name}, newest first. Times are UTC.
          {data.retention.days !== null
            ? ` The ${data.retention.plan} plan keeps the last ${data.retention.days} days.`
            : ""}
        </p>
      </div>

      <Form
        method="get"
        key={searchFor(filters, null)}
        className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-[1fr_1fr_2fr_auto] sm:items-end"
        aria-label="Filter audit events"
      >
        <div>
          <label htmlFor="audit-category" className="block text-sm font-medium text-slate-700">
            Category
          </label>
          <select id="audit-category" name="category" defaultValue={filters.category ?? ""} className={controlClass}>
            <option value="">All categories</option>
            {data.options.categories.map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-actor" className="block text-sm font-medium text-slate-700">
            Actor
          </label>
          <select id="audit-actor" name="actor" defaultValue={filters.actor ?? ""} className={controlClass}>
            <option value="">All actors</option>
            {data.options.actors.map((actor) => (
              <option key={actor.id} value={actor.id}>
                {actor.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-search" className="block text-sm font-medium text-slate-700">
            Search
          </label>
          <input
            id="audit-search"
            type="search"
            name="q"
            maxLength={200}
            defaultValue={filters.q}
            placeholder="Action, actor, target or details"
            className={controlClass}
          />
        </div>
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonPrimary}>
            Apply
          </button>
          {filtered ? (
            <Link to={path} className="text-sm font-medium text-slate-600 hover:text-slate-900">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      {data.events.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-600">
          No audit events match these filters.
        </p>
      ) : (
        <TableScroll label="Audit events" className="rounded-xl border border-slate-200 bg-white">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">Audit events{filtered ? ", filtered" : ""}</caption>
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="whitespace-nowrap px-4 py-2 font-medium">
                  Time UTC
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Actor
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Action
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Target
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Details
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.events.map((event) => (
                <tr key={event.id} className="align-top" data-testid="audit-event">
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                    <time dateTime={event.createdAt}>{event.createdAt.slice(0, 19).replace("T", " ")}</time>
                  </td>
                  <td className="px-4 py-2 text-slate-900">
                    {event.actorLabel}
                    {ACTOR_TYPE_LABEL[event.actorType] ? (
                      <span className="ml-1.5 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-600">
                        {ACTOR_TYPE_LABEL[event.actorType]}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-2">
                    <code className="rounded bg-slate-100 px-1 py-0.5 text-xs text-slate-800">{event.action}</code>
                  </td>
                  <td className="px-4 py-2 text-slate-700">
                    {event.targetId ? (
                      <>
                        {event.targetType ? <span className="text-slate-500">{event.targetType} </span> : null}
                        <span className="break-all font-mono text-xs">{event.targetId}</span>
                      </>
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  <td className="px-4 py-2">
                    <Details metadata={event.metadata} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <nav aria-label="Audit log pages" className="flex items-center justify-between gap-4 text-sm font-medium">
        {filters.cursor ? (
          <Link to={`${path}${searchFor(filters, null)}`} className="text-indigo-600 hover:text-indigo-500">
            ← Newest events
          </Link>
        ) : (
          <span />
        )}
        {data.nextCursor ? (
          <Link to={`${path}${searchFor(filters, data.nextCursor)}`} className="text-indigo-600 hover:text-indigo-500">
            Older events →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
