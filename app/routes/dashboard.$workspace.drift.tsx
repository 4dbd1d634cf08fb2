import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { loadDrift } from "~/dashboard/activity.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import { driftPayload, driftStatusPanel, schedulesPanel } from "~/dashboard/payloads/drift.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Drift · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const drift = await loadDrift(context.db, workspace.id);
  return payload(
    driftPayload,
    {
      schedules: panel(schedulesPanel, { schedules: drift.schedules }, context, "drift.schedules"),
      status: panel(driftStatusPanel, { repositories: drift.repositories }, context, "drift.status"),
    },
    context,
    { name: "dashboard.drift" },
  );
}

export default function Drift() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <PageTitle>Drift</PageTitle>
      <Panel title="Schedules" slot={data.schedules}>
        {(list) =>
          list.schedules.length === 0 ? (
            <EmptyState title="No drift schedules">Add a schedule to run your detect workflows regularly.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {list.schedules.map((schedule) => (
                <li key={schedule.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span>
                    <span className="font-medium text-slate-900">{schedule.name}</span> · {schedule.scope} ·{" "}
                    <code>{schedule.cron}</code> ({schedule.timezone}){schedule.enabled ? "" : " · paused"}
                  </span>
                  <span className="text-slate-600">
                    last {formatTime(schedule.lastRunAt)} · next{" "}
                    {schedule.enabled ? formatTime(schedule.nextRunAt) : "—"}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Panel>
      <Panel title="Drift status by repository" slot={data.status}>
        {(status) =>
          status.repositories.length === 0 ? (
            <EmptyState title="No instances yet">
              Upload an inventory with <code>atmos list instances --upload</code>.
            </EmptyState>
          ) : (
            <TableScroll label="Drift status by repository">
              <table className="min-w-full text-left text-sm">
                <thead className="text-slate-600">
                  <tr>
                    <ColumnHeader>Repository</ColumnHeader>
                    <ColumnHeader>Drift detection on</ColumnHeader>
                    <ColumnHeader>In sync</ColumnHeader>
                    <ColumnHeader>Drifted</ColumnHeader>
                    <ColumnHeader>Error</ColumnHeader>
                    <ColumnHeader last>Unknown</ColumnHeader>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {status.repositories.map((repo) => (
                    <tr key={repo.repository}>
                      <td className="py-2 pr-4 font-medium text-slate-900">{repo.repository}</td>
                      <Cell>{repo.driftEnabled}</Cell>
                      <Cell>{repo.in_sync}</Cell>
                      <Cell>{repo.drifted}</Cell>
                      <Cell>{repo.error}</Cell>
                      <Cell last>{repo.unknown}</Cell>
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
