import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import {
  FEATURE_LABELS,
  FEATURES,
  formatLimit,
  LIMIT_LABELS,
  LIMITS,
  PLAN_DEFINITIONS,
  PLANS,
  type Plan,
} from "~/domain/plans";
import { seoMeta } from "~/site/seo";
import { pagePayload, seo } from "~/site/seo.server";
import { PublicLayout } from "~/ui/public-layout";
import { payload } from "~/validation/payload.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return payload(
    pagePayload,
    {
      seo: seo(request, {
        title: "Pricing",
        description:
          "Atmos Pro plans compared: Free, Team and Enterprise, with their limits on repositories, members, drift schedules, audit log retention and single sign-on.",
      }),
    },
    context,
    { name: "pricing" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

const CALLS: Record<Plan, { label: string; to: string; primary: boolean }> = {
  free: { label: "Create Workspace", to: "/workspaces/new", primary: false },
  team: { label: "Start with Team", to: "/workspaces/new", primary: true },
  enterprise: {
    label: "Talk to us",
    to: "mailto:hello@atmos-pro.com?subject=Atmos%20Pro%20Enterprise",
    primary: false,
  },
};

function Included({ value }: { value: boolean }) {
  return value ? (
    <span className="inline-flex items-center gap-1.5 text-emerald-700">
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor">
        <path d="M7.6 13.2 4.4 10l-1.4 1.4 4.6 4.6 9.4-9.4L15.6 5.2z" />
      </svg>
      <span>Included</span>
    </span>
  ) : (
    <span className="text-slate-600">Not included</span>
  );
}

export default function Pricing() {
  return (
    <PublicLayout>
      <section className="mx-auto max-w-6xl px-4 pb-10 pt-16 sm:px-6">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900">Pricing</h1>
        <p className="mt-4 max-w-2xl text-lg text-slate-600">
          Every plan runs the same product: ordered deployments, drift detection, locks and the audit log. Plans differ
          in how much of it you use, how long the audit log is kept, and single sign-on.
        </p>
        <ul className="mt-10 grid gap-6 md:grid-cols-3">
          {PLANS.map((plan) => {
            const definition = PLAN_DEFINITIONS[plan];
            const call = CALLS[plan];
            const className = call.primary
              ? "bg-indigo-600 text-white hover:bg-indigo-500"
              : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50";
            return (
              <li
                key={plan}
                className={`flex flex-col rounded-xl border bg-white p-6 shadow-sm ${call.primary ? "border-indigo-400 ring-1 ring-indigo-400" : "border-slate-200"}`}
              >
                <h2 className="text-lg font-semibold text-slate-900">{definition.name}</h2>
                <p className="mt-1 text-sm text-slate-600">{definition.summary}</p>
                <p className="mt-4">
                  <span className="text-3xl font-bold text-slate-900">{definition.price}</span>{" "}
                  <span className="text-sm text-slate-600">{definition.priceNote}</span>
                </p>
                <div className="mt-6 flex-1" />
                {call.to.startsWith("mailto:") ? (
                  <a href={call.to} className={`rounded-md px-4 py-2 text-center font-medium ${className}`}>
                    {call.label}
                  </a>
                ) : (
                  <Link to={call.to} className={`rounded-md px-4 py-2 text-center font-medium ${className}`}>
                    {call.label}
                  </Link>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="compare" className="border-t border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
          <h2 id="compare" className="text-2xl font-semibold text-slate-900">
            Compare plans
          </h2>
          <div className="mt-6 overflow-x-auto" role="region" aria-labelledby="compare" tabIndex={0}>
            <table className="w-full min-w-[36rem] border-collapse text-left text-sm">
              <caption className="sr-only">What each Atmos Pro plan includes</caption>
              <thead>
                <tr>
                  <th scope="col" className="border-b border-slate-300 py-3 pr-4 font-semibold text-slate-900">
                    Feature
                  </th>
                  {PLANS.map((plan) => (
                    <th
                      key={plan}
                      scope="col"
                      className="border-b border-slate-300 px-4 py-3 font-semibold text-slate-900"
                    >
                      {PLAN_DEFINITIONS[plan].name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {LIMITS.map((limit) => (
                  <tr key={limit}>
                    <th scope="row" className="border-b border-slate-200 py-3 pr-4 font-medium text-slate-800">
                      {LIMIT_LABELS[limit].label}
                    </th>
                    {PLANS.map((plan) => (
                      <td
                        key={plan}
                        className="border-b border-slate-200 px-4 py-3 text-slate-700"
                        data-plan={plan}
                        data-limit={limit}
                      >
                        {formatLimit(limit, PLAN_DEFINITIONS[plan].limits[limit])}
                      </td>
                    ))}
                  </tr>
                ))}
                {FEATURES.map((feature) => (
                  <tr key={feature}>
                    <th scope="row" className="border-b border-slate-200 py-3 pr-4 font-medium text-slate-800">
                      {FEATURE_LABELS[feature]}
                    </th>
                    {PLANS.map((plan) => (
                      <td
                        key={plan}
                        className="border-b border-slate-200 px-4 py-3"
                        data-plan={plan}
                        data-feature={feature}
                      >
                        <Included value={PLAN_DEFINITIONS[plan].features[feature]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="mt-6 max-w-2xl text-sm text-slate-600">
            Running Atmos Pro on your own Cloudflare account? The same table applies to each workspace, by its plan. See{" "}
            <Link to="/docs/self-hosting" className="font-medium text-indigo-700 underline underline-offset-2">
              self-hosting
            </Link>
            .
          </p>
        </div>
      </section>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
