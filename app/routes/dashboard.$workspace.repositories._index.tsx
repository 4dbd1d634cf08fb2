import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { can } from "~/domain/roles";
import { readForm } from "~/forms/form.server";
import { repositoriesAction } from "~/forms/repositories.server";
import { buttonPrimary, buttonSecondary, FormMessage } from "~/ui/forms";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import {
  githubAppPanel,
  repositoriesPanel,
  repositoriesPayload,
  repositoriesQuery,
} from "~/dashboard/payloads/repositories.server";
import { loadRepositoriesPage } from "~/dashboard/repositories.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { Cell, ColumnHeader, EmptyState, formatTime, Panel, TableScroll } from "~/ui/panel";
import { payload } from "~/validation/payload.server";
import { readQuery } from "~/validation/query.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Repositories · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, workspace } = await requireMember(request, context, params.workspace);
  const canManage = can(workspace.role, "repositories.manage");
  const page = await loadRepositoriesPage(context.db, workspace.id, canManage ? user.id : null);
  const slug = context.settings.GITHUB_APP_SLUG;
  const list = panel(
    repositoriesPanel,
    { workspaceId: workspace.id, repositories: page.repositories },
    context,
    "repositories.list",
  );
  const github = panel(
    githubAppPanel,
    {
      installUrl: slug ? `${context.settings.GITHUB_URL}/apps/${slug}/installations/new` : null,
      canManage,
      connected: page.connected,
      waiting: page.waiting,
      importable: page.importable,
      deliveries: page.deliveries,
      githubIdentity: page.githubIdentity,
      returnedFrom: readQuery(new URL(request.url), repositoriesQuery, ["github"]).github ?? null,
    },
    context,
    "repositories.github",
  );
  return payload(repositoriesPayload, { slug: workspace.slug, list, github }, context, {
    name: "dashboard.repositories",
  });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return repositoriesAction(request, context, params.workspace, await readForm(request));
}

export default function Repositories() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <PageTitle>Repositories</PageTitle>
      {result?.message ? <FormMessage tone={result.ok ? "success" : "error"}>{result.message}</FormMessage> : null}
      <Panel title="GitHub App" slot={data.github}>
        {(github) => <GithubApp github={github} />}
      </Panel>
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
                        {repo.installed ? null : (
                          <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-900 ring-1 ring-amber-200">
                            App not installed
                          </span>
                        )}
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

type GithubAppData = typeof githubAppPanel.infer;

function InstallationLine({ installation }: { installation: GithubAppData["connected"][number] }) {
  return (
    <>
      <span className="font-medium text-slate-900">{installation.account}</span>{" "}
      <span className="text-slate-600">
        ({installation.accountType === "User" ? "user" : "organization"}, {installation.repositories}{" "}
        {installation.repositories === 1 ? "repository" : "repositories"}
        {installation.suspended ? ", suspended" : ""})
      </span>
    </>
  );
}

/** What happens next after GitHub sent the admin back through the App's setup URL. */
function BackFromGithub({ github }: { github: GithubAppData }) {
  let message: string;
  if (github.returnedFrom === "request")
    message =
      "Your request to install the App went to your organisation's owners on GitHub. Once one of them installs it, they connect it here.";
  else if (!github.githubIdentity)
    message =
      "To connect the installation, sign in with GitHub as the account that installed the App: that is how Atmos Pro knows the installation is yours.";
  else if (github.waiting.length > 0)
    message = "GitHub told us about your installation: connect it below, then import its repositories.";
  else if (github.returnedFrom === "update")
    message = "Your changes on GitHub are applied as GitHub's webhooks arrive, usually within seconds.";
  else
    message =
      "GitHub has not told us about your installation yet; its webhook usually arrives within seconds. Reload this page in a moment.";
  return (
    <p role="status" className="rounded-md border border-indigo-200 bg-indigo-50 p-3 text-indigo-900">
      {message}
    </p>
  );
}

function GithubApp({ github }: { github: GithubAppData }) {
  return (
    <div className="space-y-4 text-sm">
      {github.canManage && github.returnedFrom ? <BackFromGithub github={github} /> : null}
      {github.connected.length === 0 ? (
        <p className="text-slate-600">No GitHub App installation is connected to this workspace yet.</p>
      ) : (
        <ul className="space-y-1" aria-label="Connected installations">
          {github.connected.map((installation) => (
            <li key={installation.id}>
              <InstallationLine installation={installation} />
            </li>
          ))}
        </ul>
      )}
      {github.canManage && github.installUrl ? (
        <p>
          <a href={github.installUrl} className={buttonSecondary}>
            Install or configure the App on GitHub
          </a>
        </p>
      ) : null}
      {github.canManage && github.waiting.length > 0 ? (
        <section aria-labelledby="waiting-heading" className="space-y-2">
          <h3 id="waiting-heading" className="font-semibold text-slate-900">
            Installed by you, not connected yet
          </h3>
          <ul className="space-y-2">
            {github.waiting.map((installation) => (
              <li key={installation.id} className="flex flex-wrap items-center gap-3">
                <InstallationLine installation={installation} />
                <Form method="post">
                  <input type="hidden" name="intent" value="connect" />
                  <input type="hidden" name="installationId" value={installation.id} />
                  <button type="submit" className={buttonPrimary}>
                    Connect {installation.account}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {github.canManage && github.deliveries.length > 0 ? <Deliveries deliveries={github.deliveries} /> : null}
      {github.canManage && github.importable.length > 0 ? (
        <section aria-labelledby="import-heading" className="space-y-2">
          <h3 id="import-heading" className="font-semibold text-slate-900">
            Import a repository
          </h3>
          <ul className="space-y-2">
            {github.importable.map((repo) => (
              <li key={repo.id} className="flex flex-wrap items-center gap-3">
                <span className="font-medium text-slate-900">
                  {repo.owner}/{repo.name}
                </span>
                <Form method="post">
                  <input type="hidden" name="intent" value="import" />
                  <input type="hidden" name="repositoryId" value={repo.id} />
                  <button type="submit" className={buttonSecondary}>
                    Import {repo.owner}/{repo.name}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

const DELIVERY_STATUS: Record<GithubAppData["deliveries"][number]["status"], string> = {
  queued: "Queued",
  processing: "Processing",
  done: "Done",
  ignored: "Ignored",
  failed: "Failed",
};

function Deliveries({ deliveries }: { deliveries: GithubAppData["deliveries"] }) {
  return (
    <section aria-labelledby="deliveries-heading" className="space-y-2">
      <h3 id="deliveries-heading" className="font-semibold text-slate-900">
        Recent webhook deliveries
      </h3>
      <TableScroll label="Recent webhook deliveries">
        <table className="min-w-full text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <ColumnHeader>Received</ColumnHeader>
              <ColumnHeader>Event</ColumnHeader>
              <ColumnHeader>Status</ColumnHeader>
              <ColumnHeader>Attempts</ColumnHeader>
              <ColumnHeader last>Error</ColumnHeader>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {deliveries.map((delivery) => (
              <tr key={delivery.id}>
                <Cell muted>{formatTime(delivery.receivedAt)}</Cell>
                <Cell>
                  {delivery.event}
                  {delivery.action ? `.${delivery.action}` : ""}
                </Cell>
                <Cell>{DELIVERY_STATUS[delivery.status]}</Cell>
                <Cell>{delivery.attempts}</Cell>
                <Cell last muted>
                  {delivery.error ?? "—"}
                </Cell>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
