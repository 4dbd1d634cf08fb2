import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { deploymentWaves } from "~/domain/deployment-waves";
import { loadPullRequests } from "~/dashboard/activity.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  batchesPanel,
  planPanel,
  PULL_REQUESTS_QUERY_KEYS,
  pullRequestListPanel,
  pullRequestsPayload,
  pullRequestsQuery,
  uploadsPanel,
} from "~/dashboard/payloads/pull-requests.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, StatusBadge, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { readQuery } from "~/validation/query.server";
import { textLink } from "~/ui/forms";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Pull requests · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const url = new URL(request.url);
  const selection = readQuery(url, pullRequestsQuery, PULL_REQUESTS_QUERY_KEYS);
  const { uploads, selected, pullRequests, chosen, batches } = await loadPullRequests(
    context.db,
    workspace.id,
    selection,
  );
  const missing = url.searchParams.has("batch") && !batches.some((batch) => batch.id === url.searchParams.get("batch"));
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
      pullRequests: panel(pullRequestListPanel, { pullRequests }, context, "pull-requests.pull-requests"),
      batches: panel(batchesPanel, { pullRequest: chosen, missing, batches }, context, "pull-requests.batches"),
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
        <Panel title="Pull requests" slot={data.pullRequests}>
          {(list) =>
            list.pullRequests.length === 0 ? (
              <EmptyState title="No pull requests yet">
                They appear when the GitHub App tells us about a pull request in one of your repositories.
              </EmptyState>
            ) : (
              <ul className="space-y-3 text-sm">
                {list.pullRequests.map((pr) => (
                  <li key={pr.id}>
                    <Link to={`?pr=${pr.id}`} className={textLink}>
                      {pr.repository}#{pr.number}
                    </Link>{" "}
                    <span className="text-slate-900">{pr.title}</span>
                    <p className="mt-1 flex flex-wrap items-center gap-1 text-slate-500">
                      <StatusBadge status={pr.state} />
                      {pr.latestBatch ? <StatusBadge status={pr.latestBatch} /> : null}
                      <span>
                        by {pr.author} · {formatTime(pr.updatedAt)}
                      </span>
                    </p>
                  </li>
                ))}
              </ul>
            )
          }
        </Panel>
        <Panel title="Deployments of the pull request" slot={data.batches}>
          {(shown) => <Batches {...shown} base={`/dashboard/${data.slug}`} />}
        </Panel>
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

function Batches({ pullRequest, missing, batches, base }: (typeof batchesPanel)["infer"] & { base: string }) {
  return (
    <div className="space-y-4">
      {missing ? (
        <p role="alert" className="text-sm text-rose-800">
          That deployment batch is not in this workspace (it may have been removed).
        </p>
      ) : null}
      {pullRequest ? (
        <div className="text-sm">
          <p className="font-medium text-slate-900">
            <a href={pullRequest.htmlUrl} className={textLink} target="_blank" rel="noreferrer">
              {pullRequest.repository}#{pullRequest.number}
            </a>{" "}
            {pullRequest.title}
          </p>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-slate-600">
            <StatusBadge status={pullRequest.state} />
            <span>
              by {pullRequest.author} · {pullRequest.headRef} → {pullRequest.baseRef} · head{" "}
              <code>{pullRequest.headSha.slice(0, 12)}</code>
            </span>
          </p>
        </div>
      ) : null}
      {batches.length === 0 ? (
        <EmptyState title="Nothing dispatched yet">
          A batch starts when a pull request event and its affected-stacks upload (same head sha) have both arrived.
        </EmptyState>
      ) : (
        batches.map((batch) => (
          <section
            key={batch.id}
            id={batch.id}
            aria-label={`${batch.kind} at ${batch.headSha.slice(0, 7)}`}
            className="rounded-lg border border-slate-200 p-3"
          >
            <h3 className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
              <span className="capitalize">{batch.kind}</span>
              <StatusBadge status={batch.status} />
              <span className="font-normal text-slate-600">
                {batch.event}.{batch.activity} · <code>{batch.headSha.slice(0, 12)}</code> on {batch.ref} ·{" "}
                {formatTime(batch.createdAt)}
              </span>
            </h3>
            {batch.error ? <p className="mt-2 text-sm text-rose-800">{batch.error}</p> : null}
            {batch.jobs.length > 0 ? (
              <TableScroll label={`Jobs of the ${batch.kind} at ${batch.headSha.slice(0, 7)}`} className="mt-2">
                <table className="min-w-full text-left text-sm">
                  <thead className="text-slate-600">
                    <tr>
                      <ColumnHeader>Component</ColumnHeader>
                      <ColumnHeader>Workflow</ColumnHeader>
                      <ColumnHeader>State</ColumnHeader>
                      <ColumnHeader last>Run</ColumnHeader>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {batch.jobs.map((job) => (
                      <tr key={job.id}>
                        <Cell>
                          <Link to={`${base}/instances/${job.instanceId}`} className={textLink}>
                            {job.component}
                          </Link>{" "}
                          <span className="text-slate-500">in {job.stack}</span>
                        </Cell>
                        <Cell muted>{job.workflow}</Cell>
                        <Cell>
                          <StatusBadge status={job.status} />
                          {job.reason ? <span className="ml-2 text-slate-600">{job.reason}</span> : null}
                        </Cell>
                        <Cell last>
                          {job.githubRunUrl ? (
                            <a href={job.githubRunUrl} className={textLink} target="_blank" rel="noreferrer">
                              GitHub run
                              <span className="sr-only">
                                {" "}
                                for {job.component} in {job.stack}
                              </span>
                            </a>
                          ) : (
                            <span className="text-slate-500">no run yet</span>
                          )}
                        </Cell>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            ) : null}
            {batch.jobCount > batch.jobs.length ? (
              <p className="mt-2 text-sm text-slate-600">
                Showing {batch.jobs.length} of {batch.jobCount} jobs.
              </p>
            ) : null}
          </section>
        ))
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
