import { redirect, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireUser } from "~/auth/current-user.server";
import { can } from "~/domain/roles";
import { GITHUB_SETUP_ACTIONS, type GithubSetupAction } from "~/domain/vocabulary";
import { lastUsedWorkspace, listWorkspacesQuery } from "~/domain/workspaces.server";

/**
 * The GitHub App's setup URL: GitHub sends the person who installed (or configured, or asked to
 * install) the App here. They go to the Repositories page of the workspace they used last where
 * they manage repositories (else the first such, else the last used), signed in first if need be.
 *
 * The `installation_id` GitHub appends is never read: anyone can type one, and trusting it would hand
 * someone else's repositories to the workspace. The installation reaches the page through GitHub's
 * signed `installation.created` webhook, and only its sender can connect it. Only `setup_action`
 * (what they did on GitHub) is passed on, to say what happens next.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const workspaces = await listWorkspacesQuery(context.db, user.id);
  const managed = workspaces.filter((workspace) => can(workspace.role, "repositories.manage"));
  const target =
    lastUsedWorkspace(managed, user.lastWorkspaceId) ?? lastUsedWorkspace(workspaces, user.lastWorkspaceId);
  if (!target) throw redirect("/workspaces/new");
  const said = new URL(request.url).searchParams.get("setup_action");
  const action: GithubSetupAction = GITHUB_SETUP_ACTIONS.find((known) => known === said) ?? "install";
  throw redirect(`/dashboard/${target.slug}/repositories?github=${action}`);
}
