/**
 * Repository permissions: what a workflow of an imported repository may do. Each permission is
 * (type, workflow pattern, branch pattern, environment pattern); a pattern is `*`, an exact string,
 * or a regular expression matched against the whole value.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  PERMISSION_TYPES,
  repositories,
  repositoryPermissions,
  workspaceRepositories,
  workspaces,
} from "../../db/schema";
import { auditEvent, type AuditActor } from "./audit.server";
import { newId } from "./ids";
import { refuse, type Refusal } from "./result";
import { belowPlanLimit, planLimitMessage } from "./plan-limits.server";

export type PermissionType = (typeof PERMISSION_TYPES)[number];

const MAX_PATTERN_LENGTH = 256;

export function patternMatches(pattern: string, value: string): boolean {
  if (pattern === "*" || pattern === value) return true;
  if (pattern.length > MAX_PATTERN_LENGTH) return false;
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false; // not a valid regex: it was meant as an exact string, and it did not match
  }
}

/** A workflow may be named by file ("plan.yaml") or by path (".github/workflows/plan.yaml"). */
function workflowMatches(pattern: string, workflowPath: string): boolean {
  const file = workflowPath.split("/").pop() ?? workflowPath;
  return patternMatches(pattern, workflowPath) || patternMatches(pattern, file);
}

export type Workflow = { workflow: string; branch: string; environment: string };

export async function hasRepositoryPermission(
  db: Database,
  input: { workspaceId: string; repositoryId: string; type: PermissionType; workflow: Workflow },
): Promise<boolean> {
  const rows = await db
    .select({
      workflow: repositoryPermissions.workflowPattern,
      branch: repositoryPermissions.branchPattern,
      environment: repositoryPermissions.environmentPattern,
    })
    .from(repositoryPermissions)
    .where(
      and(
        eq(repositoryPermissions.workspaceId, input.workspaceId),
        eq(repositoryPermissions.repositoryId, input.repositoryId),
        eq(repositoryPermissions.type, input.type),
      ),
    );
  return rows.some(
    (row) =>
      workflowMatches(row.workflow, input.workflow.workflow) &&
      patternMatches(row.branch, input.workflow.branch) &&
      patternMatches(row.environment, input.workflow.environment),
  );
}

/** The repository `owner/name` as imported into this workspace, or null. */
export async function findImportedRepository(
  db: Database,
  workspaceId: string,
  owner: string,
  name: string,
  host = "github.com",
) {
  const rows = await db
    .select({ id: repositories.id, owner: repositories.owner, name: repositories.name, host: repositories.host })
    .from(workspaceRepositories)
    .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
    .where(
      and(
        eq(workspaceRepositories.workspaceId, workspaceId),
        eq(repositories.host, host),
        eq(repositories.owner, owner),
        eq(repositories.name, name),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Imports a repository into a workspace, within the plan's repository limit (checked inside the
 * insert that links it, so racing imports cannot pass the limit). A repository linked for the first
 * time gets default permissions for all four types on any workflow, branch and environment, and an
 * audit event; importing one already linked changes nothing.
 */
export async function importRepository(
  db: Database,
  input: { workspaceId: string; owner: string; name: string; host?: string; actor: AuditActor; now: Date },
): Promise<{ ok: true; repositoryId: string; created: boolean } | Refusal<"plan_limit">> {
  const host = input.host ?? "github.com";
  const existing = await db
    .select({ id: repositories.id })
    .from(repositories)
    .where(and(eq(repositories.host, host), eq(repositories.owner, input.owner), eq(repositories.name, input.name)))
    .limit(1);
  const repositoryId = existing[0]?.id ?? newId("repo");
  const linkedCount = sql`(SELECT count(*) FROM ${workspaceRepositories} WHERE ${workspaceRepositories.workspaceId} = ${input.workspaceId})`;
  const [, linked, already, usage] = await db.batch([
    db
      .insert(repositories)
      .values({
        id: repositoryId,
        host,
        owner: input.owner,
        name: input.name,
        createdAt: input.now,
        updatedAt: input.now,
      })
      .onConflictDoNothing(),
    db
      .insert(workspaceRepositories)
      .select(
        db
          .select({
            workspaceId: sql<string>`${input.workspaceId}`.as("workspace_id"),
            repositoryId: sql<string>`${repositoryId}`.as("repository_id"),
            importedBy: sql<string | null>`${input.actor.type === "user" ? input.actor.id : null}`.as("imported_by"),
            createdAt: sql<number>`${input.now.getTime()}`.as("created_at"),
          })
          .from(sql`(SELECT 1)`)
          .where(belowPlanLimit("repositories", input.workspaceId, linkedCount)),
      )
      .onConflictDoNothing()
      .returning({ repositoryId: workspaceRepositories.repositoryId }),
    db
      .select({ repositoryId: workspaceRepositories.repositoryId })
      .from(workspaceRepositories)
      .where(
        and(
          eq(workspaceRepositories.workspaceId, input.workspaceId),
          eq(workspaceRepositories.repositoryId, repositoryId),
        ),
      ),
    db
      .select({ plan: workspaces.plan, count: sql<number>`${linkedCount}` })
      .from(workspaces)
      .where(eq(workspaces.id, input.workspaceId)),
  ]);
  if (linked.length === 0) {
    if (already.length > 0) return { ok: true, repositoryId, created: false };
    const current = usage[0];
    const plan = current?.plan ?? "free";
    return refuse(
      "plan_limit",
      planLimitMessage(
        plan,
        "repositories",
        `this workspace has ${current?.count ?? 0} repositories. Remove one first`,
      ),
    );
  }
  await db.batch([
    db.insert(repositoryPermissions).values(
      PERMISSION_TYPES.map((type) => ({
        id: newId("perm"),
        workspaceId: input.workspaceId,
        repositoryId,
        type,
        workflowPattern: "*",
        branchPattern: "*",
        environmentPattern: "*",
        createdAt: input.now,
      })),
    ),
    auditEvent(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "permission.default_created",
      target: { type: "repository", id: repositoryId },
      metadata: {
        repository: `${input.owner}/${input.name}`,
        types: [...PERMISSION_TYPES],
        workflow: "*",
        branch: "*",
        environment: "*",
      },
      at: input.now,
    }),
  ]);
  return { ok: true, repositoryId, created: true };
}
