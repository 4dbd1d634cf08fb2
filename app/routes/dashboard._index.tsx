import { redirect, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireUser } from "~/auth/current-user.server";
import { lastUsedWorkspace, listWorkspacesQuery } from "~/domain/workspaces.server";

/** `/dashboard` opens the workspace used last, else the first one, else workspace creation. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const last = lastUsedWorkspace(await listWorkspacesQuery(context.db, user.id), user.lastWorkspaceId);
  throw redirect(last ? `/dashboard/${last.slug}` : "/workspaces/new");
}
