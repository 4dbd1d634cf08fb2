import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import { seoMeta } from "~/site/seo";
import { pagePayload, seo } from "~/site/seo.server";
import { DeployLoop, WavesGraph } from "~/ui/deploy-loop";
import { PublicLayout } from "~/ui/public-layout";
import { payload } from "~/validation/payload.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return payload(
    pagePayload,
    {
      seo: seo(request, {
        title: "Product",
        description:
          "How Atmos Pro works: affected stacks from each pull request, plan and apply workflows dispatched in dependency order, drift detection, locks, approvals and an audit log.",
      }),
    },
    context,
    { name: "product" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

const CAPABILITIES = [
  {
    title: "Ordered deployments",
    points: [
      "The dependency graph comes from atmos describe affected: nothing to declare twice.",
      "Independent instances run in parallel; dependents wait for exactly what they need.",
      "A failure stops its dependents and nothing else, with the reason on the pull request.",
    ],
    href: "/docs/ordered-deployments",
  },
  {
    title: "Drift detection",
    points: [
      "Nightly inventories from atmos list instances --upload.",
      "Drift schedules per repository, with a cron expression and a time zone.",
      "Remediation only when a person asks for it, recorded in the audit log.",
    ],
    href: "/docs/drift-detection",
  },
  {
    title: "Advisory locks",
    points: [
      "Lock an instance from the CLI or the dashboard while you operate on it.",
      "Locks expire on their own; unlocking is always possible.",
      "Dispatches wait for the lock, and the check run says who holds it.",
    ],
    href: "/docs/locks",
  },
  {
    title: "Access and audit",
    points: [
      "Sign in with GitHub or your OpenID Connect provider; owners, admins and members.",
      "Repository permissions by workflow, branch and environment, with regular expressions.",
      "Every change written to the audit log in the same transaction as the change.",
    ],
    href: "/docs/repository-permissions",
  },
];

export default function Product() {
  return (
    <PublicLayout>
      <section className="mx-auto max-w-6xl px-4 pb-12 pt-16 sm:px-6">
        <p className="text-sm font-semibold uppercase tracking-wide text-indigo-700">Product</p>
        <h1 className="mt-3 max-w-3xl text-4xl font-bold tracking-tight text-slate-900">
          A control plane for Atmos and GitHub Actions
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-slate-600">
          Atmos Pro does not run Terraform. Your workflows do, with your credentials, on your runners. Atmos Pro decides
          what runs when, in what order, and keeps the record of what happened.
        </p>
      </section>

      <section aria-labelledby="loop-heading" className="border-t border-slate-200 bg-slate-100/60">
        <div className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
          <h2 id="loop-heading" className="text-2xl font-semibold text-slate-900">
            The pull request loop
          </h2>
          <div className="mt-8">
            <DeployLoop />
          </div>
          <div className="mt-10 max-w-xl">
            <WavesGraph />
          </div>
        </div>
      </section>

      <section aria-labelledby="capabilities-heading" className="border-t border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
          <h2 id="capabilities-heading" className="text-2xl font-semibold text-slate-900">
            What you get
          </h2>
          <div className="mt-8 grid gap-6 md:grid-cols-2">
            {CAPABILITIES.map((capability) => (
              <article key={capability.title} className="rounded-xl border border-slate-200 p-6">
                <h3 className="text-lg font-semibold text-slate-900">{capability.title}</h3>
                <ul className="mt-3 list-disc space-y-1.5 pl-5 text-slate-600">
                  {capability.points.map((point) => (
                    <li key={point}>{point}</li>
                  ))}
                </ul>
                <Link
                  to={capability.href}
                  className="mt-4 inline-block text-sm font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
                >
                  {capability.title} in the docs
                </Link>
              </article>
            ))}
          </div>
        </div>
      </section>

      <section aria-labelledby="security-heading" className="border-t border-slate-200 bg-white">
        <div className="mx-auto grid max-w-6xl gap-10 px-4 py-14 sm:px-6 md:grid-cols-2">
          <div>
            <h2 id="security-heading" className="text-2xl font-semibold text-slate-900">
              Nothing to leak
            </h2>
            <p className="mt-3 text-slate-600">
              CI proves who it is with the OIDC token GitHub gives each job, exchanged for a one-hour API token scoped
              to one repository and workflow. There is no long-lived secret to store in GitHub, and Atmos Pro never sees
              your AWS credentials, your state or your plan output.
            </p>
          </div>
          <div>
            <h2 className="text-2xl font-semibold text-slate-900">Run it yourself</h2>
            <p className="mt-3 text-slate-600">
              Atmos Pro is one Cloudflare Worker and one D1 database. Deploy it to your own account in minutes, with
              preview deployments per branch.
            </p>
            <Link
              to="/docs/self-hosting"
              className="mt-3 inline-block font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
            >
              Self-hosting guide
            </Link>
          </div>
        </div>
      </section>

      <section aria-labelledby="product-cta" className="border-t border-slate-200 bg-indigo-700">
        <div className="mx-auto flex max-w-6xl flex-col items-start gap-4 px-4 py-12 sm:px-6 md:flex-row md:items-center md:justify-between">
          <h2 id="product-cta" className="text-2xl font-semibold text-white">
            Connect your first repository
          </h2>
          <Link
            to="/workspaces/new"
            className="rounded-md bg-white px-4 py-2.5 font-medium text-indigo-700 shadow-sm hover:bg-indigo-50"
          >
            Create Workspace
          </Link>
        </div>
      </section>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
