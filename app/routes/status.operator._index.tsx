import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { formatUtc } from "~/site/dates";
import { listIncidents } from "~/status-page/incidents.server";
import { IMPACT_LABELS, INCIDENT_STATUS_LABELS, INCIDENT_STATUSES } from "~/status-page/model";
import { operatorIndexPayload } from "~/status-page/payloads.server";
import { openIncidentAction } from "~/forms/incidents.server";
import { requireOperator } from "~/status-page/operator-access.server";
import { buttonPrimary, Field, FormMessage } from "~/ui/forms";
import { ComponentCheckboxes, ImpactSelect, Select, TextArea } from "~/ui/incident-forms";
import { PublicLayout } from "~/ui/public-layout";
import { IncidentStatusBadge } from "~/ui/status";
import { payload } from "~/validation/payload.server";

const YEAR_MS = 365 * 86_400_000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireOperator(request, context);
  const incidents = await listIncidents(context.db, new Date(context.now().getTime() - YEAR_MS), 50);
  return payload(
    operatorIndexPayload,
    {
      login: user.login,
      incidents: incidents.map((incident) => ({
        slug: incident.slug,
        title: incident.title,
        impact: incident.impact,
        status: incident.status,
        occurredAt: incident.occurredAt.toISOString(),
        open: incident.resolvedAt === null,
      })),
    },
    context,
    { name: "status.operator._index", headers: { "Cache-Control": "no-store" } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  return openIncidentAction(request, context);
}

export const meta: MetaFunction = () => [
  { title: "Status operator · Atmos Pro" },
  { name: "robots", content: "noindex" },
];

const OPEN_STATUSES = INCIDENT_STATUSES.filter((status) => status !== "resolved").map((status) => ({
  value: status,
  label: INCIDENT_STATUS_LABELS[status],
}));

export default function StatusOperator() {
  const { login, incidents } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.fieldErrors ?? {};
  const busy = useNavigation().state === "submitting";
  return (
    <PublicLayout>
      <div className="mx-auto max-w-4xl px-4 py-12 sm:px-6">
        <p className="text-sm">
          <Link to="/status" className="font-medium text-indigo-700 hover:text-indigo-900">
            ← Public status page
          </Link>
        </p>
        <h1 className="mt-3 text-3xl font-bold tracking-tight text-slate-900">Status operator</h1>
        <p className="mt-2 text-slate-600">
          Signed in as {login}. What you post here is public as soon as you post it.
        </p>

        <section aria-labelledby="incidents-heading" className="mt-10">
          <h2 id="incidents-heading" className="text-xl font-semibold text-slate-900">
            Incidents
          </h2>
          {incidents.length === 0 ? (
            <p className="mt-3 text-slate-600">No incidents in the last year.</p>
          ) : (
            <ul className="mt-4 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
              {incidents.map((incident) => (
                <li key={incident.slug} className="flex flex-wrap items-center justify-between gap-2 p-4">
                  <div>
                    <Link
                      to={`/status/operator/${incident.slug}`}
                      className="font-medium text-indigo-700 hover:text-indigo-900"
                    >
                      {incident.title}
                    </Link>
                    <p className="text-sm text-slate-600">
                      {formatUtc(incident.occurredAt)} · {IMPACT_LABELS[incident.impact]}
                    </p>
                  </div>
                  <IncidentStatusBadge status={incident.status} />
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="open-heading" className="mt-12 rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="open-heading" className="text-xl font-semibold text-slate-900">
            Open an incident
          </h2>
          <Form method="post" className="mt-6 space-y-5" noValidate>
            <input type="hidden" name="intent" value="open" />
            {Object.keys(errors).length > 0 ? (
              <FormMessage tone="error">Nothing was saved. Fix the fields below and submit again.</FormMessage>
            ) : null}
            <Field
              label="Title"
              name="title"
              maxLength={120}
              placeholder="Delayed deployments for some workspaces"
              error={errors.title}
            />
            <div className="grid gap-5 sm:grid-cols-2">
              <ImpactSelect error={errors.impact} />
              <Select
                label="Status"
                name="status"
                options={OPEN_STATUSES}
                defaultValue="investigating"
                error={errors.status}
              />
            </div>
            <ComponentCheckboxes error={errors.components} />
            <TextArea
              label="First update"
              name="body"
              rows={4}
              error={errors.body}
              hint="Markdown. Say what people see and what you are doing about it."
            />
            <button type="submit" className={buttonPrimary} disabled={busy}>
              Open incident
            </button>
          </Form>
        </section>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
