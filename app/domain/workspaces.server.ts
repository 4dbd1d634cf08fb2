/** Workspaces a user belongs to, and the membership that scopes every dashboard query. */
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { memberships, type ROLES, workspaces } from "../../db/schema";

export type Role = (typeof ROLES)[number];
export type WorkspaceMembership = { id: string; name: string; slug: string; role: Role };

/** The workspace with this slug if the user is a member of it; null otherwise (callers answer 404). */
export async function findMembership(db: Database, userId: string, slug: string): Promise<WorkspaceMembership | null> {
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(workspaces)
    .innerJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
    .where(eq(workspaces.slug, slug))
    .limit(1);
  return rows[0] ?? null;
}

export function listWorkspacesQuery(db: Database, userId: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name));
}
