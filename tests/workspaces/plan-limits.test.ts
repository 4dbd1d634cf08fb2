/**
 * The plan limits of app/domain/plans.ts as the product enforces them — the same table the pricing
 * page renders: members (members + pending invitations when inviting, members when accepting) and
 * repositories (when importing). A refusal says which plan and which limit, and changes nothing.
 */
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { invitations, memberships, repositoryPermissions, workspaceRepositories, workspaces } from "../../db/schema";
import { SEED } from "../../db/seed";
import { importRepository } from "~/domain/repository-permissions.server";
import { PLAN_DEFINITIONS, planLimit } from "~/domain/plans";
import { sessionCookieFor } from "../auth";
import { form, request } from "../auth/flow";
import { db, dumpDatabase } from "../db";
import { addMembership, addUser, count, inviteLinkIn, pageText, restoreWorld } from "./world";

const SYSTEM = { type: "system" as const, id: null, label: "plan limit test" };

async function setPlan(plan: "free" | "team" | "enterprise") {
  await db().update(workspaces).set({ plan }).where(eq(workspaces.id, SEED.workspaceId));
}

async function members(): Promise<number> {
  return count("memberships", "workspace_id = ?", SEED.workspaceId);
}

/** Fills Acme with members up to `total`. */
async function fillMembers(total: number) {
  for (let i = (await members()); i < total; i++) {
    const userId = await addUser({ login: `filler-${i}`, name: `Filler ${i}`, email: null });
    await addMembership(SEED.workspaceId, userId, "member");
  }
  expect(await members()).toBe(total);
}

async function inviteThroughForm(invitee: string, jar?: string) {
  jar ??= await sessionCookieFor(SEED.ownerId);
  const { response } = await request("/dashboard/acme/members", jar, form({ intent: "invite", invitee, role: "member" }));
  return { status: response.status, html: pageText(await response.text()) };
}

beforeEach(async () => {
  await restoreWorld();
  await setPlan("free");
});

describe("the member limit", () => {
  const FREE_MEMBERS = planLimit("free", "members")!;

  it("the Free plan's limit is the one the pricing page shows", async () => {
    expect(FREE_MEMBERS).toBe(PLAN_DEFINITIONS.free.limits.members);
    const { response } = await request("/pricing", "");
    const html = pageText(await response.text());
    expect(html).toContain(`${FREE_MEMBERS}`);
    expect(FREE_MEMBERS).toBeGreaterThan(1);
  });

  it("inviting counts members and pending invitations; one past the limit → 409 with the plan and limit, nothing changed", async () => {
    // The world has one pending invitation already ("pending-person").
    expect(await count("invitations", "workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", SEED.workspaceId)).toBe(1);
    await fillMembers(FREE_MEMBERS - 2);
    // One place left: this invitation takes it.
    const first = await inviteThroughForm("last-place");
    expect(first.status).toBe(200);
    expect(inviteLinkIn(first.html)).toMatch(/\/invitations\//);

    const jar = await sessionCookieFor(SEED.ownerId);
    const before = await dumpDatabase();
    const refused = await inviteThroughForm("one-too-many", jar);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain(`The Free plan includes up to ${FREE_MEMBERS} members, and this workspace has ${FREE_MEMBERS - 2} members and 2 pending invitations.`);
    expect(await dumpDatabase()).toEqual(before);
    expect(await count("invitations", "invitee = ?", "one-too-many")).toBe(0);

    // Revoking the pending invitation frees the place.
    const pending = (await db().select().from(invitations).where(eq(invitations.invitee, "last-place")))[0]!;
    await db().update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, pending.id));
    expect((await inviteThroughForm("one-too-many")).status).toBe(200);
  });

  it("a bigger plan lifts the limit: the same invitation on Team is created", async () => {
    await fillMembers(FREE_MEMBERS);
    expect((await inviteThroughForm("newcomer")).status).toBe(409);
    await setPlan("team");
    expect((await inviteThroughForm("newcomer")).status).toBe(200);
  });

  it("accepting is refused once the workspace is full (the plan changed since the invitation): 409, the invitation stays pending", async () => {
    await setPlan("team");
    const invited = await inviteThroughForm("late-joiner");
    const path = new URL(inviteLinkIn(invited.html)).pathname;
    await setPlan("free");
    await fillMembers(FREE_MEMBERS);
    const userId = await addUser({ login: "late-joiner", name: "Late Joiner", email: null });
    const jar = await sessionCookieFor(userId);

    const before = await dumpDatabase();
    const { response } = await request(path, jar, form({}));
    expect(response.status).toBe(409);
    expect(pageText(await response.text())).toContain("Acme has as many members as its plan includes.");
    expect(await dumpDatabase()).toEqual(before);
    expect(await db().select().from(memberships).where(and(eq(memberships.workspaceId, SEED.workspaceId), eq(memberships.userId, userId)))).toEqual([]);

    // Back on Team, the same link works.
    await setPlan("team");
    const accepted = await request(path, jar, form({}));
    expect(accepted.response.status).toBe(302);
    expect(await members()).toBe(FREE_MEMBERS + 1);
  });
});

describe("the repository limit", () => {
  const FREE_REPOSITORIES = planLimit("free", "repositories")!;

  async function imported(): Promise<number> {
    return count("workspace_repositories", "workspace_id = ?", SEED.workspaceId);
  }

  async function fillRepositories(total: number) {
    for (let i = await imported(); i < total; i++) {
      const result = await importRepository(db(), { workspaceId: SEED.workspaceId, owner: "acme", name: `filler-${i}`, actor: SYSTEM, now: new Date() });
      expect(result).toMatchObject({ ok: true, created: true });
    }
    expect(await imported()).toBe(total);
  }

  it("an import past the Free plan's limit is refused with the plan and limit, and writes nothing", async () => {
    await fillRepositories(FREE_REPOSITORIES);
    const before = await dumpDatabase();
    const refused = await importRepository(db(), { workspaceId: SEED.workspaceId, owner: "acme", name: "one-too-many", actor: SYSTEM, now: new Date() });
    expect(refused).toEqual({
      ok: false,
      status: 409,
      message: `The Free plan includes up to ${FREE_REPOSITORIES} repositories, and this workspace has ${FREE_REPOSITORIES} repositories. Remove one first. See /pricing for the plans that include more.`,
    });
    // The repository row itself may be known from another workspace; here nothing at all was written.
    const after = await dumpDatabase();
    expect({ ...after, repositories: undefined }).toEqual({ ...before, repositories: undefined });
    expect(await count("workspace_repositories", "workspace_id = ?", SEED.workspaceId)).toBe(FREE_REPOSITORIES);
  });

  it("re-importing a repository already in the workspace changes nothing (no second set of default permissions), even at the limit", async () => {
    await fillRepositories(FREE_REPOSITORIES);
    const link = (await db().select().from(workspaceRepositories).where(eq(workspaceRepositories.workspaceId, SEED.workspaceId)))[0]!;
    const permissionsBefore = await count("repository_permissions", "workspace_id = ? AND repository_id = ?", SEED.workspaceId, link.repositoryId);
    const eventsBefore = await count("audit_events", "workspace_id = ?", SEED.workspaceId);
    const repository = (await db().query.repositories.findFirst({ where: (table, { eq }) => eq(table.id, link.repositoryId) }))!;
    const again = await importRepository(db(), { workspaceId: SEED.workspaceId, owner: repository.owner, name: repository.name, actor: SYSTEM, now: new Date() });
    expect(again).toEqual({ ok: true, repositoryId: link.repositoryId, created: false });
    expect(await count("repository_permissions", "workspace_id = ? AND repository_id = ?", SEED.workspaceId, link.repositoryId)).toBe(permissionsBefore);
    expect(await count("audit_events", "workspace_id = ?", SEED.workspaceId)).toBe(eventsBefore);
  });

  it("Enterprise has no repository limit", async () => {
    expect(planLimit("enterprise", "repositories")).toBeNull();
    await setPlan("enterprise");
    await fillRepositories(FREE_REPOSITORIES + 2);
    const permissions = await db().select().from(repositoryPermissions).where(eq(repositoryPermissions.workspaceId, SEED.workspaceId));
    expect(permissions.length).toBeGreaterThan(0);
  });
});
