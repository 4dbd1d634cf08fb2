import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import { repositoriesPanel, repositoriesPayload } from "~/dashboard/payloads/repositories.server";
import { listRepositories } from "~/dashboard/repositories.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, Panel, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Repositories · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const list = panel(
    repositoriesPanel,
    { workspaceId: workspace.id, repositories: await listRepositories(context.db, workspace.id) },
    context,
    "repositories.list",
  );
  return payload(repositoriesPayload, { slug: workspace.slug, list }, context, { name: "dashboard.repositories" });
}

export default function Repositories() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <PageTitle>Repositories</PageTitle>
      <Panel title="Imported repositories" slot={data.list}>
        {(list) =>
          list.repositories.length === 0 ? (
            <EmptyState title="Install the GitHub App">
              Install the Atmos Pro GitHub App on your infrastructure repositories, then add the workspace id to their
              variables:
              <pre tabIndex={0} className="mt-2 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">
                <code>gh variable set ATMOS_PRO_WORKSPACE_ID --body &quot;{list.workspaceId}&quot;</code>
              </pre>
            </EmptyState>
          ) : (
            <TableScroll label="Repositories">
              <table className="min-w-full text-left text-sm">
                <thead className="text-slate-600">
                  <tr>
                    <ColumnHeader>Repository</ColumnHeader>
                    <ColumnHeader>Instances</ColumnHeader>
                    <ColumnHeader>In sync</ColumnHeader>
                    <ColumnHeader>Drifted</ColumnHeader>
                    <ColumnHeader>Error</ColumnHeader>
                    <ColumnHeader last>Unknown</ColumnHeader>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {list.repositories.map((repo) => (
                    <tr key={repo.id}>
                      <td className="py-2 pr-4">
                        <Link
                          to={`/dashboard/${data.slug}/repositories/${repo.owner}/${repo.name}`}
                          className="font-medium text-indigo-700 hover:underline"
                        >
                          {repo.owner}/{repo.name}
                        </Link>
                      </td>
                      <Cell>{repo.total}</Cell>
                      <Cell>{repo.byStatus.in_sync}</Cell>
                      <Cell>{repo.byStatus.drifted}</Cell>
                      <Cell>{repo.byStatus.error}</Cell>
                      <Cell last>{repo.byStatus.unknown}</Cell>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        }
      </Panel>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
