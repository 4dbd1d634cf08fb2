import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { Outlet, useLoaderData } from "@remix-run/react";
import { rememberLastWorkspace, requireMemberWithWorkspaces } from "~/dashboard/membership.server";
import { DashboardShell } from "~/ui/dashboard-shell";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { dashboardLayoutPayload } from "~/dashboard/payloads/layout.server";
import { payload } from "~/validation/payload.server";

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
  const data = useLoaderData<typeof loader>();
  return (
    <DashboardShell user={data.user} workspace={data.workspace} workspaces={data.workspaces}>
      <Outlet />
    </DashboardShell>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
