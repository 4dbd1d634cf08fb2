import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { deploymentWaves } from "~/domain/deployment-waves";
import { loadPullRequests } from "~/dashboard/activity.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import { planPanel, pullRequestsPayload, uploadsPanel } from "~/dashboard/payloads/pull-requests.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { EmptyState, formatTime, Panel, StatusBadge } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { textLink } from "~/ui/forms";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Pull requests · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const { uploads, selected } = await loadPullRequests(
    context.db,
    workspace.id,
    new URL(request.url).searchParams.get("upload"),
  );
  const groups = new Map<
    string,
    { label: string; repository: string; uploads: (typeof uploadsPanel.infer.groups)[number]["uploads"] }
  >();
  for (const upload of uploads) {
    const repository = `${upload.owner}/${upload.name}`;
    const label =
      upload.pullRequest !== null
        ? `#${upload.pullRequest}${upload.headRef ? ` (${upload.headRef})` : ""}`
        : `commit ${upload.headSha.slice(0, 7)}`;
    const key = `${repository}|${label}`;
    const group = groups.get(key) ?? { label, repository, uploads: [] };
    group.uploads.push({
      id: upload.id,
      headSha: upload.headSha,
      baseSha: upload.baseSha,
      status: upload.status,
      createdAt: upload.createdAt,
      items: upload.items,
    });
    groups.set(key, group);
  }

  let plan = null;
  if (selected) {
    const { upload, graph } = selected;
    const { waves, brokenEdges } = deploymentWaves(graph.items, graph.edges);
    plan = panel(
      planPanel,
      {
        upload: {
          id: upload.id,
          label: upload.pullRequest !== null ? `#${upload.pullRequest}` : upload.headSha.slice(0, 7),
          headSha: upload.headSha,
          status: upload.status,
        },
        waves: waves.map((wave) =>
          wave.map((item) => ({
            stack: item.stack,
            component: item.component,
            deleted: item.deleted,
            planStatus: item.planStatus,
            applyStatus: item.applyStatus,
          })),
        ),
        brokenEdges: brokenEdges.length,
      },
      context,
      "pull-requests.plan",
    );
  }
  return payload(
    pullRequestsPayload,
    {
      slug: workspace.slug,
      uploads: panel(uploadsPanel, { groups: [...groups.values()] }, context, "pull-requests.list"),
      plan,
    },
    context,
    { name: "dashboard.pull-requests" },
  );
}

export default function PullRequests() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <PageTitle>Pull requests</PageTitle>
      <div className="grid gap-6 lg:grid-cols-[20rem_1fr]">
        <Panel title="Affected-stacks uploads" slot={data.uploads}>
          {(list) =>
            list.groups.length === 0 ? (
              <EmptyState title="No uploads yet">
                Run <code>atmos describe affected --upload</code> in your pull request workflow.
              </EmptyState>
            ) : (
              <ul className="space-y-4 text-sm">
                {list.groups.map((group) => (
                  <li key={`${group.repository}${group.label}`}>
                    <p className="font-medium text-slate-900">
                      {group.repository} {group.label}
                    </p>
                    <ul className="mt-1 space-y-1">
                      {group.uploads.map((upload) => (
                        <li key={upload.id}>
                          <Link to={`?upload=${upload.id}`} className={textLink}>
                            {upload.headSha.slice(0, 7)}
                          </Link>{" "}
                          <span className="text-slate-500">
                            {upload.items} items · {upload.status} · {formatTime(upload.createdAt)}
                          </span>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            )
          }
        </Panel>
        {data.plan ? (
          <Panel title="Deployment plan" slot={data.plan}>
            {(plan) => (
              <div className="space-y-4">
                <p className="text-sm text-slate-600">
                  Upload {plan.upload.label} at {plan.upload.headSha.slice(0, 12)} — {plan.waves.length} wave
                  {plan.waves.length === 1 ? "" : "s"}, applied in order.
                  {plan.brokenEdges ? ` ${plan.brokenEdges} dependency cycle edge(s) were ignored.` : ""}
                </p>
                <ol className="space-y-3">
                  {plan.waves.map((wave, index) => (
                    <li key={index} className="rounded-lg border border-slate-200 p-3">
                      <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Wave {index + 1}</p>
                      <ul className="mt-2 grid gap-2 sm:grid-cols-2">
                        {wave.map((item) => (
                          <li
                            key={`${item.stack}/${item.component}`}
                            className="flex flex-wrap items-center justify-between gap-2 text-sm"
                          >
                            <span className={item.deleted ? "line-through" : undefined}>
                              {item.component} <span className="text-slate-500">in {item.stack}</span>
                            </span>
                            <span className="flex gap-1">
                              <span className="sr-only">plan</span>
                              <StatusBadge status={item.planStatus ?? "unknown"} />
                              <span className="sr-only">apply</span>
                              <StatusBadge status={item.applyStatus ?? "unknown"} />
                            </span>
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ol>
              </div>
            )}
          </Panel>
        ) : null}
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
