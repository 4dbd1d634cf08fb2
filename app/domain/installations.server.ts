/**
 * Our record of the GitHub App's installations and the repositories each one covers, kept current by
 * the App's webhooks (app/webhooks/events.server.ts). Events may arrive in any order: every event
 * carries the installation as it is, so each one brings the record up to date (an
 * `installation_repositories` event before `installation.created` still creates it); an uninstalled
 * installation is kept as a tombstone, so a late event never brings it back.
 */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { githubInstallations, repositories } from "../../db/schema";
import { auditEvent, type AuditActor } from "./audit.server";
import { newId } from "./ids";

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
    .values({
      id: facts.id,
      accountLogin: facts.accountLogin,
      accountGithubId: facts.accountGithubId,
      accountType: facts.accountType,
      host: GITHUB_HOST,
      installedByGithubId: installedBy,
      repositorySelection: facts.repositorySelection,
      permissions: facts.permissions,
      suspendedAt,
      createdAt: now,
      updatedAt: now,
    })
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
    .values({
      id: facts.id,
      accountLogin: facts.accountLogin,
      accountGithubId: facts.accountGithubId,
      accountType: facts.accountType,
      host: GITHUB_HOST,
      repositorySelection: facts.repositorySelection,
      permissions: facts.permissions,
      deletedAt: now,
      createdAt: now,
      updatedAt: now,
    })
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
