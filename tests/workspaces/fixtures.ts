/**
 * The two-tenant world the workspace tests run in: the seed (workspace Acme: owner, member, repo
 * acme/infra, instances, deployments, a lock, audit events) plus an Acme admin, one pending Acme
 * invitation, and a second workspace "Globex Corp" with its own owner and its own data of every
 * kind a dashboard page shows. Each test starts from an empty database (tests/setup.ts), so tests
 * call `buildWorld()` in their own beforeEach.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { SEED } from "../../db/seed";
import {
  auditEvents,
  deployments,
  identities,
  instances,
  invitations,
  locks,
  memberships,
  repositories,
  users,
  workspaceRepositories,
  workspaces,
} from "../../db/schema";
import { inviteMember } from "~/domain/members.server";
import { newId } from "~/domain/ids";
import type { Role } from "~/domain/roles";
import { db, dumpDatabase, FIXED_NOW, seedDatabase, TRIGGER_KEPT_TABLES, type Dump } from "../db";

const pad = (base: string) => base + "0".repeat(28 - base.length);

export const ACME_ADMIN = {
  id: `usr_${pad("acmeadmin")}`,
  login: "acme-admin",
  name: "Ali Admin",
  email: "ali@acme.example",
} as const;

/** A repository of acme's that the seeded App installation covers and Acme has not imported. */
export const ACME_IMPORTABLE = { id: `repo_${pad("acmeapps")}`, owner: "acme", name: "apps", githubId: 9102 } as const;

export const GLOBEX = {
  workspaceId: `ws_${pad("globex")}`,
  slug: "globex",
  name: "Globex Corp",
  ownerId: `usr_${pad("globexowner")}`,
  // Deliberately free of the word "globex": a leaked member list shows up as this name.
  ownerName: "Hank Scorpio",
  ownerLogin: "hscorpio",
  ownerEmail: "hank@scorpio-industries.example",
  repositoryId: `repo_${pad("globexplatform")}`,
  repository: "globex/platform",
  instanceId: `inst_${pad("globex001")}`,
  deploymentId: `dep_${pad("globex001")}`,
  lockId: `lock_${pad("globexdb")}`,
  lockMessage: "Hammock District migration freeze",
  invitee: "frank-grimes",
} as const;

/** Strings that must never appear in a response about the other tenant. */
export const GLOBEX_MARKERS = [
  "Globex",
  "globex",
  GLOBEX.workspaceId,
  GLOBEX.ownerId,
  GLOBEX.ownerName,
  GLOBEX.ownerLogin,
  GLOBEX.ownerEmail,
  GLOBEX.repositoryId,
  GLOBEX.instanceId,
  GLOBEX.deploymentId,
  GLOBEX.lockMessage,
  GLOBEX.invitee,
] as const;

/**
 * Acme's. Not the lowercase slug "acme": a 404 page for /dashboard/acme may echo its own address.
 * The name, ids, people and repository are what must not leak.
 */
export const ACME_MARKERS = [
  "Acme",
  SEED.workspaceId,
  "ws_acme",
  "acme/infra",
  SEED.ownerId,
  SEED.memberId,
  ACME_ADMIN.id,
  "Ada Owner",
  "Max Member",
  ACME_ADMIN.name,
  "acme-owner",
  "acme-member",
  "acme-admin",
  "@acme.example",
  "pending-person",
] as const;

export type World = {
  /** The pending Acme invitation (for "pending-person", role member). */
  pendingInvitationId: string;
  pendingInvitationToken: string;
};

/**
 * A user who signs in with the dev provider as `login` (the identity the callback would find), or,
 * given `provider`, with GitHub or OIDC. Dev and GitHub emails are verified (as migration 0003 and
 * the seed have them) unless `emailVerified` says otherwise; OIDC emails are not, unless it says so.
 */
export async function addUser(user: {
  id?: string;
  login: string | null;
  name: string;
  email: string | null;
  lastWorkspaceId?: string | null;
  provider?: "dev" | "github" | "oidc";
  emailVerified?: boolean;
}): Promise<string> {
  const id = user.id ?? newId("usr");
  const now = FIXED_NOW;
  const database = db();
  const provider = user.provider ?? "dev";
  const issuer = { dev: "dev", github: "https://github.com", oidc: "https://idp.example" }[provider];
  const emailVerified = user.email !== null && (user.emailVerified ?? provider !== "oidc");
  await database.batch([
    database.insert(users).values({
      id,
      login: user.login,
      name: user.name,
      email: user.email,
      lastWorkspaceId: user.lastWorkspaceId ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(identities).values({
      id: newId("idn"),
      userId: id,
      provider,
      issuer,
      subject: user.login ?? id,
      login: user.login,
      email: user.email,
      emailVerified,
      createdAt: now,
    }),
  ]);
  return id;
}

export async function addMembership(workspaceId: string, userId: string, role: Role): Promise<void> {
  const now = FIXED_NOW;
  await db().insert(memberships).values({ workspaceId, userId, role, createdAt: now, updatedAt: now });
}

export async function buildWorld(): Promise<World> {
  await seedDatabase();
  const now = FIXED_NOW;
  const database = db();

  await addUser({ ...ACME_ADMIN, lastWorkspaceId: SEED.workspaceId });
  await addMembership(SEED.workspaceId, ACME_ADMIN.id, "admin");
  await database.insert(repositories).values({
    ...ACME_IMPORTABLE,
    host: "github.com",
    installationId: SEED.installationId,
    createdAt: now,
    updatedAt: now,
  });

  await addUser({
    id: GLOBEX.ownerId,
    login: GLOBEX.ownerLogin,
    name: GLOBEX.ownerName,
    email: GLOBEX.ownerEmail,
    lastWorkspaceId: GLOBEX.workspaceId,
  });
  await database.batch([
    database.insert(workspaces).values({
      id: GLOBEX.workspaceId,
      name: GLOBEX.name,
      slug: GLOBEX.slug,
      plan: "team",
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(memberships).values({
      workspaceId: GLOBEX.workspaceId,
      userId: GLOBEX.ownerId,
      role: "owner",
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(repositories).values({
      id: GLOBEX.repositoryId,
      host: "github.com",
      owner: "globex",
      name: "platform",
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(workspaceRepositories).values({
      workspaceId: GLOBEX.workspaceId,
      repositoryId: GLOBEX.repositoryId,
      importedBy: GLOBEX.ownerId,
      createdAt: now,
    }),
    database.insert(instances).values({
      id: GLOBEX.instanceId,
      workspaceId: GLOBEX.workspaceId,
      repositoryId: GLOBEX.repositoryId,
      stack: "globex-ue1-prod",
      component: "globex-doomsday-device",
      status: "drifted",
      lastCommand: "plan",
      lastExitCode: 2,
      lastRunAt: now,
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(deployments).values({
      id: GLOBEX.deploymentId,
      workspaceId: GLOBEX.workspaceId,
      instanceId: GLOBEX.instanceId,
      kind: "apply",
      status: "in_progress",
      workflow: "globex-apply.yaml",
      githubRunId: 4242,
      githubRunUrl: "https://github.com/globex/platform/actions/runs/4242",
      // Newer than every Acme deployment: a page that forgot its workspace filter would list it first.
      createdAt: now,
      startedAt: now,
    }),
    database.insert(locks).values({
      id: GLOBEX.lockId,
      workspaceId: GLOBEX.workspaceId,
      key: "globex/platform/globex-ue1-prod/globex-doomsday-device",
      message: GLOBEX.lockMessage,
      lockedBy: GLOBEX.ownerLogin,
      expiresAt: new Date(now.getTime() + 86_400_000),
      createdAt: now,
      updatedAt: now,
    }),
    database.insert(auditEvents).values({
      id: newId("aud"),
      workspaceId: GLOBEX.workspaceId,
      actorType: "user",
      actorId: GLOBEX.ownerId,
      actorLabel: GLOBEX.ownerLogin,
      action: "workspace.created",
      category: "workspace",
      targetType: "workspace",
      targetId: GLOBEX.workspaceId,
      metadata: { name: GLOBEX.name, slug: GLOBEX.slug },
      createdAt: now,
    }),
  ]);
  const globexInvitation = await inviteMember(database, {
    workspaceId: GLOBEX.workspaceId,
    actorRole: "owner",
    actor: { type: "user", id: GLOBEX.ownerId, label: GLOBEX.ownerLogin },
    actorId: GLOBEX.ownerId,
    invitee: GLOBEX.invitee,
    role: "admin",
    now,
  });
  expect(globexInvitation.ok).toBe(true);

  const acmeInvitation = await inviteMember(database, {
    workspaceId: SEED.workspaceId,
    actorRole: "owner",
    actor: { type: "user", id: SEED.ownerId, label: SEED.ownerLogin },
    actorId: SEED.ownerId,
    invitee: "pending-person",
    role: "member",
    now,
  });
  if (!acmeInvitation.ok) throw new Error(`world: could not invite: ${acmeInvitation.message}`);
  return { pendingInvitationId: acmeInvitation.invitationId, pendingInvitationToken: acmeInvitation.token };
}

let saved: { world: World; rows: Dump } | null = null;

/**
 * `buildWorld()`, fast: the first call builds it and keeps its rows; later calls (each test starts
 * from an empty database) put the same rows back in one batch.
 */
export async function restoreWorld(): Promise<World> {
  if (!saved) {
    const world = await buildWorld();
    saved = { world, rows: await dumpDatabase() };
    return world;
  }
  // Tables kept by triggers fill themselves as their sources' rows go back in.
  const restored = Object.entries(saved.rows).filter(([table]) => !TRIGGER_KEPT_TABLES.includes(table));
  const inserts = restored.flatMap(([table, rows]) =>
    rows.map((row) => {
      const columns = Object.keys(row);
      return env.DB.prepare(
        `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      ).bind(...columns.map((column) => row[column]));
    }),
  );
  await env.DB.batch([env.DB.prepare("PRAGMA defer_foreign_keys = on"), ...inserts]);
  return saved.world;
}

/** The markers found in `text` (case-sensitive). */
export function leakedMarkers(text: string, markers: readonly string[]): string[] {
  return markers.filter((marker) => text.includes(marker));
}

/** A server-rendered page as readable text: React's `<!-- -->` text separators out, entities decoded. */
export function pageText(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The invitation link in a members page rendered after `intent=invite`. */
export function inviteLinkIn(html: string): string {
  const link = html.match(/data-testid="invite-link">(https?:\/\/[^<]+)</)?.[1];
  if (!link) throw new Error("no invitation link in the page");
  return link;
}

export async function count(table: string, where = "1 = 1", ...bindings: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${where}`)
    .bind(...bindings)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function invitationRow(id: string) {
  const rows = await db().select().from(invitations).where(eq(invitations.id, id));
  return rows[0];
}
