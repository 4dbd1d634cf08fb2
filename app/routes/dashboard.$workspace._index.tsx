import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { loadOverview } from "~/dashboard/overview.server";
import { requireMember } from "~/dashboard/membership.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { type } from "~/validation";
import { payload } from "~/validation/payload.server";

export const overviewPayload = type({
  workspace: { name: "string", slug: "string" },
  instancesByStatus: { in_sync: "number.integer >= 0", drifted: "number.integer >= 0", error: "number.integer >= 0", unknown: "number.integer >= 0" },
  repositories: type({ id: "string", owner: "string", name: "string", host: "string" }).array(),
  activeLocks: "number.integer >= 0",
  deploymentsInProgress: "number.integer >= 0",
  recentDeployments: type({
    id: "string",
    kind: "'plan' | 'apply' | 'detect' | 'remediate'",
    status: "'queued' | 'in_progress' | 'success' | 'failure' | 'cancelled'",
    createdAt: "string.date.iso",
    githubRunUrl: "string.url | null",
    stack: "string",
    component: "string",
  }).array(),
});

export const meta: MetaFunction = () => [{ title: "Overview · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const overview = await loadOverview(context.db, workspace.id, context.now());
  return payload(
    overviewPayload,
    { workspace: { name: workspace.name, slug: workspace.slug }, ...overview },
    context,
    { name: "dashboard.overview" },
  );
}

const STATUS_STYLE: Record<string, { label: string; className: string }> = {
  in_sync: { label: "In sync", className: "text-emerald-700 bg-emerald-50 ring-emerald-200" },
  drifted: { label: "Drifted", className: "text-amber-800 bg-amber-50 ring-amber-200" },
  error: { label: "Error", className: "text-rose-700 bg-rose-50 ring-rose-200" },
  unknown: { label: "Unknown", className: "text-slate-700 bg-slate-50 ring-slate-200" },
};

export default function Overview() {
  const data = useLoaderData<typeof loader>() satisfies typeof overviewPayload.infer;
  const statuses = ["in_sync", "drifted", "error", "unknown"] as const;

  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold text-slate-900">Overview</h1>

      <section aria-labelledby="instances-heading">
        <h2 id="instances-heading" className="text-sm font-medium uppercase tracking-wide text-slate-500">Instances by status</h2>
        <dl className="mt-3 grid grid-cols-2 gap-3 md:grid-cols-4">
          {statuses.map((status) => (
            <div key={status} className={`rounded-xl p-4 ring-1 ${STATUS_STYLE[status]!.className}`}>
              <dt className="text-sm font-medium">{STATUS_STYLE[status]!.label}</dt>
              <dd className="mt-1 text-3xl font-semibold" data-testid={`count-${status}`}>{data.instancesByStatus[status]}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="grid gap-4 md:grid-cols-3" aria-label="Workspace summary">
        <Stat label="Repositories" value={data.repositories.length} />
        <Stat label="Active locks" value={data.activeLocks} />
        <Stat label="Deployments in progress" value={data.deploymentsInProgress} />
      </section>

      {data.repositories.length === 0 ? (
        <section className="rounded-xl border border-dashed border-slate-300 bg-white p-6">
          <h2 className="font-semibold text-slate-900">Install the GitHub App</h2>
          <p className="mt-1 text-slate-600">
            Then add your workspace id to your repository variables:{" "}
            <code className="rounded bg-slate-100 px-1 py-0.5 text-sm">gh variable set ATMOS_PRO_WORKSPACE_ID --body &lt;id&gt;</code>
          </p>
        </section>
      ) : (
        <section aria-labelledby="repos-heading">
          <h2 id="repos-heading" className="text-sm font-medium uppercase tracking-wide text-slate-500">Repositories</h2>
          <ul className="mt-3 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
            {data.repositories.map((repository) => (
              <li key={repository.id} className="px-4 py-3 text-slate-800">
                {repository.owner}/{repository.name} <span className="text-sm text-slate-500">on {repository.host}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="deployments-heading">
        <h2 id="deployments-heading" className="text-sm font-medium uppercase tracking-wide text-slate-500">Recent deployments</h2>
        <div className="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="min-w-full text-left text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Instance</th>
                <th scope="col" className="px-4 py-2 font-medium">Kind</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">Started</th>
                <th scope="col" className="px-4 py-2 font-medium"><span className="sr-only">Run</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data.recentDeployments.map((deployment) => (
                <tr key={deployment.id}>
                  <td className="px-4 py-2 text-slate-900">{deployment.component} <span className="text-slate-500">in {deployment.stack}</span></td>
                  <td className="px-4 py-2">{deployment.kind}</td>
                  <td className="px-4 py-2">{deployment.status.replace("_", " ")}</td>
                  <td className="px-4 py-2 text-slate-600"><time dateTime={deployment.createdAt}>{deployment.createdAt.slice(0, 16).replace("T", " ")} UTC</time></td>
                  <td className="px-4 py-2">
                    {deployment.githubRunUrl ? (
                      <a href={deployment.githubRunUrl} className="text-indigo-600 hover:text-indigo-500" rel="noreferrer" target="_blank">
                        View run<span className="sr-only"> for {deployment.component} in {deployment.stack}</span>
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4">
      <p className="text-sm text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold text-slate-900">{value}</p>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
