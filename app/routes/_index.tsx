import { Link } from "@remix-run/react";
import { PublicLayout } from "~/ui/public-layout";

const FEATURES = [
  { title: "Ordered deployments", body: "Plans and applies run in the order of your stacks' dependency graph, wave by wave, through your own GitHub Actions workflows." },
  { title: "Drift detection", body: "Scheduled detect runs tell you which instances drifted from their code before your next change does." },
  { title: "Advisory locks", body: "Hold a stack while you operate on it: nothing is dispatched to a locked key until you release it." },
  { title: "Audit log", body: "Every change to a workspace, its members, permissions and locks is recorded with who, what and when." },
];

export default function Home() {
  return (
    <PublicLayout>
      <section className="mx-auto max-w-6xl px-4 pb-16 pt-20 sm:px-6">
        <p className="text-sm font-semibold uppercase tracking-wide text-indigo-600">For platform teams on Atmos</p>
        <h1 className="mt-3 max-w-3xl text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
          Deploy Terraform on AWS in dependency order, from every pull request.
        </h1>
        <p className="mt-5 max-w-2xl text-lg text-slate-600">
          Atmos Pro reads the affected stacks your CI uploads, dispatches your plan and apply workflows in the right order,
          posts the results on the pull request, and watches for drift.
        </p>
        <div className="mt-8 flex flex-wrap gap-3">
          <Link to="/workspaces/new" className="rounded-md bg-indigo-600 px-4 py-2.5 font-medium text-white shadow-sm hover:bg-indigo-500">
            Create Workspace
          </Link>
          <Link to="/docs" className="rounded-md border border-slate-300 bg-white px-4 py-2.5 font-medium text-slate-800 hover:bg-slate-50">
            Read the docs
          </Link>
        </div>
      </section>
      <section aria-labelledby="features" className="border-t border-slate-200 bg-white">
        <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="features" className="text-2xl font-semibold text-slate-900">What it does</h2>
          <ul className="mt-8 grid gap-6 sm:grid-cols-2">
            {FEATURES.map((feature) => (
              <li key={feature.title} className="rounded-xl border border-slate-200 p-6">
                <h3 className="font-semibold text-slate-900">{feature.title}</h3>
                <p className="mt-2 text-slate-600">{feature.body}</p>
              </li>
            ))}
          </ul>
        </div>
      </section>
    </PublicLayout>
  );
}
