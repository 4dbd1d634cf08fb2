import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { formatUtc } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { incidentPage } from "~/status-page/pages.server";
import { IMPACT_LABELS } from "~/status-page/model";
import { incidentPagePayload } from "~/status-page/payloads.server";
import { Prose } from "~/ui/prose";
import { PublicLayout } from "~/ui/public-layout";
import { ComponentChips, IncidentStatusBadge } from "~/ui/status";
import { payload } from "~/validation/payload.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const incident = await incidentPage(context, params.slug ?? "");
  if (!incident)
    throw json(
      { message: "There is no incident at this address. The status page lists every incident." },
      { status: 404 },
    );
  return payload(
    incidentPagePayload,
    {
      seo: seo(request, {
        title: `${incident.title} — Incident`,
        description: `${IMPACT_LABELS[incident.impact]} on ${formatUtc(incident.occurredAt)}. ${incident.resolvedAt ? "Resolved" : "Ongoing"}: timeline and incident report.`,
        type: "article",
        publishedTime: incident.occurredAt,
      }),
      incident,
    },
    context,
    { name: "status.incidents.$slug", headers: { "Cache-Control": "no-store" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

function When({ label, value }: { label: string; value: string | null }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-1 text-slate-900">{value ? <time dateTime={value}>{formatUtc(value)}</time> : "—"}</dd>
    </div>
  );
}

export default function IncidentPage() {
  const { incident } = useLoaderData<typeof loader>();
  const sections = incident.sections.filter((section) => section.html !== null);
  // Summary and Impact come before the timeline; the rest of the report after it.
  const before = sections.filter((section) => section.key === "summary" || section.key === "impactText");
  const after = sections.filter((section) => !before.includes(section));
  return (
    <PublicLayout>
      <article className="mx-auto max-w-3xl px-4 py-14 sm:px-6">
        <p className="text-sm">
          <Link to="/status" className="font-medium text-indigo-700 hover:text-indigo-900">
            ← Back to Incidents
          </Link>
        </p>
        <div className="mt-4 flex flex-wrap items-center gap-3">
          <IncidentStatusBadge status={incident.status} />
          <span className="text-sm text-slate-600">{IMPACT_LABELS[incident.impact]}</span>
        </div>
        <h1 className="mt-2 text-3xl font-bold tracking-tight text-slate-900">{incident.title}</h1>

        <dl className="mt-6 grid gap-4 rounded-xl border border-slate-200 bg-white p-5 sm:grid-cols-3">
          <When label="Occurred" value={incident.occurredAt} />
          <When label="Mitigated" value={incident.mitigatedAt} />
          <When label="Resolved" value={incident.resolvedAt} />
          <div className="sm:col-span-2">
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">Affected components</dt>
            <dd className="mt-2">
              <ComponentChips components={incident.components} />
            </dd>
          </div>
          <div>
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">Author</dt>
            <dd className="mt-1 text-slate-900">{incident.author}</dd>
          </div>
        </dl>

        {before.map((section) => (
          <section key={section.key} aria-labelledby={`section-${section.key}`} className="mt-10">
            <h2 id={`section-${section.key}`} className="text-xl font-semibold text-slate-900">
              {section.title}
            </h2>
            <Prose html={section.html!} className="mt-3" />
          </section>
        ))}

        <section aria-labelledby="timeline" className="mt-10">
          <h2 id="timeline" className="text-xl font-semibold text-slate-900">
            Timeline
          </h2>
          <ol className="mt-4 space-y-6 border-l-2 border-slate-200 pl-6">
            {incident.timeline.map((update) => (
              <li key={update.id}>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <IncidentStatusBadge status={update.status} />
                  <time dateTime={update.createdAt} className="text-slate-600">
                    {formatUtc(update.createdAt)}
                  </time>
                  <span className="text-slate-600">· {update.author}</span>
                </div>
                <Prose html={update.html} className="mt-2" />
              </li>
            ))}
          </ol>
        </section>

        {after.map((section) => (
          <section key={section.key} aria-labelledby={`section-${section.key}`} className="mt-10">
            <h2 id={`section-${section.key}`} className="text-xl font-semibold text-slate-900">
              {section.title}
            </h2>
            <Prose html={section.html!} className="mt-3" />
          </section>
        ))}

        {sections.length === 0 ? (
          <p className="mt-10 text-slate-600">
            {incident.resolvedAt
              ? "The incident report is being written and will appear here."
              : "We will publish a full report once this incident is resolved."}
          </p>
        ) : null}
      </article>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
