/**
 * The one place that answers "who is this user in this workspace" for dashboard routes.
 * A non-member gets 404 (they never learn the workspace exists).
 */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { requireUser, type CurrentUser } from "~/auth/current-user.server";
import { findMembership, type WorkspaceMembership } from "~/domain/workspaces.server";

export async function requireMember(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<{ user: CurrentUser; workspace: WorkspaceMembership }> {
  const user = await requireUser(request, context);
  const workspace = slug ? await findMembership(context.db, user.id, slug) : null;
  if (!workspace) {
    throw json({ message: "There is no workspace at this address, or you are not a member of it." }, { status: 404 });
  }
  return { user, workspace };
}
