/**
 * Our record of the GitHub App's installations and the repositories each one covers, kept current by
 * the App's webhooks (app/webhooks/events.server.ts). Events may arrive in any order: every event
 * carries the installation as it is, so each one brings the record up to date (an
 * `installation_repositories` event before `installation.created` still creates it); an uninstalled
 * installation is kept as a tombstone, so a late event never brings it back.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  githubInstallations,
  identities,
  repositories,
  repositoryPermissions,
  workspaceRepositories,
} from "../../db/schema";
import { auditEvent, auditEventIfChanged, type AuditActor } from "./audit.server";
import { newId } from "./ids";
import { importRepository } from "./repository-permissions.server";
import { refuse, type Refusal } from "./result";

export const GITHUB_HOST = "github.com";
/** The App itself, as the actor of audit events its webhooks cause. */
export const GITHUB_ACTOR: AuditActor = { type: "system", id: null, label: "GitHub" };

export type InstallationFacts = {
  id: number;
  accountLogin: string;
  accountGithubId: number;
  accountType: "User" | "Organization";
  repositorySelection: "all" | "selected";
  permissions: Record<string, string>;
  suspended: boolean;
};

export type RepositoryFacts = { githubId: number; owner: string; name: string };

type Installation = typeof githubInstallations.$inferSelect;

/** The columns an event's copy of an installation sets, whatever the event. */
function installationColumns(facts: InstallationFacts, now: Date) {
  return {
    id: facts.id,
    accountLogin: facts.accountLogin,
    accountGithubId: facts.accountGithubId,
    accountType: facts.accountType,
    host: GITHUB_HOST,
    repositorySelection: facts.repositorySelection,
    permissions: facts.permissions,
    createdAt: now,
    updatedAt: now,
  };
}

async function installationRow(db: Database, id: number): Promise<Installation | null> {
  const [row] = await db.select().from(githubInstallations).where(eq(githubInstallations.id, id)).limit(1);
  return row ?? null;
}

/**
 * Creates or updates the installation from an event's copy of it. `installedBy`: the GitHub user id
 * of whoever installed it (only `installation.created` says so). Returns null for an uninstalled one.
 */
export async function recordInstallation(
  db: Database,
  facts: InstallationFacts,
  now: Date,
  installedBy: number | null = null,
): Promise<Installation | null> {
  const suspendedAt = facts.suspended ? now : null;
  await db
    .insert(githubInstallations)
    .values({ ...installationColumns(facts, now), installedByGithubId: installedBy, suspendedAt })
    .onConflictDoUpdate({
      target: githubInstallations.id,
      set: {
        accountLogin: facts.accountLogin,
        accountGithubId: facts.accountGithubId,
        accountType: facts.accountType,
        installedByGithubId: sql`coalesce(${githubInstallations.installedByGithubId}, ${installedBy})`,
        repositorySelection: facts.repositorySelection,
        permissions: facts.permissions,
        // Keep the first time it was seen suspended.
        suspendedAt: facts.suspended ? sql`coalesce(${githubInstallations.suspendedAt}, ${now.getTime()})` : null,
        updatedAt: now,
      },
      setWhere: isNull(githubInstallations.deletedAt),
    });
  const row = await installationRow(db, facts.id);
  return row && !row.deletedAt ? row : null;
}

/** An installation event on an installation linked to a workspace goes into that workspace's audit log. */
async function auditInstallation(db: Database, installation: Installation, action: string, now: Date) {
  if (!installation.workspaceId) return;
  await auditEvent(db, {
    workspaceId: installation.workspaceId,
    actor: GITHUB_ACTOR,
    action,
    target: { type: "installation", id: String(installation.id) },
    metadata: { account: installation.accountLogin },
    at: now,
  });
}

/** `installation.created` / `unsuspend` / `suspend` / `new_permissions_accepted`: the record as GitHub says it is now. */
export async function applyInstallationChange(
  db: Database,
  input: {
    facts: InstallationFacts;
    action: string;
    installedBy?: number | null;
    repositories?: RepositoryFacts[];
    now: Date;
  },
): Promise<void> {
  const installation = await recordInstallation(db, input.facts, input.now, input.installedBy ?? null);
  if (!installation) return;
  if (input.repositories) await coverRepositories(db, installation.id, input.repositories, input.now);
  if (input.action !== "created") await auditInstallation(db, installation, `installation.${input.action}`, input.now);
}

/** `installation.deleted`: a tombstone; its repositories are no longer installed. */
export async function removeInstallation(db: Database, facts: InstallationFacts, now: Date): Promise<void> {
  await db
    .insert(githubInstallations)
    .values({ ...installationColumns(facts, now), deletedAt: now })
    .onConflictDoUpdate({
      target: githubInstallations.id,
      set: { deletedAt: sql`coalesce(${githubInstallations.deletedAt}, ${now.getTime()})`, updatedAt: now },
    });
  await db
    .update(repositories)
    .set({ installationId: null, updatedAt: now })
    .where(eq(repositories.installationId, facts.id));
  const installation = await installationRow(db, facts.id);
  if (installation) await auditInstallation(db, installation, "installation.deleted", now);
}

const REPOSITORIES_PER_BATCH = 40;

/**
 * The installation covers these repositories: each is found by GitHub's id (a renamed repository
 * keeps its record) or by its name, and created otherwise. Skipped for an uninstalled installation.
 */
export async function coverRepositories(
  db: Database,
  installationId: number,
  covered: readonly RepositoryFacts[],
  now: Date,
): Promise<void> {
  const installation = await installationRow(db, installationId);
  if (!installation || installation.deletedAt) return;
  for (let at = 0; at < covered.length; at += REPOSITORIES_PER_BATCH) {
    const slice = covered.slice(at, at + REPOSITORIES_PER_BATCH);
    await db.batch(
      slice.flatMap((repo) => [
        // Known by GitHub's id (perhaps under an old name): rename it and cover it.
        db
          .update(repositories)
          .set({ owner: repo.owner, name: repo.name, installationId, deletedAt: null, updatedAt: now })
          .where(and(eq(repositories.host, GITHUB_HOST), eq(repositories.githubId, repo.githubId))),
        // Known by name only (imported before we knew its id), or new.
        db
          .insert(repositories)
          .values({
            id: newId("repo"),
            host: GITHUB_HOST,
            owner: repo.owner,
            name: repo.name,
            githubId: repo.githubId,
            installationId,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: [repositories.host, repositories.owner, repositories.name],
            set: { githubId: repo.githubId, installationId, deletedAt: null, updatedAt: now },
          }),
      ]) as unknown as Parameters<typeof db.batch>[0],
    );
  }
}

/** `installation_repositories.removed`: these repositories are no longer covered by the installation. */
export async function uncoverRepositories(
  db: Database,
  installationId: number,
  githubIds: readonly number[],
  now: Date,
): Promise<void> {
  for (let at = 0; at < githubIds.length; at += 90) {
    await db
      .update(repositories)
      .set({ installationId: null, updatedAt: now })
      .where(
        and(
          eq(repositories.installationId, installationId),
          inArray(repositories.githubId, githubIds.slice(at, at + 90)),
        ),
      );
  }
}

/**
 * The installation covers exactly `listed`, GitHub's list of its repositories fetched just now: what it
 * lists is covered, and what we had as covered by it that it no longer lists is not. Events about an
 * installation's repositories may arrive in any order (a "removed" before the "added" it undoes);
 * GitHub's current list settles it.
 */
export async function reconcileRepositories(
  db: Database,
  installationId: number,
  listed: readonly RepositoryFacts[],
  now: Date,
): Promise<void> {
  await coverRepositories(db, installationId, listed, now);
  const covered = await db
    .select({ githubId: repositories.githubId })
    .from(repositories)
    .where(eq(repositories.installationId, installationId));
  const listedIds = new Set(listed.map((repo) => repo.githubId));
  const gone = covered.flatMap((row) => (row.githubId !== null && !listedIds.has(row.githubId) ? [row.githubId] : []));
  await uncoverRepositories(db, installationId, gone, now);
}

/** `repository.renamed` / `transferred`: the repository (by GitHub's id) has a new owner or name. */
export async function renameRepository(db: Database, repo: RepositoryFacts, now: Date): Promise<void> {
  await db
    .update(repositories)
    .set({ owner: repo.owner, name: repo.name, updatedAt: now })
    .where(and(eq(repositories.host, GITHUB_HOST), eq(repositories.githubId, repo.githubId)));
}

/** `repository.deleted`: gone on GitHub, so no longer installed anywhere. */
export async function markRepositoryDeleted(db: Database, githubId: number, now: Date): Promise<void> {
  await db
    .update(repositories)
    .set({ deletedAt: now, installationId: null, updatedAt: now })
    .where(and(eq(repositories.host, GITHUB_HOST), eq(repositories.githubId, githubId)));
}

// ─── Installations and workspaces ───────────────────────────────────────────────────────────

/**
 * The GitHub account ids a user has proven by signing in with GitHub: the only ones that may connect
 * an installation they installed. An installation id in a query string proves nothing (anyone can type
 * one); the `installation.created` webhook's sender, checked against this, does.
 */
export async function provenGithubIds(db: Database, userId: string): Promise<number[]> {
  return githubIdsOf(await githubIdentitiesQuery(db, userId));
}

/** The query behind provenGithubIds, for a batch. */
export function githubIdentitiesQuery(db: Database, userId: string) {
  return db
    .select({ subject: identities.subject })
    .from(identities)
    .where(and(eq(identities.userId, userId), eq(identities.provider, "github")));
}

export const githubIdsOf = (rows: ReadonlyArray<{ subject: string }>): number[] =>
  rows.map((row) => Number(row.subject)).filter((id) => Number.isSafeInteger(id) && id > 0);

export type InstallationSummary = {
  id: number;
  account: string;
  accountType: "User" | "Organization";
  repositorySelection: "all" | "selected" | null;
  suspended: boolean;
  repositories: number;
};

function summaries(db: Database, where: SQL | undefined) {
  return db
    .select({
      id: githubInstallations.id,
      account: githubInstallations.accountLogin,
      accountType: githubInstallations.accountType,
      repositorySelection: githubInstallations.repositorySelection,
      suspendedAt: githubInstallations.suspendedAt,
      repositories: sql<number>`(SELECT count(*) FROM ${repositories} WHERE ${repositories.installationId} = ${githubInstallations.id} AND ${repositories.deletedAt} IS NULL)`,
    })
    .from(githubInstallations)
    .where(where)
    .orderBy(asc(githubInstallations.accountLogin));
}

export const installationSummary = (row: Awaited<ReturnType<typeof summaries>>[number]): InstallationSummary => ({
  id: row.id,
  account: row.account,
  accountType: row.accountType,
  repositorySelection: row.repositorySelection,
  suspended: row.suspendedAt !== null,
  repositories: Number(row.repositories),
});

/** The workspace's connected installations (a query, for the caller's batch). */
export function connectedInstallationsQuery(db: Database, workspaceId: string) {
  return summaries(db, and(eq(githubInstallations.workspaceId, workspaceId), isNull(githubInstallations.deletedAt)));
}

/** Installations this user installed on GitHub (their proven GitHub identity) that no workspace has yet. */
export function waitingInstallationsQuery(db: Database, userId: string) {
  return summaries(
    db,
    and(
      isNull(githubInstallations.workspaceId),
      isNull(githubInstallations.deletedAt),
      sql`${githubInstallations.installedByGithubId} IN (SELECT CAST(${identities.subject} AS INTEGER) FROM ${identities} WHERE ${identities.userId} = ${userId} AND ${identities.provider} = 'github')`,
    ),
  );
}

export type ConnectRefusal = "installation_unknown" | "not_installer" | "installation_taken";

/**
 * Connects an installation to a workspace: only one that no workspace has, that is not uninstalled,
 * and that the person connecting installed (their GitHub identity is the `installation.created`
 * sender). One conditional update, so two workspaces racing for it cannot both get it.
 */
export async function connectInstallation(
  db: Database,
  input: { workspaceId: string; installationId: number; githubIds: readonly number[]; actor: AuditActor; now: Date },
): Promise<{ ok: true } | Refusal<ConnectRefusal>> {
  const [connected] = await db
    .update(githubInstallations)
    .set({ workspaceId: input.workspaceId, updatedAt: input.now })
    .where(
      and(
        eq(githubInstallations.id, input.installationId),
        isNull(githubInstallations.workspaceId),
        isNull(githubInstallations.deletedAt),
        input.githubIds.length > 0 ? inArray(githubInstallations.installedByGithubId, [...input.githubIds]) : sql`0`,
      ),
    )
    .returning({ account: githubInstallations.accountLogin });
  if (connected) {
    await auditEvent(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "installation.connected",
      target: { type: "installation", id: String(input.installationId) },
      metadata: { account: connected.account },
      at: input.now,
    });
    return { ok: true };
  }
  const installation = await installationRow(db, input.installationId);
  if (!installation || installation.deletedAt)
    return refuse(
      "installation_unknown",
      "We have not heard of that installation from GitHub. Install the App, wait a moment for GitHub to tell us, and try again.",
    );
  if (installation.workspaceId === input.workspaceId) return { ok: true };
  if (installation.workspaceId)
    return refuse("installation_taken", "That installation is connected to another workspace already.");
  return refuse(
    "not_installer",
    "Only the person who installed the App on GitHub can connect it: sign in with that GitHub account, or ask them to.",
  );
}

/** Repositories the workspace's connected installations cover that it has not imported (a query, for the caller's batch). */
export function importableRepositoriesQuery(db: Database, workspaceId: string) {
  return db
    .select({
      id: repositories.id,
      owner: repositories.owner,
      name: repositories.name,
      installationId: repositories.installationId,
    })
    .from(repositories)
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.installationId))
    .where(
      and(
        eq(githubInstallations.workspaceId, workspaceId),
        isNull(githubInstallations.deletedAt),
        isNull(githubInstallations.suspendedAt),
        isNull(repositories.deletedAt),
        sql`NOT EXISTS (SELECT 1 FROM ${workspaceRepositories} WHERE ${workspaceRepositories.workspaceId} = ${workspaceId} AND ${workspaceRepositories.repositoryId} = ${repositories.id})`,
      ),
    )
    .orderBy(asc(repositories.owner), asc(repositories.name))
    .limit(500);
}

export type ImportRefusal = "repository_not_installed" | "plan_limit";
export type RemoveRefusal = "repository_unknown";

/**
 * Imports a repository that one of the workspace's connected (live, unsuspended) installations covers, within the plan's
 * repository limit (importRepository), with its default permissions. Audit: repository.imported.
 */
export async function importInstalledRepository(
  db: Database,
  input: { workspaceId: string; repositoryId: string; actor: AuditActor; now: Date },
): Promise<{ ok: true; repository: string; created: boolean } | Refusal<ImportRefusal>> {
  const [repo] = await db
    .select({ owner: repositories.owner, name: repositories.name, host: repositories.host })
    .from(repositories)
    .innerJoin(githubInstallations, eq(githubInstallations.id, repositories.installationId))
    .where(
      and(
        eq(repositories.id, input.repositoryId),
        eq(githubInstallations.workspaceId, input.workspaceId),
        isNull(githubInstallations.deletedAt),
        isNull(githubInstallations.suspendedAt),
        isNull(repositories.deletedAt),
      ),
    )
    .limit(1);
  if (!repo)
    return refuse(
      "repository_not_installed",
      "That repository is not covered by this workspace's GitHub App installations (or its installation is suspended). Add it to the installation on GitHub first.",
    );
  const imported = await importRepository(db, {
    workspaceId: input.workspaceId,
    owner: repo.owner,
    name: repo.name,
    host: repo.host,
    actor: input.actor,
    now: input.now,
  });
  if (!imported.ok) return imported;
  const full = `${repo.owner}/${repo.name}`;
  if (imported.created)
    await auditEvent(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "repository.imported",
      target: { type: "repository", id: imported.repositoryId },
      metadata: { repository: full },
      at: input.now,
    });
  return { ok: true, repository: full, created: imported.created };
}

/** Removes a repository from the workspace with its permissions (its history stays). Audit: repository.removed. */
export async function removeWorkspaceRepository(
  db: Database,
  input: { workspaceId: string; repositoryId: string; actor: AuditActor; now: Date },
): Promise<{ ok: true; repository: string } | Refusal<RemoveRefusal>> {
  const [repo] = await db
    .select({ owner: repositories.owner, name: repositories.name })
    .from(workspaceRepositories)
    .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
    .where(
      and(
        eq(workspaceRepositories.workspaceId, input.workspaceId),
        eq(workspaceRepositories.repositoryId, input.repositoryId),
      ),
    )
    .limit(1);
  if (!repo) return refuse("repository_unknown", "That repository is not in this workspace.");
  const full = `${repo.owner}/${repo.name}`;
  await db.batch([
    db
      .delete(repositoryPermissions)
      .where(
        and(
          eq(repositoryPermissions.workspaceId, input.workspaceId),
          eq(repositoryPermissions.repositoryId, input.repositoryId),
        ),
      ),
    db
      .delete(workspaceRepositories)
      .where(
        and(
          eq(workspaceRepositories.workspaceId, input.workspaceId),
          eq(workspaceRepositories.repositoryId, input.repositoryId),
        ),
      ),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "repository.removed",
      target: { type: "repository", id: input.repositoryId },
      metadata: { repository: full },
      at: input.now,
    }),
  ]);
  return { ok: true, repository: full };
}
