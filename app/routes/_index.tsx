import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link } from "@remix-run/react";
import { planLimit } from "~/domain/plans";
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
        title: "Atmos Pro — ordered Terraform deployments for Atmos on GitHub Actions",
        description:
          "Atmos Pro dispatches your Atmos plan and apply workflows in dependency order from every pull request, detects drift, holds locks and keeps an audit log.",
      }),
    },
    context,
    { name: "home" },
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => seoMeta(data?.seo);

const FEATURES = [
  {
    title: "Ordered deployments",
    body: "Plans and applies run in the order of your stacks' dependency graph, wave by wave, through your own GitHub Actions workflows.",
    href: "/docs/ordered-deployments",
  },
  {
    title: "Drift detection",
    body: "Scheduled detect runs tell you which instances drifted from their code before your next change does.",
    href: "/docs/drift-detection",
  },
  {
    title: "Advisory locks",
    body: "Hold a stack while you operate on it: nothing is dispatched to a locked key until you release it.",
    href: "/docs/locks",
  },
  {
    title: "Approvals you already trust",
    body: "Each apply is its own run, so GitHub Environments' required reviewers gate every production change.",
    href: "/docs/ordered-deployments#approvals",
  },
  {
    title: "Audit log",
    body: "Every change to a workspace, its members, permissions and locks is recorded with who, what and when.",
    href: "/docs/how-it-works#what-atmos-pro-stores",
  },
  {
    title: "No stored credentials",
    body: "CI proves who it is with GitHub's OIDC tokens; your AWS credentials never leave your workflows.",
    href: "/docs/authentication#the-ci-token-exchange",
  },
];

export default function Home() {
  return (
    <PublicLayout>
      <section className="mx-auto max-w-6xl px-4 pb-16 pt-16 sm:px-6 sm:pt-20">
        <p className="text-sm font-semibold uppercase tracking-wide text-indigo-700">For platform teams on Atmos</p>
        <h1 className="mt-3 max-w-3xl text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
          Deploy Terraform on AWS in dependency order, from every pull request.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-slate-600">
          Atmos Pro reads the affected stacks your CI uploads, dispatches your plan and apply workflows in the right
          order, posts the results on the pull request, and watches for drift. Your credentials and your state never
          leave your workflows.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link
            to="/workspaces/new"
            className="rounded-md bg-indigo-600 px-4 py-2.5 font-medium text-white shadow-sm hover:bg-indigo-500"
          >
            Create Workspace
          </Link>
          <Link
            to="/docs/quick-start"
            className="rounded-md border border-slate-300 bg-white px-4 py-2.5 font-medium text-slate-800 hover:bg-slate-50"
          >
            Read the quick start
          </Link>
        </div>
      </section>

      <section id="product" aria-labelledby="how-heading" className="border-t border-slate-200 bg-slate-100/60">
        <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="how-heading" className="text-2xl font-semibold text-slate-900">
            How it works
          </h2>
          <p className="mt-2 max-w-2xl text-slate-600">
            One loop, driven by your pull requests. Atmos Pro decides what runs when; GitHub Actions runs it.
          </p>
          <div className="mt-8">
            <DeployLoop />
          </div>
          <div className="mt-12 grid items-center gap-8 md:grid-cols-2">
            <div>
              <h3 className="text-lg font-semibold text-slate-900">Waves, not one big job</h3>
              <p className="mt-2 text-slate-600">
                A change to the VPC plans the VPC first, then the cluster that needs it, then everything on the cluster
                in parallel. A failure stops only what depends on it.
              </p>
              <Link
                to="/docs/ordered-deployments"
                className="mt-3 inline-block font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900"
              >
                How ordered deployments work
              </Link>
            </div>
            <WavesGraph />
          </div>
        </div>
      </section>

      <section aria-labelledby="features" className="border-t border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="features" className="text-2xl font-semibold text-slate-900">
            What it does
          </h2>
          <ul className="mt-8 grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
            {FEATURES.map((feature) => (
              <li key={feature.title} className="rounded-xl border border-slate-200 p-6">
                <h3 className="font-semibold text-slate-900">
                  <Link to={feature.href} className="hover:text-indigo-700">
                    {feature.title}
                  </Link>
                </h3>
                <p className="mt-2 text-slate-600">{feature.body}</p>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <section aria-labelledby="cta" className="border-t border-slate-200 bg-indigo-700">
        <div className="mx-auto flex max-w-6xl flex-col items-start gap-4 px-4 py-14 sm:px-6 md:flex-row md:items-center md:justify-between">
          <div>
            <h2 id="cta" className="text-2xl font-semibold text-white">
              Start with one repository
            </h2>
            <p className="mt-1 text-indigo-100">
              Free for up to {planLimit("free", "repositories")} repositories. Self-host it on your own Cloudflare
              account if you prefer.
            </p>
          </div>
          <div className="flex flex-wrap gap-3">
            <Link
              to="/workspaces/new"
              className="rounded-md bg-white px-4 py-2.5 font-medium text-indigo-700 shadow-sm hover:bg-indigo-50"
            >
              Create Workspace
            </Link>
            <Link
              to="/pricing"
              className="rounded-md border border-indigo-300 px-4 py-2.5 font-medium text-white hover:bg-indigo-600"
            >
              Compare plans
            </Link>
          </div>
        </div>
      </section>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
