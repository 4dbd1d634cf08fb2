import { redirect, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { requireUser } from "~/auth/current-user.server";
import { listWorkspacesQuery } from "~/domain/workspaces.server";
import { users } from "../../db/schema";
import { eq } from "drizzle-orm";

/** `/dashboard` opens the workspace used last, else the first one, else workspace creation. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [workspaces, rows] = await context.db.batch([
    listWorkspacesQuery(context.db, user.id),
    context.db.select({ lastWorkspaceId: users.lastWorkspaceId }).from(users).where(eq(users.id, user.id)),
  ]);
  const last = workspaces.find((workspace) => workspace.id === rows[0]?.lastWorkspaceId) ?? workspaces[0];
  throw redirect(last ? `/dashboard/${last.slug}` : "/workspaces/new");
}
