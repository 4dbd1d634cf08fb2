import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { listDeployments } from "~/dashboard/activity.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  DEPLOYMENT_FILTER_KEYS,
  deploymentFilters,
  deploymentsPanel,
  deploymentsPayload,
} from "~/dashboard/payloads/deployments.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, StatusBadge, TableScroll } from "~/ui/panel";
import { readQuery } from "~/validation/query.server";
import { payload } from "~/validation/payload.server";
import { textLink } from "~/ui/forms";
import { PageTitle } from "~/ui/page-title";
import { DEPLOYMENT_STATUSES } from "~/domain/vocabulary";

export const meta: MetaFunction = () => [{ title: "Deployments · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const picked = readQuery(new URL(request.url), deploymentFilters, DEPLOYMENT_FILTER_KEYS);
  const list = panel(
    deploymentsPanel,
    await listDeployments(context.db, workspace.id, picked),
    context,
    "deployments.list",
  );
  return payload(
    deploymentsPayload,
    { slug: workspace.slug, filters: { kind: picked.kind ?? "", status: picked.status ?? "" }, list },
    context,
    { name: "dashboard.deployments" },
  );
}

export default function Deployments() {
  const data = useLoaderData<typeof loader>();
  const base = `/dashboard/${data.slug}`;
  return (
    <div className="space-y-6">
      <PageTitle>Deployments</PageTitle>
      <Form method="get" className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4">
        <div>
          <label htmlFor="kind" className="block text-sm font-medium text-slate-700">
            Kind
          </label>
          <select
            id="kind"
            name="kind"
            defaultValue={data.filters.kind}
            className="mt-1 rounded-md border border-slate-300 px-2 py-2"
          >
            <option value="">Any</option>
            {["plan", "apply", "detect", "remediate"].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="status" className="block text-sm font-medium text-slate-700">
            Status
          </label>
          <select
            id="status"
            name="status"
            defaultValue={data.filters.status}
            className="mt-1 rounded-md border border-slate-300 px-2 py-2"
          >
            <option value="">Any</option>
            {DEPLOYMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </div>
        <button
          type="submit"
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Apply
        </button>
      </Form>
      <Panel title="Dispatched runs" slot={data.list}>
        {(list) =>
          list.deployments.length === 0 ? (
            <EmptyState title="No deployments match">
              Deployments appear when Atmos Pro dispatches your plan and apply workflows.
            </EmptyState>
          ) : (
            <>
              <TableScroll label="Deployments">
                <table className="min-w-full text-left text-sm">
                  <thead className="text-slate-600">
                    <tr>
                      <ColumnHeader>Instance</ColumnHeader>
                      <ColumnHeader>Kind</ColumnHeader>
                      <ColumnHeader>Status</ColumnHeader>
                      <ColumnHeader>Workflow</ColumnHeader>
                      <ColumnHeader>Created</ColumnHeader>
                      <ColumnHeader last>
                        <span className="sr-only">GitHub run</span>
                      </ColumnHeader>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {list.deployments.map((run) => (
                      <tr key={run.id}>
                        <Cell>
                          <Link to={`${base}/instances/${run.instanceId}`} className={textLink}>
                            {run.component}
                          </Link>{" "}
                          <span className="text-slate-500">in {run.stack}</span>
                        </Cell>
                        <Cell>{run.kind}</Cell>
                        <Cell>
                          <StatusBadge status={run.status} />
                          {run.reason ? <span className="ml-2 text-slate-600">{run.reason}</span> : null}
                          {run.batchId ? (
                            <Link to={`${base}/pull-requests?batch=${run.batchId}`} className={`ml-2 ${textLink}`}>
                              batch
                              <span className="sr-only">
                                {" "}
                                of {run.component} in {run.stack}
                              </span>
                            </Link>
                          ) : null}
                        </Cell>
                        <Cell muted>{run.workflow}</Cell>
                        <Cell muted>{formatTime(run.createdAt)}</Cell>
                        <Cell last>
                          {run.githubRunUrl ? (
                            <a href={run.githubRunUrl} className={textLink} target="_blank" rel="noreferrer">
                              GitHub run
                              <span className="sr-only">
                                {" "}
                                for {run.component} in {run.stack}
                              </span>
                            </a>
                          ) : (
                            <span className="text-slate-500">not started</span>
                          )}
                        </Cell>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              {list.nextCursor ? (
                <p className="mt-4">
                  <Link
                    to={`?${new URLSearchParams({ ...(data.filters.kind ? { kind: data.filters.kind } : {}), ...(data.filters.status ? { status: data.filters.status } : {}), cursor: list.nextCursor })}`}
                    className="text-sm font-medium text-indigo-700 hover:underline"
                  >
                    Older runs →
                  </Link>
                </p>
              ) : null}
            </>
          )
        }
      </Panel>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
