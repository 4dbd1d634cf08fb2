import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  INSTANCE_FILTER_KEYS,
  instanceFilters,
  instancesPanel,
  repositoryPayload,
} from "~/dashboard/payloads/repository.server";
import { INSTANCE_SORTS } from "~/domain/vocabulary";
import { loadRepositoryInstances } from "~/dashboard/repositories.server";

import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, StatusBadge, TableScroll } from "~/ui/panel";
import { readQuery } from "~/validation/query.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction<typeof loader> = ({ params }) => [
  { title: `${params.owner}/${params.name} · Atmos Pro` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const filters = readQuery(new URL(request.url), instanceFilters, INSTANCE_FILTER_KEYS);
  const sort = filters.sort ?? "component";
  const found = await loadRepositoryInstances(context.db, {
    workspaceId: workspace.id,
    owner: params.owner ?? "",
    name: params.name ?? "",
    filters: { ...filters, sort },
    now: context.now(),
  });
  if (!found) throw json({ message: "This repository is not imported into this workspace." }, { status: 404 });
  const { repository } = found;
  return payload(
    repositoryPayload,
    {
      slug: workspace.slug,
      repository: { owner: repository.owner, name: repository.name, host: repository.host },
      filters: { status: filters.status ?? "", stack: filters.stack ?? "", q: filters.q ?? "", sort },
      table: panel(instancesPanel, found.table, context, "repository.instances"),
    },
    context,
    { name: "dashboard.repository" },
  );
}

export default function Repository() {
  const data = useLoaderData<typeof loader>();
  const base = `/dashboard/${data.slug}`;
  const keep = (extra: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...data.filters, ...extra })) if (value) params.set(key, value);
    return `?${params}`;
  };
  const sortLabel = { component: "Component", stack: "Stack", status: "Status", last_run: "Last run" } as const;

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          <Link to={`${base}/repositories`} className="hover:underline">
            Repositories
          </Link>{" "}
          /
        </p>
        <PageTitle>
          {data.repository.owner}/{data.repository.name}
        </PageTitle>
      </div>
      <Form
        method="get"
        className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-5 sm:items-end"
      >
        <div className="sm:col-span-2">
          <label htmlFor="q" className="block text-sm font-medium text-slate-700">
            Search
          </label>
          <input
            id="q"
            name="q"
            defaultValue={data.filters.q}
            placeholder="component or stack"
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
          />
        </div>
        <div>
          <label htmlFor="status" className="block text-sm font-medium text-slate-700">
            Status
          </label>
          <select
            id="status"
            name="status"
            defaultValue={data.filters.status}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
          >
            <option value="">Any</option>
            <option value="in_sync">In sync</option>
            <option value="drifted">Drifted</option>
            <option value="error">Error</option>
            <option value="unknown">Unknown</option>
          </select>
        </div>
        <div>
          <label htmlFor="stack" className="block text-sm font-medium text-slate-700">
            Stack
          </label>
          <select
            id="stack"
            name="stack"
            defaultValue={data.filters.stack}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
          >
            <option value="">Any</option>
            {data.table.ok
              ? data.table.data.stacks.map((stack) => (
                  <option key={stack} value={stack}>
                    {stack}
                  </option>
                ))
              : null}
          </select>
        </div>
        <div className="flex gap-2">
          <div className="flex-1">
            <label htmlFor="sort" className="block text-sm font-medium text-slate-700">
              Sort by
            </label>
            <select
              id="sort"
              name="sort"
              defaultValue={data.filters.sort}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
            >
              {INSTANCE_SORTS.map((sort) => (
                <option key={sort} value={sort}>
                  {sortLabel[sort]}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="self-end rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
          >
            Apply
          </button>
        </div>
      </Form>

      <Panel title="Instances" slot={data.table}>
        {(table) =>
          table.instances.length === 0 ? (
            <EmptyState title="No instances match">
              {data.filters.q || data.filters.status || data.filters.stack
                ? "Try other filters."
                : "Upload this repository's inventory from CI: atmos list instances --upload"}
            </EmptyState>
          ) : (
            <>
              <TableScroll label="Instances">
                <table className="min-w-full text-left text-sm">
                  <thead className="text-slate-600">
                    <tr>
                      <ColumnHeader>Component</ColumnHeader>
                      <ColumnHeader>Stack</ColumnHeader>
                      <ColumnHeader>Type</ColumnHeader>
                      <ColumnHeader>Status</ColumnHeader>
                      <ColumnHeader>Last run</ColumnHeader>
                      <ColumnHeader last>Lock</ColumnHeader>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {table.instances.map((instance) => (
                      <tr key={instance.id}>
                        <td className="py-2 pr-4">
                          <Link
                            to={`${base}/instances/${instance.id}`}
                            className="font-medium text-indigo-700 hover:underline"
                          >
                            {instance.component}
                          </Link>
                        </td>
                        <Cell>{instance.stack}</Cell>
                        <Cell muted>{instance.componentType}</Cell>
                        <Cell>
                          <StatusBadge status={instance.status} />
                        </Cell>
                        <Cell muted>
                          {instance.lastCommand ? `${instance.lastCommand} · ` : ""}
                          {formatTime(instance.lastRunAt)}
                        </Cell>
                        <Cell last muted>
                          {instance.lock ? `🔒 ${instance.lock.lockedBy}` : "—"}
                        </Cell>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              {table.nextCursor ? (
                <p className="mt-4">
                  <Link
                    to={keep({ cursor: table.nextCursor })}
                    className="text-sm font-medium text-indigo-700 hover:underline"
                  >
                    Next page →
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
