import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Outlet, useLoaderData } from "@remix-run/react";
import { rememberLastWorkspace, requireMemberWithWorkspaces } from "~/dashboard/membership.server";
import { DashboardShell } from "~/ui/dashboard-shell";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { type } from "~/validation";
import { payload } from "~/validation/payload.server";

const role = type("'owner' | 'admin' | 'member'");
const workspaceSummary = type({ id: "string", name: "string", slug: "string", role });

export const dashboardLayoutPayload = type({
  user: { name: "string", login: "string | null", email: "string | null" },
  workspace: workspaceSummary,
  workspaces: workspaceSummary.array(),
});

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, workspace, workspaces } = await requireMemberWithWorkspaces(request, context, params.workspace);
  rememberLastWorkspace(context, user, workspace.id);
  return payload(
    dashboardLayoutPayload,
    { user: { name: user.name, login: user.login, email: user.email }, workspace, workspaces },
    context,
    { name: "dashboard.layout" },
  );
}

export default function WorkspaceLayout() {
  const data = useLoaderData<typeof loader>() satisfies typeof dashboardLayoutPayload.infer;
  return (
    <DashboardShell user={data.user} workspace={data.workspace} workspaces={data.workspaces}>
      <Outlet />
    </DashboardShell>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
