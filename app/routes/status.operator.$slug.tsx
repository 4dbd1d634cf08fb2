import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { formatUtc } from "~/site/dates";
import { getIncident, POSTMORTEM_SECTIONS } from "~/status-page/incidents.server";
import { INCIDENT_STATUS_LABELS, INCIDENT_STATUSES } from "~/status-page/model";
import { operatorIncidentPayload } from "~/status-page/payloads.server";
import { manageIncidentAction, OPERATOR_NOTICES } from "~/forms/incidents.server";
import { requireOperator } from "~/status-page/operator-access.server";
import { buttonPrimary, buttonSecondary, FormMessage } from "~/ui/forms";
import { ComponentCheckboxes, ImpactSelect, Select, TextArea } from "~/ui/incident-forms";
import { PublicLayout } from "~/ui/public-layout";
import { IncidentStatusBadge } from "~/ui/status";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireOperator(request, context);
  const incident = await getIncident(context.db, params.slug ?? "");
  if (!incident) throw json({ message: "There is no incident at this address." }, { status: 404 });
  const done = new URL(request.url).searchParams.get("done");
  return payload(
    operatorIncidentPayload,
    {
      notice: done ? (OPERATOR_NOTICES[done] ?? null) : null,
      incident: {
        slug: incident.slug,
        title: incident.title,
        status: incident.status,
        impact: incident.impact,
        occurredAt: incident.occurredAt.toISOString(),
        mitigatedAt: incident.mitigatedAt?.toISOString() ?? null,
        resolvedAt: incident.resolvedAt?.toISOString() ?? null,
        components: incident.components,
        sections: POSTMORTEM_SECTIONS.map(({ key, title }) => ({ key, title, source: incident[key] ?? "" })),
        updates: incident.updates.map((update) => ({ ...update, createdAt: update.createdAt.toISOString() })),
      },
    },
    context,
    { name: "status.operator.$slug", headers: { "Cache-Control": "no-store" } },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return manageIncidentAction(request, context, params.slug ?? "");
}

export const meta: MetaFunction = () => [
  { title: "Manage incident · Atmos Pro" },
  { name: "robots", content: "noindex" },
];

const ALL_STATUSES = INCIDENT_STATUSES.map((value) => ({ value, label: INCIDENT_STATUS_LABELS[value] }));

export default function ManageIncident() {
  const { incident, notice } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errorsFor = (intent: string) =>
    actionData && actionData.intent === intent ? (actionData.fieldErrors ?? {}) : {};
  const busy = useNavigation().state === "submitting";
  const open = incident.resolvedAt === null;
  const update = errorsFor("update");
  const components = errorsFor("components");
  const resolve = errorsFor("resolve");
  const postmortem = errorsFor("postmortem");
  const mitigate = errorsFor("mitigate");

  return (
    <PublicLayout>
      <div className="mx-auto max-w-4xl px-4 py-12 sm:px-6">
        <p className="text-sm">
          <Link to="/status/operator" className="font-medium text-indigo-700 hover:text-indigo-900">
            ← All incidents
          </Link>
        </p>
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <h1 className="text-3xl font-bold tracking-tight text-slate-900">{incident.title}</h1>
          <IncidentStatusBadge status={incident.status} />
        </div>
        <p className="mt-2 text-sm text-slate-600">
          Occurred {formatUtc(incident.occurredAt)} · Mitigated{" "}
          {incident.mitigatedAt ? formatUtc(incident.mitigatedAt) : "—"} · Resolved{" "}
          {incident.resolvedAt ? formatUtc(incident.resolvedAt) : "—"} ·{" "}
          <Link
            to={`/status/incidents/${incident.slug}`}
            className="font-medium text-indigo-700 underline underline-offset-2"
          >
            Public page
          </Link>
        </p>
        <div className="mt-4">{notice ? <FormMessage tone="success">{notice}</FormMessage> : null}</div>
        {actionData ? (
          <div className="mt-4">
            <FormMessage tone="error">
              Nothing was saved. {actionData.message ?? Object.values(actionData.fieldErrors ?? {})[0]}
            </FormMessage>
          </div>
        ) : null}

        <section aria-labelledby="timeline-heading" className="mt-8">
          <h2 id="timeline-heading" className="text-xl font-semibold text-slate-900">
            Timeline
          </h2>
          <ol className="mt-3 space-y-3">
            {incident.updates.map((item) => (
              <li key={item.id} className="rounded-lg border border-slate-200 bg-white p-4">
                <p className="text-sm text-slate-600">
                  {INCIDENT_STATUS_LABELS[item.status]} · {formatUtc(item.createdAt)} · {item.author}
                </p>
                <p className="mt-1 whitespace-pre-wrap text-slate-800">{item.body}</p>
              </li>
            ))}
          </ol>
        </section>

        <section aria-labelledby="update-heading" className="mt-10 rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="update-heading" className="text-xl font-semibold text-slate-900">
            Post an update
          </h2>
          <Form method="post" className="mt-4 space-y-4" noValidate>
            <input type="hidden" name="intent" value="update" />
            <Select
              label="Status"
              name="status"
              options={ALL_STATUSES}
              defaultValue={incident.status}
              error={update.status}
              idPrefix="update"
            />
            <TextArea label="Update" name="body" rows={3} error={update.body} idPrefix="update" hint="Markdown." />
            <button type="submit" className={buttonPrimary} disabled={busy}>
              Post update
            </button>
          </Form>
        </section>

        <section aria-labelledby="components-heading" className="mt-6 rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="components-heading" className="text-xl font-semibold text-slate-900">
            Affected components and impact
          </h2>
          <Form method="post" className="mt-4 space-y-4" noValidate>
            <input type="hidden" name="intent" value="components" />
            <ComponentCheckboxes checked={incident.components} error={components.components} idPrefix="components" />
            <ImpactSelect defaultValue={incident.impact} error={components.impact} idPrefix="components" />
            <button type="submit" className={buttonSecondary} disabled={busy}>
              Save components
            </button>
          </Form>
        </section>

        {open ? (
          <section aria-labelledby="close-heading" className="mt-6 rounded-xl border border-slate-200 bg-white p-6">
            <h2 id="close-heading" className="text-xl font-semibold text-slate-900">
              Mitigate and resolve
            </h2>
            {!incident.mitigatedAt ? (
              <Form method="post" className="mt-4">
                <input type="hidden" name="intent" value="mitigate" />
                <button type="submit" className={buttonSecondary} disabled={busy}>
                  Mark mitigated
                </button>
                {mitigate.mitigate ? <p className="mt-1 text-sm text-rose-700">{mitigate.mitigate}</p> : null}
              </Form>
            ) : (
              <p className="mt-2 text-sm text-slate-600">Mitigated {formatUtc(incident.mitigatedAt)}.</p>
            )}
            <Form method="post" className="mt-6 space-y-4" noValidate>
              <input type="hidden" name="intent" value="resolve" />
              <TextArea
                label="Closing update"
                name="body"
                rows={2}
                error={resolve.body ?? resolve.resolve}
                idPrefix="resolve"
                defaultValue="This incident has been resolved."
              />
              <button type="submit" className={buttonPrimary} disabled={busy}>
                Resolve incident
              </button>
            </Form>
          </section>
        ) : null}

        <section aria-labelledby="report-heading" className="mt-6 rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="report-heading" className="text-xl font-semibold text-slate-900">
            Incident report
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            Markdown. Empty sections are left off the public page. HTML is shown as text.
          </p>
          <Form method="post" className="mt-4 space-y-4" noValidate>
            <input type="hidden" name="intent" value="postmortem" />
            {incident.sections.map((section) => (
              <TextArea
                key={section.key}
                label={section.title}
                name={section.key}
                rows={4}
                defaultValue={section.source}
                error={postmortem[section.key]}
                idPrefix="report"
              />
            ))}
            <button type="submit" className={buttonPrimary} disabled={busy}>
              Save report
            </button>
          </Form>
        </section>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
