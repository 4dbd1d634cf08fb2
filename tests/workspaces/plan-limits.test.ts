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
import { planLimit, type Plan } from "~/domain/plans";
import { sessionCookieFor } from "../auth";
import { form, request } from "../auth/sign-in";
import { db, dumpDatabase, FIXED_NOW } from "../db";
import { addMembership, addUser, count, inviteLinkIn, pageText, restoreWorld } from "./fixtures";

const SYSTEM = { type: "system" as const, id: null, label: "plan limit test" };

async function setPlan(plan: "free" | "team" | "enterprise") {
  await db().update(workspaces).set({ plan }).where(eq(workspaces.id, SEED.workspaceId));
}

async function members(): Promise<number> {
  return count("memberships", "workspace_id = ?", SEED.workspaceId);
}

/** Fills Acme with members up to `total`. */
async function fillMembers(total: number) {
  for (let i = await members(); i < total; i++) {
    const userId = await addUser({ login: `filler-${i}`, name: `Filler ${i}`, email: null });
    await addMembership(SEED.workspaceId, userId, "member");
  }
  expect(await members()).toBe(total);
}

async function inviteThroughForm(invitee: string, jar?: string) {
  jar ??= await sessionCookieFor(SEED.ownerId);
  const { response } = await request(
    "/dashboard/acme/members",
    jar,
    form({ intent: "invite", invitee, role: "member" }),
  );
  return { status: response.status, html: pageText(await response.text()) };
}

/** The column headings of /pricing's "Compare plans" table, as a reader sees them. */
const PLAN_COLUMNS: Record<Plan, string> = { free: "Free", team: "Team", enterprise: "Enterprise" };

/**
 * /pricing's comparison table as a reader sees it: the column headings (left to right) and, for each
 * row heading, the text of the row's cells (left to right, after the heading). Read from the rendered
 * markup with workerd's HTMLRewriter, not from the page's data attributes.
 */
async function pricingTable(): Promise<{ columns: string[]; rows: Map<string, string[]> }> {
  const { response } = await request("/pricing", "");
  expect(response.status).toBe(200);
  const columns: string[] = [];
  const rows = new Map<string, string[]>();
  let row: { heading: string; cells: string[] } | null = null;
  let tables = 0;
  await new HTMLRewriter()
    .on("table", { element: () => void tables++ })
    .on("table thead th", {
      element: () => void columns.push(""),
      text: (chunk) => void (columns[columns.length - 1] += chunk.text),
    })
    .on("table tbody tr", {
      element(element) {
        const current = { heading: "", cells: [] as string[] };
        row = current;
        element.onEndTag(
          () =>
            void rows.set(
              pageText(current.heading).trim(),
              current.cells.map((cell) => pageText(cell).trim()),
            ),
        );
      },
    })
    .on("table tbody tr th", { text: (chunk) => void (row!.heading += chunk.text) })
    .on("table tbody tr td", {
      element: () => void row!.cells.push(""),
      text: (chunk) => void (row!.cells[row!.cells.length - 1] += chunk.text),
    })
    .transform(response)
    .text();
  expect(tables, "the pricing page has one comparison table").toBe(1);
  return { columns: columns.map((column) => pageText(column).trim()), rows };
}

/** The cell of /pricing's table in the row headed `rowHeading`, in the plan's column. */
function pricingCell(
  table: Awaited<ReturnType<typeof pricingTable>>,
  rowHeading: string,
  plan: Plan,
): string | undefined {
  const column = table.columns.indexOf(PLAN_COLUMNS[plan]);
  expect(column, `a "${PLAN_COLUMNS[plan]}" column in ${JSON.stringify(table.columns)}`).toBeGreaterThan(0);
  const cells = table.rows.get(rowHeading);
  expect(cells, `a "${rowHeading}" row in ${JSON.stringify([...table.rows.keys()])}`).toBeDefined();
  // The first column holds the row headings (th), so the plan's cell is one to the left of its heading.
  expect(cells).toHaveLength(table.columns.length - 1);
  return cells![column - 1];
}

/** How the table shows a count the product enforces: the number, or "Unlimited". */
const shown = (limit: number | null) => (limit === null ? "Unlimited" : String(limit));

beforeEach(async () => {
  await restoreWorld();
  await setPlan("free");
});

describe("the member limit", () => {
  const FREE_MEMBERS = planLimit("free", "members")!;

  it("the Free plan's limit is the one the pricing page shows (Members row, Free column), as is every plan's", async () => {
    // The tests below need room for an owner and at least one more person.
    expect(FREE_MEMBERS).toBeGreaterThan(1);
    const table = await pricingTable();
    expect(pricingCell(table, "Members", "free")).toBe(String(FREE_MEMBERS));
    for (const plan of ["team", "enterprise"] as const)
      expect(pricingCell(table, "Members", plan), plan).toBe(shown(planLimit(plan, "members")));
  });

  it("inviting counts members and pending invitations; one past the limit → 409 with the plan and limit, nothing changed", async () => {
    // The world has one pending invitation already ("pending-person").
    expect(
      await count("invitations", "workspace_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", SEED.workspaceId),
    ).toBe(1);
    await fillMembers(FREE_MEMBERS - 2);
    // One place left: this invitation takes it.
    const first = await inviteThroughForm("last-place");
    expect(first.status).toBe(200);
    expect(inviteLinkIn(first.html)).toMatch(/\/invitations\//);

    const jar = await sessionCookieFor(SEED.ownerId);
    const before = await dumpDatabase();
    const refused = await inviteThroughForm("one-too-many", jar);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain(
      `The Free plan includes up to ${FREE_MEMBERS} members, and this workspace has ${FREE_MEMBERS - 2} members and 2 pending invitations.`,
    );
    expect(await dumpDatabase()).toEqual(before);
    expect(await count("invitations", "invitee = ?", "one-too-many")).toBe(0);

    // Revoking the pending invitation frees the place.
    const pending = (await db().select().from(invitations).where(eq(invitations.invitee, "last-place")))[0]!;
    await db().update(invitations).set({ revokedAt: FIXED_NOW }).where(eq(invitations.id, pending.id));
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
    expect(
      await db()
        .select()
        .from(memberships)
        .where(and(eq(memberships.workspaceId, SEED.workspaceId), eq(memberships.userId, userId))),
    ).toEqual([]);

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
      const result = await importRepository(db(), {
        workspaceId: SEED.workspaceId,
        owner: "acme",
        name: `filler-${i}`,
        actor: SYSTEM,
        now: FIXED_NOW,
      });
      expect(result).toMatchObject({ ok: true, created: true });
    }
    expect(await imported()).toBe(total);
  }

  it("the Free plan's limit is the one the pricing page shows (Repositories row, Free column), as is every plan's", async () => {
    const table = await pricingTable();
    expect(pricingCell(table, "Repositories", "free")).toBe(String(FREE_REPOSITORIES));
    for (const plan of ["team", "enterprise"] as const)
      expect(pricingCell(table, "Repositories", plan), plan).toBe(shown(planLimit(plan, "repositories")));
  });

  it("an import past the Free plan's limit is refused with the plan and limit, and writes nothing", async () => {
    await fillRepositories(FREE_REPOSITORIES);
    const before = await dumpDatabase();
    const refused = await importRepository(db(), {
      workspaceId: SEED.workspaceId,
      owner: "acme",
      name: "one-too-many",
      actor: SYSTEM,
      now: FIXED_NOW,
    });
    expect(refused).toEqual({
      ok: false,
      reason: "plan_limit",
      message: `The Free plan includes up to ${FREE_REPOSITORIES} repositories, and this workspace has ${FREE_REPOSITORIES} repositories. Remove one first. See /pricing for the plans that include more.`,
    });
    // The repository row itself may be known from another workspace; here nothing at all was written.
    const after = await dumpDatabase();
    expect({ ...after, repositories: undefined }).toEqual({ ...before, repositories: undefined });
    expect(await count("workspace_repositories", "workspace_id = ?", SEED.workspaceId)).toBe(FREE_REPOSITORIES);
  });

  it("re-importing a repository already in the workspace changes nothing (no second set of default permissions), even at the limit", async () => {
    await fillRepositories(FREE_REPOSITORIES);
    const link = (
      await db().select().from(workspaceRepositories).where(eq(workspaceRepositories.workspaceId, SEED.workspaceId))
    )[0]!;
    const permissionsBefore = await count(
      "repository_permissions",
      "workspace_id = ? AND repository_id = ?",
      SEED.workspaceId,
      link.repositoryId,
    );
    const eventsBefore = await count("audit_events", "workspace_id = ?", SEED.workspaceId);
    const repository = (await db().query.repositories.findFirst({
      where: (table, { eq }) => eq(table.id, link.repositoryId),
    }))!;
    const again = await importRepository(db(), {
      workspaceId: SEED.workspaceId,
      owner: repository.owner,
      name: repository.name,
      actor: SYSTEM,
      now: FIXED_NOW,
    });
    expect(again).toEqual({ ok: true, repositoryId: link.repositoryId, created: false });
    expect(
      await count(
        "repository_permissions",
        "workspace_id = ? AND repository_id = ?",
        SEED.workspaceId,
        link.repositoryId,
      ),
    ).toBe(permissionsBefore);
    expect(await count("audit_events", "workspace_id = ?", SEED.workspaceId)).toBe(eventsBefore);
  });

  it("Enterprise has no repository limit", async () => {
    expect(planLimit("enterprise", "repositories")).toBeNull();
    await setPlan("enterprise");
    await fillRepositories(FREE_REPOSITORIES + 2);
    const permissions = await db()
      .select()
      .from(repositoryPermissions)
      .where(eq(repositoryPermissions.workspaceId, SEED.workspaceId));
    expect(permissions.length).toBeGreaterThan(0);
  });
});
