import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { formatUtc } from "~/site/dates";
import { seoMeta } from "~/site/seo";
import { seo } from "~/site/seo.server";
import { statusPage } from "~/status-page/pages.server";
import { COMPONENTS, COMPONENT_NAMES, IMPACT_LABELS } from "~/status-page/model";
import { statusPagePayload } from "~/status-page/payloads.server";
import { PublicLayout } from "~/ui/public-layout";
import { HistoryBars, IncidentStatusBadge, StateBadge } from "~/ui/status";
import { payload } from "~/validation/payload.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const page = await statusPage(context);
  return payload(
    statusPagePayload,
    {
      seo: seo(request, {
        title: "Status",
        description:
          "The current state of Atmos Pro's sign-in, dashboard, API, webhooks and deployments, 90 days of history, and every incident report.",
      }),
      page,
    },
    context,
    { name: "status._index", headers: { "Cache-Control": "no-store" } },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

export default function Status() {
  const { page } = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-4xl px-4 py-14 sm:px-6">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900">Atmos Pro status</h1>
        {page.available ? (
          <>
            <div
              className={`mt-6 rounded-xl border p-5 ${page.summary.indicator === "operational" ? "border-emerald-200 bg-emerald-50" : "border-amber-200 bg-amber-50"}`}
            >
              <p className="text-lg font-semibold text-slate-900">{page.summary.description}</p>
              <p className="mt-1 text-sm text-slate-700">
                As of <time dateTime={page.summary.updatedAt}>{formatUtc(page.summary.updatedAt)}</time>. Sign-in
                providers: {page.summary.checks.authentication.providers.join(", ")}.
              </p>
              {page.summary.incidents.length > 0 ? (
                <ul className="mt-3 space-y-1 text-sm">
                  {page.summary.incidents.map((incident) => (
                    <li key={incident.slug}>
                      <Link to={incident.url} className="font-medium text-indigo-800 underline underline-offset-2">
                        {incident.title}
                      </Link>{" "}
                      <span className="text-slate-700">— {IMPACT_LABELS[incident.impact]}</span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>

            <section aria-labelledby="components-heading" className="mt-12">
              <h2 id="components-heading" className="text-2xl font-semibold text-slate-900">
                Components
              </h2>
              <p className="mt-1 text-sm text-slate-600">
                Each bar is one day (UTC), coloured by the worst impact of any incident that affected the component that
                day.
              </p>
              <ul className="mt-6 space-y-8">
                {COMPONENTS.map((c) => {
                  const state = page.summary.components.find((item) => item.id === c.id)?.state ?? "operational";
                  const history = page.history.find((item) => item.component === c.id);
                  return (
                    <li key={c.id}>
                      <div className="flex flex-wrap items-center justify-between gap-2">
                        <div>
                          <h3 className="font-semibold text-slate-900">{c.name}</h3>
                          <p className="text-sm text-slate-600">{c.description}</p>
                        </div>
                        <StateBadge state={state} />
                      </div>
                      {history ? (
                        <div className="mt-3">
                          <HistoryBars history={history} />
                        </div>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            </section>

            <section aria-labelledby="incidents-heading" className="mt-14">
              <h2 id="incidents-heading" className="text-2xl font-semibold text-slate-900">
                Incidents
              </h2>
              {page.incidents.length === 0 ? (
                <p className="mt-3 text-slate-600">No incidents in the last 90 days.</p>
              ) : (
                <ol className="mt-4 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
                  {page.incidents.map((incident) => (
                    <li key={incident.slug} className="p-5">
                      <div className="flex flex-wrap items-center gap-2">
                        <h3 className="font-semibold text-slate-900">
                          <Link to={`/status/incidents/${incident.slug}`} className="hover:text-indigo-700">
                            {incident.title}
                          </Link>
                        </h3>
                        <IncidentStatusBadge status={incident.status} />
                      </div>
                      <p className="mt-1 text-sm text-slate-600">
                        <time dateTime={incident.occurredAt}>{formatUtc(incident.occurredAt)}</time> ·{" "}
                        {IMPACT_LABELS[incident.impact]} ·{" "}
                        {incident.components.map((id) => COMPONENT_NAMES[id]).join(", ")}
                      </p>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        ) : (
          <div role="alert" className="mt-6 rounded-xl border border-slate-300 bg-white p-5">
            <p className="text-lg font-semibold text-slate-900">Status unavailable</p>
            <p className="mt-1 text-slate-600">
              We cannot read the status data right now, which usually means part of the service is having trouble.
              Please try again in a minute.
            </p>
          </div>
        )}
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
