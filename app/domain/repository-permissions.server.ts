/**
 * Repository permissions: what a workflow of an imported repository may do. Each permission is
 * (type, workflow pattern, branch pattern, environment pattern); a pattern is `*`, an exact string,
 * or a regular expression matched against the whole value.
 *
 * Patterns are written by admins and matched on every token exchange, so they are compiled and matched
 * by RE2 (re2js): linear in the value whatever the pattern, no backtracking, so no pattern can stall a
 * request (`(a+)+$` is as quick as `main`). RE2 has no backreferences or lookaround; such a pattern is
 * refused when it is written, with the parser's reason.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import { RE2JS } from "re2js";
import type { Database } from "../../db/client";
import {
  githubInstallations,
  PERMISSION_TYPES,
  repositories,
  repositoryPermissions,
  workspaceRepositories,
  workspaces,
} from "../../db/schema";
import { auditEvent, auditEventIfChanged, type AuditActor } from "./audit.server";
import { newId } from "./ids";
import { refuse, type Refusal } from "./result";
import type { PermissionType } from "./vocabulary";
import { belowPlanLimit, planLimitMessage } from "./plan-limits.server";

export type { PermissionType };

export const MAX_PATTERN_LENGTH = 256;

/** Compiled patterns of this isolate (null: not a regular expression), bounded so admin input cannot grow it. */
const compiled = new Map<string, RE2JS | null>();
const MAX_COMPILED = 512;

function compile(pattern: string): RE2JS | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = RE2JS.compile(pattern);
    } catch {
      regex = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * Whether `value` is what `pattern` allows: `*` anything, else the exact string, else the regular
 * expression over the whole value. A stored pattern that is not a valid expression (written before
 * patterns were checked) still matches itself exactly.
 */
export function patternMatches(pattern: string, value: string): boolean {
  if (pattern === "*" || pattern === value) return true;
  if (pattern.length > MAX_PATTERN_LENGTH) return false;
  return compile(pattern)?.matches(value) ?? false;
}

/** Why an admin's pattern cannot be saved, in a sentence; null when it can. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "Enter a pattern (* allows any).";
  if (pattern.length > MAX_PATTERN_LENGTH) return `A pattern is at most ${MAX_PATTERN_LENGTH} characters.`;
  if ([...pattern].some((char) => char < " " || char === "\u007f"))
    return "A pattern cannot contain control characters.";
  if (pattern === "*") return null;
  if (pattern.length > 2 && pattern.startsWith("/") && pattern.endsWith("/"))
    return `Write the expression without the surrounding slashes (${pattern.slice(1, -1)}): it always matches the whole value.`;
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp:\s*/, "") : "not valid";
    return `Not a valid regular expression (${reason}). Write * for any, a name, or an expression such as release/v[0-9]+; escape ( [ { . with a backslash to mean the character itself.`;
  }
}

/** A workflow may be named by file ("plan.yaml") or by path (".github/workflows/plan.yaml"). */
function workflowMatches(pattern: string, workflowPath: string): boolean {
  const file = workflowPath.split("/").pop() ?? workflowPath;
  return patternMatches(pattern, workflowPath) || patternMatches(pattern, file);
}

export type Workflow = { workflow: string; branch: string; environment: string };

/**
 * Whether the App can act for the repository: covered by a live, unsuspended installation and not
 * deleted on GitHub. The one definition the dashboard and the CLI API share.
 */
export function repositoryInstalled(): SQL<number> {
  return sql<number>`(${repositories.installationId} IS NOT NULL AND ${repositories.deletedAt} IS NULL AND EXISTS (SELECT 1 FROM ${githubInstallations} WHERE ${githubInstallations.id} = ${repositories.installationId} AND ${githubInstallations.deletedAt} IS NULL AND ${githubInstallations.suspendedAt} IS NULL))`;
}

/** What the CLI reads when the App no longer covers a repository (its API answers 404). */
export const notInstalledMessage = (repository: string) =>
  `The Atmos Pro GitHub App is not installed on ${repository}: it was uninstalled or suspended, or the repository was removed from it. Install the App on the repository again.`;

/**
 * What a workflow of an imported repository may do now, in one query: `not_installed` when the App no
 * longer covers the repository, else whether one of its permissions of `type` matches the workflow.
 */
export async function workflowAccess(
  db: Database,
  input: { workspaceId: string; repositoryId: string; type: PermissionType; workflow: Workflow },
): Promise<"allowed" | "not_permitted" | "not_installed"> {
  const rows = await db
    .select({
      installed: repositoryInstalled(),
      workflow: repositoryPermissions.workflowPattern,
      branch: repositoryPermissions.branchPattern,
      environment: repositoryPermissions.environmentPattern,
    })
    .from(repositories)
    .leftJoin(
      repositoryPermissions,
      and(
        eq(repositoryPermissions.repositoryId, repositories.id),
        eq(repositoryPermissions.workspaceId, input.workspaceId),
        eq(repositoryPermissions.type, input.type),
      ),
    )
    .where(eq(repositories.id, input.repositoryId));
  if (rows.length > 0 && !rows[0]!.installed) return "not_installed";
  const allowed = rows.some(
    (row) =>
      row.workflow !== null &&
      row.branch !== null &&
      row.environment !== null &&
      workflowMatches(row.workflow, input.workflow.workflow) &&
      patternMatches(row.branch, input.workflow.branch) &&
      patternMatches(row.environment, input.workflow.environment),
  );
  return allowed ? "allowed" : "not_permitted";
}

/** What a page or a check reads of a repository: who it is, and whether the App covers it (0/1). */
export const repositoryColumns = () => ({
  id: repositories.id,
  owner: repositories.owner,
  name: repositories.name,
  host: repositories.host,
  installed: repositoryInstalled(),
});

/** The query for repository `owner/name` as imported into this workspace (for a batch, or awaited). */
export function importedRepositoryQuery(
  db: Database,
  workspaceId: string,
  owner: string,
  name: string,
  host = "github.com",
) {
  return db
    .select(repositoryColumns())
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
}

/** The repository `owner/name` as imported into this workspace (and whether the App covers it), or null. */
export async function findImportedRepository(
  db: Database,
  workspaceId: string,
  owner: string,
  name: string,
  host = "github.com",
) {
  const [row] = await importedRepositoryQuery(db, workspaceId, owner, name, host);
  return row ? { ...row, installed: Boolean(row.installed) } : null;
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

export type PermissionRefusal = "permission_exists" | "permission_unknown";
/** A repository of the workspace, as `findImportedRepository` found it. */
export type ImportedRepository = { id: string; owner: string; name: string };
export type PermissionPatterns = { workflow: string; branch: string; environment: string };

function patternMetadata(repository: string, type: PermissionType, patterns: PermissionPatterns) {
  return { repository, type, workflow: patterns.workflow, branch: patterns.branch, environment: patterns.environment };
}

/**
 * Adds a permission to an imported repository (patterns already checked by `patternProblem`). The
 * insert is conditional: the repository must be imported into this workspace and the same
 * (type, workflow, branch, environment) must not exist yet; its audit event is written with it or not at all.
 */
export async function assignPermission(
  db: Database,
  input: {
    workspaceId: string;
    repository: ImportedRepository;
    type: PermissionType;
    patterns: PermissionPatterns;
    actor: AuditActor;
    now: Date;
  },
): Promise<{ ok: true; id: string } | Refusal<PermissionRefusal>> {
  const { repository } = input;
  const id = newId("perm");
  const { workflow, branch, environment } = input.patterns;
  const same = and(
    eq(repositoryPermissions.workspaceId, input.workspaceId),
    eq(repositoryPermissions.repositoryId, repository.id),
    eq(repositoryPermissions.type, input.type),
    eq(repositoryPermissions.workflowPattern, workflow),
    eq(repositoryPermissions.branchPattern, branch),
    eq(repositoryPermissions.environmentPattern, environment),
  );
  const [inserted] = await db.batch([
    db
      .insert(repositoryPermissions)
      .select(
        db
          .select({
            id: sql<string>`${id}`.as("id"),
            workspaceId: sql<string>`${input.workspaceId}`.as("workspace_id"),
            repositoryId: sql<string>`${repository.id}`.as("repository_id"),
            type: sql<PermissionType>`${input.type}`.as("type"),
            workflowPattern: sql<string>`${workflow}`.as("workflow_pattern"),
            branchPattern: sql<string>`${branch}`.as("branch_pattern"),
            environmentPattern: sql<string>`${environment}`.as("environment_pattern"),
            createdAt: sql<number>`${input.now.getTime()}`.as("created_at"),
          })
          .from(workspaceRepositories)
          .where(
            and(
              eq(workspaceRepositories.workspaceId, input.workspaceId),
              eq(workspaceRepositories.repositoryId, repository.id),
              sql`NOT EXISTS (SELECT 1 FROM ${repositoryPermissions} WHERE ${same})`,
            ),
          ),
      )
      .returning({ id: repositoryPermissions.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "permission.assigned",
      target: { type: "repository", id: repository.id },
      metadata: patternMetadata(`${repository.owner}/${repository.name}`, input.type, input.patterns),
      at: input.now,
    }),
  ]);
  if (inserted.length === 0) {
    return refuse("permission_exists", `${input.type} with these patterns is already allowed on this repository.`);
  }
  return { ok: true, id };
}

/** Removes one permission of an imported repository of this workspace, with its audit event. */
export async function removePermission(
  db: Database,
  input: { workspaceId: string; repository: ImportedRepository; permissionId: string; actor: AuditActor; now: Date },
): Promise<{ ok: true; type: PermissionType } | Refusal<PermissionRefusal>> {
  const { repository } = input;
  const ofThisRepository = and(
    eq(repositoryPermissions.id, input.permissionId),
    eq(repositoryPermissions.workspaceId, input.workspaceId),
    eq(repositoryPermissions.repositoryId, repository.id),
  );
  const [found] = await db
    .select({
      type: repositoryPermissions.type,
      workflow: repositoryPermissions.workflowPattern,
      branch: repositoryPermissions.branchPattern,
      environment: repositoryPermissions.environmentPattern,
    })
    .from(repositoryPermissions)
    .where(ofThisRepository)
    .limit(1);
  if (!found) return refuse("permission_unknown", "That permission does not exist (any more) on this repository.");
  const [deleted] = await db.batch([
    db.delete(repositoryPermissions).where(ofThisRepository).returning({ id: repositoryPermissions.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "permission.removed",
      target: { type: "repository", id: repository.id },
      metadata: patternMetadata(`${repository.owner}/${repository.name}`, found.type, found),
      at: input.now,
    }),
  ]);
  if (deleted.length === 0) return refuse("permission_unknown", "That permission was removed meanwhile.");
  return { ok: true, type: found.type };
}
