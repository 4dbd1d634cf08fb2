import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { requireMember } from "~/dashboard/membership.server";
import { loadOverview } from "~/dashboard/overview.server";
import { panel } from "~/dashboard/panel.server";
import {
  attentionPanel,
  overviewPayload,
  recentPanel,
  repositoriesPanel,
  summaryPanel,
  trendsPanel,
} from "~/dashboard/payloads/overview.server";
import { BarChart } from "~/ui/charts";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, StatusBadge, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { textLink } from "~/ui/forms";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Overview · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const o = await loadOverview(context.db, workspace.id, context.now());
  return payload(
    overviewPayload,
    {
      workspace: { name: workspace.name, slug: workspace.slug },
      summary: panel(
        summaryPanel,
        {
          instancesByStatus: o.instancesByStatus,
          repositories: o.repositoryCount,
          activeLocks: o.activeLocks,
          deploymentsInProgress: o.deploymentsInProgress,
        },
        context,
        "overview.summary",
      ),
      trends: panel(
        trendsPanel,
        { driftTrend: o.driftTrend, deploymentsPerDay: o.deploymentsPerDay },
        context,
        "overview.trends",
      ),
      attention: panel(attentionPanel, o.attention as typeof attentionPanel.inferIn, context, "overview.attention"),
      recent: panel(recentPanel, { deployments: o.recentDeployments }, context, "overview.recent"),
      repositories: panel(
        repositoriesPanel,
        { repositories: o.repositories, total: o.repositoryCount, workspaceId: workspace.id },
        context,
        "overview.repositories",
      ),
    },
    context,
    { name: "dashboard.overview" },
  );
}

const STATUSES = [
  { key: "in_sync", label: "In sync", className: "text-emerald-800 bg-emerald-50 ring-emerald-200" },
  { key: "drifted", label: "Drifted", className: "text-amber-900 bg-amber-50 ring-amber-200" },
  { key: "error", label: "Error", className: "text-rose-800 bg-rose-50 ring-rose-200" },
  { key: "unknown", label: "Unknown", className: "text-slate-700 bg-slate-50 ring-slate-200" },
] as const;

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const base = `/dashboard/${data.workspace.slug}`;

  return (
    <div className="space-y-6">
      <PageTitle>Overview</PageTitle>

      <Panel title="Instances by status" slot={data.summary}>
        {(summary) => (
          <div className="space-y-4">
            <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
              {STATUSES.map((status) => (
                <div key={status.key} className={`rounded-xl p-4 ring-1 ${status.className}`}>
                  <dt className="text-sm font-medium">{status.label}</dt>
                  <dd className="mt-1 text-3xl font-semibold" data-testid={`count-${status.key}`}>
                    {summary.instancesByStatus[status.key]}
                  </dd>
                </div>
              ))}
            </dl>
            <dl className="grid gap-3 sm:grid-cols-3">
              <Stat label="Repositories" value={summary.repositories} />
              <Stat label="Active locks" value={summary.activeLocks} to={`${base}/locks`} />
              <Stat
                label="Deployments in progress"
                value={summary.deploymentsInProgress}
                to={`${base}/deployments?status=in_progress`}
              />
            </dl>
          </div>
        )}
      </Panel>

      <div className="grid gap-6 lg:grid-cols-2">
        <Panel title="Drift, last 30 days" slot={data.trends} id="panel-drift-trend">
          {(trends) => (
            <BarChart
              title="Drift detection results per day"
              days={trends.driftTrend.map((d) => d.day)}
              series={[
                { label: "Drifted", color: "#d97706", values: trends.driftTrend.map((d) => d.drifted) },
                { label: "Error", color: "#e11d48", values: trends.driftTrend.map((d) => d.error) },
                { label: "In sync", color: "#059669", values: trends.driftTrend.map((d) => d.inSync) },
              ]}
            />
          )}
        </Panel>
        <Panel title="Deployments per day" slot={data.trends} id="panel-deployments-per-day">
          {(trends) => (
            <BarChart
              title="Deployments dispatched per day"
              days={trends.deploymentsPerDay.map((d) => d.day)}
              series={[
                { label: "Deployments", color: "#4f46e5", values: trends.deploymentsPerDay.map((d) => d.count) },
              ]}
            />
          )}
        </Panel>
      </div>

      <Panel title="Needs attention" slot={data.attention}>
        {(attention) =>
          attention.instances.length + attention.failedApplies.length + attention.expiringLocks.length === 0 ? (
            <EmptyState title="Nothing needs attention">
              No errored or drifted instances, failed applies or expiring locks.
            </EmptyState>
          ) : (
            <div className="grid gap-4 md:grid-cols-3">
              <div>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Errored and drifted</h3>
                <ul className="mt-2 space-y-1 text-sm">
                  {attention.instances.map((instance) => (
                    <li key={instance.id} className="flex items-center justify-between gap-2">
                      <Link
                        to={`${base}/instances/${instance.id}`}
                        className="truncate text-indigo-700 hover:underline"
                      >
                        {instance.component} · {instance.stack}
                      </Link>
                      <StatusBadge status={instance.status} />
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Failed applies</h3>
                <ul className="mt-2 space-y-1 text-sm">
                  {attention.failedApplies.length === 0 ? <li className="text-slate-500">None</li> : null}
                  {attention.failedApplies.map((failed) => (
                    <li key={failed.id}>
                      {failed.component} · {failed.stack}{" "}
                      <span className="text-slate-500">{formatTime(failed.createdAt)}</span>
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
                  Locks expiring within a day
                </h3>
                <ul className="mt-2 space-y-1 text-sm">
                  {attention.expiringLocks.length === 0 ? <li className="text-slate-500">None</li> : null}
                  {attention.expiringLocks.map((lock) => (
                    <li key={lock.id} className="break-all">
                      {lock.key} <span className="text-slate-500">until {formatTime(lock.expiresAt)}</span>
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          )
        }
      </Panel>

      <Panel
        title="Recent deployments"
        slot={data.recent}
        actions={
          <Link to={`${base}/deployments`} className="text-sm text-indigo-700 hover:underline">
            All deployments
          </Link>
        }
      >
        {(recent) =>
          recent.deployments.length === 0 ? (
            <EmptyState title="No deployments yet">
              Open a pull request that changes a stack: its plan runs appear here.
            </EmptyState>
          ) : (
            <TableScroll label="Recent deployments">
              <table className="min-w-full text-left text-sm">
                <thead className="text-slate-600">
                  <tr>
                    <ColumnHeader>Instance</ColumnHeader>
                    <ColumnHeader>Kind</ColumnHeader>
                    <ColumnHeader>Status</ColumnHeader>
                    <ColumnHeader>Created</ColumnHeader>
                    <ColumnHeader last>
                      <span className="sr-only">Run</span>
                    </ColumnHeader>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {recent.deployments.map((deployment) => (
                    <tr key={deployment.id}>
                      <td className="py-2 pr-4 text-slate-900">
                        {deployment.component} <span className="text-slate-500">in {deployment.stack}</span>
                      </td>
                      <Cell>{deployment.kind}</Cell>
                      <Cell>
                        <StatusBadge status={deployment.status} />
                      </Cell>
                      <Cell muted>
                        <time dateTime={deployment.createdAt}>{formatTime(deployment.createdAt)}</time>
                      </Cell>
                      <td className="py-2">
                        {deployment.githubRunUrl ? (
                          <a href={deployment.githubRunUrl} className={textLink} rel="noreferrer" target="_blank">
                            View run
                            <span className="sr-only">
                              {" "}
                              for {deployment.component} in {deployment.stack}
                            </span>
                          </a>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        }
      </Panel>

      <Panel title="Repositories" slot={data.repositories}>
        {(repos) =>
          repos.repositories.length === 0 ? (
            <EmptyState title="Install the GitHub App">
              Install the Atmos Pro GitHub App on your infrastructure repositories, then add your workspace id to their
              variables:
              <pre tabIndex={0} className="mt-2 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">
                <code>gh variable set ATMOS_PRO_WORKSPACE_ID --body &quot;{repos.workspaceId}&quot;</code>
              </pre>
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {repos.repositories.map((repository) => (
                <li key={repository.id} className="py-2">
                  <Link
                    to={`${base}/repositories/${repository.owner}/${repository.name}`}
                    className="font-medium text-indigo-700 hover:underline"
                  >
                    {repository.owner}/{repository.name}
                  </Link>{" "}
                  <span className="text-sm text-slate-500">on {repository.host}</span>
                </li>
              ))}
              {repos.total > repos.repositories.length ? (
                <li className="py-2">
                  <Link to={`${base}/repositories`} className={textLink}>
                    All {repos.total} repositories →
                  </Link>
                </li>
              ) : null}
            </ul>
          )
        }
      </Panel>
    </div>
  );
}

function Stat({ label, value, to }: { label: string; value: number; to?: string }) {
  return (
    <div className="rounded-xl border border-slate-200 p-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-slate-900">
        {to ? (
          <Link to={to} className="hover:underline">
            {value}
          </Link>
        ) : (
          value
        )}
      </dd>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
