import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { loadInstance } from "~/dashboard/instance.server";
import { can } from "~/domain/roles";
import { checkNow } from "~/forms/drift-check.server";
import { lockAction } from "~/forms/locks.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  deploymentsPanel,
  historyPanel,
  instancePayload,
  lockPanel,
  workflowsPanel,
} from "~/dashboard/payloads/instance.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { buttonSecondary, FormMessage, textLink } from "~/ui/forms";
import { LockForm, UnlockButton } from "~/ui/lock-forms";
import { EmptyState, formatTime, Panel, StatusBadge } from "~/ui/panel";
import { readForm } from "~/forms/form.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Instance · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const found = await loadInstance(context.db, workspace.id, params.instanceId ?? "", context.now());
  if (!found) throw json({ message: "There is no such instance in this workspace." }, { status: 404 });
  // The lock key and repository id stay on the server: the page's forms never send them.
  const { lockKey, repositoryId: _repositoryId, ...instance } = found.instance;
  return payload(
    instancePayload,
    {
      slug: workspace.slug,
      canCheck: can(workspace.role, "drift.run"),
      instance,
      history: panel(historyPanel, { history: found.history }, context, "instance.history"),
      deployments: panel(deploymentsPanel, { deployments: found.deployments }, context, "instance.deployments"),
      workflows: panel(workflowsPanel, () => ({ workflows: found.workflows() }), context, "instance.workflows"),
      lock: panel(lockPanel, { key: lockKey, lock: found.lock }, context, "instance.lock"),
    },
    context,
    { name: "dashboard.instance" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const fields = await readForm(request);
  const check = fields.intent === "check";
  const member = await requireMember(request, context, params.workspace, check ? "drift.run" : "locks.manage");
  const found = await loadInstance(context.db, member.workspace.id, params.instanceId ?? "", context.now());
  if (!found) throw json({ message: "There is no such instance in this workspace." }, { status: 404 });
  // The instance (its key, its repository) always comes from the page's instance, never from the form.
  if (check)
    return checkNow(context, member, "check", {
      repositoryId: found.instance.repositoryId,
      instanceId: found.instance.id,
      scheduleId: null,
      remediate: false,
    });
  return lockAction(context, member, { ...fields, key: found.instance.lockKey });
}

export default function Instance() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/dashboard/${data.slug}`;
  const [owner, name] = data.instance.repository.split("/");
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          <Link to={`${base}/repositories/${owner}/${name}`} className="hover:underline">
            {data.instance.repository}
          </Link>{" "}
          / {data.instance.stack}
        </p>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <PageTitle>{data.instance.component}</PageTitle>
          <StatusBadge status={data.instance.status} />
          {data.instance.removed ? <span className="text-sm text-slate-500">(no longer in the inventory)</span> : null}
        </div>
        <p className="mt-1 text-sm text-slate-600">
          {data.instance.componentType} · drift detection {data.instance.driftEnabled ? "on" : "off"} · last{" "}
          {data.instance.lastCommand ?? "run"} {formatTime(data.instance.lastRunAt)}
          {data.instance.lastExitCode !== null ? ` (exit ${data.instance.lastExitCode})` : ""}
        </p>
      </div>
      {data.canCheck && data.instance.driftEnabled && !data.instance.removed ? (
        <Form method="post">
          <input type="hidden" name="intent" value="check" />
          <button type="submit" className={buttonSecondary}>
            Check for drift now
          </button>
        </Form>
      ) : null}
      {result?.message ? <FormMessage tone={result.ok ? "success" : "error"}>{result.message}</FormMessage> : null}

      <Panel title="Lock" slot={data.lock}>
        {(lock) =>
          lock.lock ? (
            <div className="flex flex-wrap items-center justify-between gap-3">
              <p className="text-sm text-slate-700">
                Locked by <strong>{lock.lock.lockedBy}</strong> until {formatTime(lock.lock.expiresAt)}
                {lock.lock.message ? ` — ${lock.lock.message}` : ""}
              </p>
              <UnlockButton lockKey={lock.key} />
            </div>
          ) : (
            <LockForm lockKey={lock.key} />
          )
        }
      </Panel>

      <div className="grid gap-6 lg:grid-cols-2">
        <Panel title="Status history" slot={data.history}>
          {(history) =>
            history.history.length === 0 ? (
              <EmptyState title="No results yet">
                Results appear when a plan, apply or drift detection reports this instance's status.
              </EmptyState>
            ) : (
              <table className="min-w-full text-left text-sm">
                <thead className="text-slate-600">
                  <tr>
                    <th scope="col" className="py-1 pr-3 font-medium">
                      When
                    </th>
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Command
                    </th>
                    <th scope="col" className="py-1 pr-3 font-medium">
                      Exit code
                    </th>
                    <th scope="col" className="py-1 font-medium">
                      Result
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {history.history.map((row) => (
                    <tr key={row.id}>
                      <td className="py-1 pr-3 text-slate-600">{formatTime(row.ranAt)}</td>
                      <td className="py-1 pr-3">{row.command}</td>
                      <td className="py-1 pr-3">{row.exitCode}</td>
                      <td className="py-1">
                        <StatusBadge status={row.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Panel>
        <Panel title="Workflows (settings.pro)" slot={data.workflows}>
          {(workflows) =>
            workflows.workflows.length === 0 ? (
              <EmptyState title="No workflows configured">
                Add settings.pro to this component in your stack configuration.
              </EmptyState>
            ) : (
              <ul className="space-y-3 text-sm">
                {workflows.workflows.map((workflow) => (
                  <li key={`${workflow.event}-${workflow.workflow}`}>
                    <p>
                      <span className="font-medium text-slate-900">{workflow.event.replace(/\./g, " → ")}</span>:{" "}
                      {workflow.workflow}
                    </p>
                    {workflow.inputs.length ? (
                      <ul className="ml-4 list-disc text-slate-600">
                        {workflow.inputs.map((input) => (
                          <li key={input.name}>
                            <code>{input.name}</code> = <code>{input.value}</code>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </li>
                ))}
              </ul>
            )
          }
        </Panel>
      </div>

      <Panel title="Deployments" slot={data.deployments}>
        {(runs) =>
          runs.deployments.length === 0 ? (
            <EmptyState title="No deployments yet" />
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {runs.deployments.map((run) => (
                <li key={run.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span>
                    {run.kind} · {run.workflow} · {formatTime(run.createdAt)}
                  </span>
                  <span className="flex items-center gap-3">
                    <StatusBadge status={run.status} />
                    {run.githubRunUrl ? (
                      <a href={run.githubRunUrl} className={textLink} target="_blank" rel="noreferrer">
                        View run<span className="sr-only"> {run.id}</span>
                      </a>
                    ) : null}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Panel>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
