import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  INSTANCE_FILTER_KEYS,
  instanceFilters,
  instancesPanel,
  permissionsPanel,
  repositoryPayload,
} from "~/dashboard/payloads/repository.server";
import { can } from "~/domain/roles";
import { INSTANCE_SORTS, PERMISSION_TYPES } from "~/domain/vocabulary";
import { loadRepositoryPage } from "~/dashboard/repositories.server";
import { readForm } from "~/forms/form.server";
import { repositoryAction } from "~/forms/repository.server";
import { buttonPrimary, buttonSecondary, Field, FormMessage } from "~/ui/forms";
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
  const found = await loadRepositoryPage(context.db, {
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
      repository: {
        owner: repository.owner,
        name: repository.name,
        host: repository.host,
        installed: repository.installed,
      },
      filters: { status: filters.status ?? "", stack: filters.stack ?? "", q: filters.q ?? "", sort },
      table: panel(instancesPanel, found.table, context, "repository.instances"),
      permissions: panel(
        permissionsPanel,
        { canManage: can(workspace.role, "repositories.manage"), permissions: found.permissions },
        context,
        "repository.permissions",
      ),
    },
    context,
    { name: "dashboard.repository" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return repositoryAction(request, context, params, await readForm(request));
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
      {data.repository.installed ? null : (
        <p role="status" className="rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
          <strong>The GitHub App is not installed on this repository.</strong> It was uninstalled or suspended, or the
          repository was removed from the installation: its workflows&apos; calls are refused (404 &ldquo;not
          installed&rdquo;) until the App covers it again. Install it from the{" "}
          <Link to={`${base}/repositories`} className="font-medium underline">
            Repositories
          </Link>{" "}
          page.
        </p>
      )}
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

      <Panel title="Permissions" slot={data.permissions}>
        {(permissions) => <Permissions permissions={permissions} />}
      </Panel>

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

type PermissionsData = typeof permissionsPanel.infer;

const PERMISSION_HELP: Record<(typeof PERMISSION_TYPES)[number], string> = {
  "Affected Stacks Create": "upload affected stacks (also needed to exchange a GitHub OIDC token)",
  "Deployments Create": "record plans and applies",
  "Instances Upload": "upload the instance inventory",
  "Locks Manage": "take and release locks",
};

function Permissions({ permissions }: { permissions: PermissionsData }) {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod === "POST";
  const adding = result?.intent === "add-permission" ? result : undefined;
  const fieldErrors = adding?.fieldErrors ?? {};
  const missing = PERMISSION_TYPES.filter((type) => !permissions.permissions.some((p) => p.type === type));
  return (
    <div className="space-y-4 text-sm">
      <p className="text-slate-600">
        A workflow of this repository may do what a row allows when its workflow file, branch and environment all match
        the row&apos;s patterns. A pattern is <code>*</code> (anything), a name, or a regular expression over the whole
        value (RE2 syntax, e.g. <code>release/v[0-9]+</code>).
      </p>
      {result && (result.intent === "add-permission" || result.intent === "remove-permission") && result.message ? (
        <FormMessage tone={result.ok ? "success" : "error"}>{result.message}</FormMessage>
      ) : null}
      {permissions.permissions.length === 0 ? (
        <p className="text-slate-600">No workflow of this repository may do anything yet.</p>
      ) : (
        <TableScroll label="Permissions">
          <table className="min-w-full text-left text-sm">
            <thead className="text-slate-600">
              <tr>
                <ColumnHeader>Allows</ColumnHeader>
                <ColumnHeader>Workflow</ColumnHeader>
                <ColumnHeader>Branch</ColumnHeader>
                <ColumnHeader>Environment</ColumnHeader>
                <ColumnHeader last={!permissions.canManage}>Added</ColumnHeader>
                {permissions.canManage ? (
                  <ColumnHeader last>
                    <span className="sr-only">Remove</span>
                  </ColumnHeader>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {permissions.permissions.map((permission) => (
                <tr key={permission.id}>
                  <Cell>{permission.type}</Cell>
                  <Cell>
                    <code>{permission.workflow}</code>
                  </Cell>
                  <Cell>
                    <code>{permission.branch}</code>
                  </Cell>
                  <Cell>
                    <code>{permission.environment}</code>
                  </Cell>
                  <Cell last={!permissions.canManage} muted>
                    {formatTime(permission.createdAt)}
                  </Cell>
                  {permissions.canManage ? (
                    <Cell last>
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove-permission" />
                        <input type="hidden" name="permissionId" value={permission.id} />
                        <button
                          type="submit"
                          disabled={busy}
                          className={buttonSecondary}
                          aria-label={`Remove ${permission.type} for workflow ${permission.workflow}, branch ${permission.branch}, environment ${permission.environment}`}
                        >
                          Remove
                        </button>
                      </Form>
                    </Cell>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {missing.length > 0 ? (
        <p className="text-amber-900">No workflow may {missing.map((type) => PERMISSION_HELP[type]).join(", or ")}.</p>
      ) : null}
      {permissions.canManage ? (
        <Form method="post" className="grid gap-3 rounded-lg border border-slate-200 p-4 sm:grid-cols-5 sm:items-start">
          <input type="hidden" name="intent" value="add-permission" />
          <div>
            <label htmlFor="permission-type" className="block text-sm font-medium text-slate-700">
              Allow
            </label>
            <select
              id="permission-type"
              name="type"
              aria-invalid={fieldErrors.type ? true : undefined}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
            >
              {PERMISSION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
            {fieldErrors.type ? <p className="mt-1 text-sm text-rose-700">{fieldErrors.type}</p> : null}
          </div>
          <Field
            label="Workflow"
            name="workflow"
            defaultValue="*"
            required
            maxLength={256}
            error={fieldErrors.workflow}
          />
          <Field label="Branch" name="branch" defaultValue="*" required maxLength={256} error={fieldErrors.branch} />
          <Field
            label="Environment"
            name="environment"
            defaultValue="*"
            required
            maxLength={256}
            error={fieldErrors.environment}
          />
          <button type="submit" disabled={busy} className={`${buttonPrimary} sm:mt-6`}>
            Add permission
          </button>
        </Form>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
