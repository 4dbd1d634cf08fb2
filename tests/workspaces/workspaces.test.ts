/**
 * Workspaces through HTTP: creating one, renaming, changing the slug (old links redirect, for
 * members only), deleting (everything it owns goes, nothing of anyone else's), /dashboard opening
 * the workspace used last — and docs/roles.md carrying the permission matrix.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvents, memberships, workspaceSlugRedirects, workspaces } from "../../db/schema";
import { SEED } from "../../db/seed";
import doc from "../../docs/roles.md?raw";
import { rolesMarkdownTable } from "~/domain/roles-doc";
import { PERMISSIONS } from "~/domain/roles";
import { sessionCookieFor } from "../auth";
import { form, location, request } from "../auth/sign-in";
import { db, dumpDatabase } from "../db";
import { logRecords } from "../logs";
import {
  ACME_MARKERS,
  addMembership,
  addUser,
  GLOBEX,
  GLOBEX_MARKERS,
  leakedMarkers,
  pageText,
  restoreWorld,
} from "./fixtures";

beforeEach(async () => {
  await restoreWorld();
});

async function workspaceBySlug(slug: string) {
  return (await db().select().from(workspaces).where(eq(workspaces.slug, slug)))[0] ?? null;
}

async function eventsOf(workspaceId: string, action: string) {
  return db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), eq(auditEvents.action, action)));
}

const settings = (slug = "acme") => `/dashboard/${slug}/settings`;

describe("creating a workspace", () => {
  it("turns the name into a slug, makes the creator its owner, and records workspace.created in the same change", async () => {
    const userId = await addUser({ login: "wile", name: "Wile E. Coyote", email: "wile@acme-products.example" });
    const jar = await sessionCookieFor(userId);
    const page = await request("/workspaces/new", jar);
    expect(page.response.status).toBe(200);
    expect(pageText(await page.response.text())).toContain("Create a workspace");

    const { response } = await request("/workspaces/new", jar, form({ name: "  Café Ünïcode & Co.  " }));
    expect(response.status).toBe(302);
    expect(location(response)).toBe("/dashboard/cafe-unicode-co");

    const created = await workspaceBySlug("cafe-unicode-co");
    expect(created).toMatchObject({ name: "Café Ünïcode & Co.", slug: "cafe-unicode-co" });
    const members = await db().select().from(memberships).where(eq(memberships.workspaceId, created!.id));
    expect(members).toEqual([expect.objectContaining({ userId, role: "owner" })]);
    const events = await db().select().from(auditEvents).where(eq(auditEvents.workspaceId, created!.id));
    expect(events).toEqual([
      expect.objectContaining({
        action: "workspace.created",
        actorId: userId,
        actorLabel: "wile",
        targetId: created!.id,
        metadata: { name: "Café Ünïcode & Co.", slug: "cafe-unicode-co" },
      }),
    ]);
    // One change: workspace, membership and event carry the same instant.
    expect(events[0]!.createdAt.getTime()).toBe(created!.createdAt.getTime());
    expect(members[0]!.createdAt.getTime()).toBe(created!.createdAt.getTime());

    const dashboard = await request("/dashboard/cafe-unicode-co", jar);
    expect(dashboard.response.status).toBe(200);
    expect(pageText(await dashboard.response.text())).toContain("Café Ünïcode & Co.");
  });

  it("a blank or too long name → 400 with the field message, nothing created", async () => {
    const jar = await sessionCookieFor(SEED.memberId);
    for (const name of ["", "    ", "x".repeat(61)]) {
      const before = await dumpDatabase();
      const { response } = await request("/workspaces/new", jar, form({ name }));
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(pageText(await response.text())).toContain("Enter a name of 1 to 60 characters.");
      expect(await dumpDatabase(), JSON.stringify(name)).toEqual(before);
    }
  });

  it("a second workspace with the same name gets a different slug; taken, reserved and old slugs are never reused", async () => {
    const jar = await sessionCookieFor(SEED.memberId);
    const first = await request("/workspaces/new", jar, form({ name: "Initech" }));
    const second = await request("/workspaces/new", jar, form({ name: "Initech" }));
    expect(location(first.response)).toBe("/dashboard/initech");
    expect(location(second.response)).toMatch(/^\/dashboard\/initech-[a-z0-9]{1,5}$/);
    expect(location(second.response)).not.toBe(location(first.response));
    expect((await db().select().from(workspaces).where(eq(workspaces.name, "Initech"))).length).toBe(2);

    // An existing slug, a reserved word, and Globex's old slug (after it moved) are all taken.
    await request(
      settings(GLOBEX.slug),
      await sessionCookieFor(GLOBEX.ownerId),
      form({ intent: "slug", slug: "globex-corp" }),
    );
    expect(await workspaceBySlug("globex-corp")).not.toBeNull();
    for (const [name, taken] of [
      ["Acme", "acme"],
      ["Settings", "settings"],
      ["Globex", "globex"],
    ] as const) {
      const { response } = await request("/workspaces/new", jar, form({ name }));
      expect(response.status).toBe(302);
      expect(location(response), name).toMatch(new RegExp(`^/dashboard/${taken}-[a-z0-9]{1,5}$`));
    }
    // Globex's old address still leads Globex's owner to Globex, not to the new "Globex" workspace.
    const old = await request("/dashboard/globex", await sessionCookieFor(GLOBEX.ownerId));
    expect(old.response.status).toBe(301);
    expect(location(old.response)).toBe("/dashboard/globex-corp");
  });

  it("needs a signed-in user and a same-site form", async () => {
    const before = await dumpDatabase();
    const signedOut = await request("/workspaces/new", "", form({ name: "Nobody's" }));
    expect(signedOut.response.status).toBe(302);
    expect(location(signedOut.response)).toBe(`/login?returnTo=${encodeURIComponent("/workspaces/new")}`);
    const crossSite = await request(
      `/workspaces/new?_data=${encodeURIComponent("routes/workspaces.new")}`,
      await sessionCookieFor(SEED.memberId),
      form({ name: "Evil" }, "https://evil.example"),
    );
    expect(crossSite.response.status).toBe(403);
    const after = await dumpDatabase();
    expect(after.workspaces).toEqual(before.workspaces);
    expect(after.audit_events).toEqual(before.audit_events);
  });
});

describe("renaming", () => {
  it("changes the name, not the slug, with a workspace.renamed event", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    const { response } = await request(settings(), jar, form({ intent: "rename", name: "Acme Industries" }));
    expect(response.status).toBe(200);
    const html = pageText(await response.text());
    expect(html).toContain("Workspace renamed.");
    expect(html).toContain('value="Acme Industries"');
    expect(await workspaceBySlug("acme")).toMatchObject({ id: SEED.workspaceId, name: "Acme Industries" });
    expect(await eventsOf(SEED.workspaceId, "workspace.renamed")).toEqual([
      expect.objectContaining({
        actorId: SEED.ownerId,
        targetId: SEED.workspaceId,
        metadata: { from: "Acme", to: "Acme Industries" },
      }),
    ]);
    expect((await db().select().from(workspaces).where(eq(workspaces.id, GLOBEX.workspaceId)))[0]!.name).toBe(
      GLOBEX.name,
    );
  });

  it("a blank name → 400 with the field message; the same name → no event", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    const before = await dumpDatabase();
    const blank = await request(settings(), jar, form({ intent: "rename", name: "  " }));
    expect(blank.response.status).toBe(400);
    expect(pageText(await blank.response.text())).toContain("Enter a name of 1 to 60 characters.");
    expect(await dumpDatabase()).toEqual(before);

    const same = await request(settings(), jar, form({ intent: "rename", name: "Acme" }));
    expect(same.response.status).toBe(200);
    expect(await dumpDatabase()).toEqual(before);
  });
});

describe("changing the slug", () => {
  it("moves the workspace; the old address redirects (301) members, and is a 404 for everyone else", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    const { response } = await request(settings(), jar, form({ intent: "slug", slug: "Acme-Co" }));
    expect(response.status).toBe(302);
    expect(location(response)).toBe("/dashboard/acme-co/settings");

    expect(await workspaceBySlug("acme-co")).toMatchObject({ id: SEED.workspaceId });
    expect(await workspaceBySlug("acme")).toBeNull();
    expect(await eventsOf(SEED.workspaceId, "workspace.slug_changed")).toEqual([
      expect.objectContaining({ actorId: SEED.ownerId, metadata: { from: "acme", to: "acme-co" } }),
    ]);

    const moved = await request("/dashboard/acme-co/members", jar);
    expect(moved.response.status).toBe(200);

    const memberJar = await sessionCookieFor(SEED.memberId);
    for (const [old, current] of [
      ["/dashboard/acme", "/dashboard/acme-co"],
      ["/dashboard/acme/members?tab=pending", "/dashboard/acme-co/members?tab=pending"],
      ["/dashboard/acme/audit", "/dashboard/acme-co/audit"],
    ] as const) {
      const hop = await request(old, memberJar);
      expect(hop.response.status, old).toBe(301);
      expect(location(hop.response), old).toBe(current);
    }

    const outsiderJar = await sessionCookieFor(GLOBEX.ownerId);
    for (const path of ["/dashboard/acme", "/dashboard/acme/members", "/dashboard/acme-co"]) {
      const page = await request(path, outsiderJar);
      expect(page.response.status, path).toBe(404);
      expect(leakedMarkers(await page.response.text(), ACME_MARKERS), path).toEqual([]);
      expect(page.response.headers.get("location"), path).toBeNull();
    }
    const signedOut = await request("/dashboard/acme", "");
    expect(signedOut.response.status).toBe(302);
    expect(location(signedOut.response)).toBe(`/login?returnTo=${encodeURIComponent("/dashboard/acme")}`);
  });

  it("invalid, reserved and taken slugs → 400 with a message, nothing changed", async () => {
    // Globex moves away from "globex": its old slug stays Globex's (a redirect), so it is taken too.
    const globexMove = await request(
      settings(GLOBEX.slug),
      await sessionCookieFor(GLOBEX.ownerId),
      form({ intent: "slug", slug: "globex-corp" }),
    );
    expect(globexMove.response.status).toBe(302);

    const jar = await sessionCookieFor(SEED.ownerId);
    const cases: Array<[string, string]> = [
      ["", "Enter a slug."],
      ["ab", "Use 3–40 lowercase letters, digits and dashes"],
      ["-acme", "Use 3–40 lowercase letters, digits and dashes"],
      ["acme-", "Use 3–40 lowercase letters, digits and dashes"],
      ["acme_co", "Use 3–40 lowercase letters, digits and dashes"],
      ["acme co", "Use 3–40 lowercase letters, digits and dashes"],
      ["settings", "That slug is reserved. Choose another."],
      ["new", "That slug is reserved. Choose another."],
      ["globex-corp", "That slug is taken. Choose another."],
      ["globex", "That slug is taken. Choose another."],
    ];
    for (const [slug, message] of cases) {
      const before = await dumpDatabase();
      const { response } = await request(settings(), jar, form({ intent: "slug", slug }));
      expect(response.status, JSON.stringify(slug)).toBe(400);
      expect(pageText(await response.text()), JSON.stringify(slug)).toContain(message);
      expect(await dumpDatabase(), JSON.stringify(slug)).toEqual(before);
    }
    expect(await workspaceBySlug("acme")).toMatchObject({ id: SEED.workspaceId });
  });

  it("a workspace may take back its own old slug", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    expect((await request(settings(), jar, form({ intent: "slug", slug: "acme-co" }))).response.status).toBe(302);
    const back = await request(settings("acme-co"), jar, form({ intent: "slug", slug: "acme" }));
    expect(back.response.status).toBe(302);
    expect(location(back.response)).toBe("/dashboard/acme/settings");
    expect(await workspaceBySlug("acme")).toMatchObject({ id: SEED.workspaceId });
    expect(
      await db()
        .select({ slug: workspaceSlugRedirects.slug })
        .from(workspaceSlugRedirects)
        .where(eq(workspaceSlugRedirects.workspaceId, SEED.workspaceId)),
    ).toEqual([{ slug: "acme-co" }]);
    const hop = await request("/dashboard/acme-co", await sessionCookieFor(SEED.memberId));
    expect(hop.response.status).toBe(301);
    expect(location(hop.response)).toBe("/dashboard/acme");
    expect((await eventsOf(SEED.workspaceId, "workspace.slug_changed")).map((event) => event.metadata)).toEqual(
      expect.arrayContaining([
        { from: "acme", to: "acme-co" },
        { from: "acme-co", to: "acme" },
      ]),
    );
  });
});

/** Tables with a workspace_id column: what a workspace owns. */
async function tenantTables(): Promise<string[]> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
  ).all<{ name: string }>();
  const out: string[] = [];
  for (const { name } of tables.results) {
    const columns = await env.DB.prepare(`SELECT name FROM pragma_table_info('${name}')`).all<{ name: string }>();
    if (columns.results.some((column) => column.name === "workspace_id")) out.push(name);
  }
  return out;
}

describe("deleting a workspace", () => {
  it("requires typing its slug: anything else → 400, nothing deleted", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    for (const confirm of ["", "Acme", "ACME", "acm", "globex", SEED.workspaceId]) {
      const before = await dumpDatabase();
      const { response } = await request(settings(), jar, form({ intent: "delete", confirm }));
      expect(response.status, JSON.stringify(confirm)).toBe(400);
      expect(pageText(await response.text()), JSON.stringify(confirm)).toContain("Type acme to confirm.");
      expect(await dumpDatabase(), JSON.stringify(confirm)).toEqual(before);
    }
  });

  it("with the slug typed: 302 /dashboard; every row it owns is gone from every table; Globex untouched", async () => {
    const owned = await tenantTables();
    expect(owned).toEqual(
      expect.arrayContaining([
        "memberships",
        "invitations",
        "instances",
        "deployments",
        "locks",
        "audit_events",
        "workspace_slug_redirects",
      ]),
    );
    // Give Acme an old slug too, so redirects are part of what must go.
    const jar = await sessionCookieFor(SEED.ownerId);
    expect((await request(settings(), jar, form({ intent: "slug", slug: "acme-co" }))).response.status).toBe(302);

    const before = await dumpDatabase();
    const acmeRowsBefore = Object.fromEntries(
      owned.map((table) => [
        table,
        (before[table] as Array<Record<string, unknown>>).filter((row) => row.workspace_id === SEED.workspaceId).length,
      ]),
    );
    expect(acmeRowsBefore.instances).toBeGreaterThan(0);
    expect(acmeRowsBefore.workspace_slug_redirects).toBe(1);

    const { response } = await request(settings("acme-co"), jar, form({ intent: "delete", confirm: "acme-co" }));
    expect(response.status).toBe(302);
    expect(location(response)).toBe("/dashboard");

    const after = await dumpDatabase();
    expect(after.workspaces!.map((row) => (row as { id: string }).id)).toEqual([GLOBEX.workspaceId]);
    for (const table of owned) {
      const rows = after[table] as Array<Record<string, unknown>>;
      expect(
        rows.filter((row) => row.workspace_id === SEED.workspaceId),
        table,
      ).toEqual([]);
      // Globex's rows are exactly what they were.
      const globex = (dump: Record<string, unknown[]>) =>
        (dump[table] as Array<Record<string, unknown>>).filter((row) => row.workspace_id === GLOBEX.workspaceId);
      expect(globex(after), table).toEqual(globex(before));
    }
    // No row anywhere still points at the deleted workspace — except a user's "last opened"
    // preference, which is not tenant data and which /dashboard ignores once the workspace is gone.
    const mentions = Object.entries(after).flatMap(([table, rows]) =>
      (rows as Array<Record<string, unknown>>).flatMap((row) =>
        Object.entries(row)
          .filter(([, value]) => value === SEED.workspaceId)
          .map(([column]) => `${table}.${column}`),
      ),
    );
    expect([...new Set(mentions)]).toEqual(["users.last_workspace_id"]);
    // People stay: they only lose the membership.
    expect(after.users).toHaveLength((before.users as unknown[]).length);

    // The deletion is recorded in the logs (the workspace's own audit log went with it).
    expect(logRecords()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: "audit",
          action: "workspace.deleted",
          workspaceId: SEED.workspaceId,
          actorId: SEED.ownerId,
        }),
      ]),
    );

    expect((await request("/dashboard/acme-co", jar)).response.status).toBe(404);
    expect((await request("/dashboard/acme", jar)).response.status).toBe(404);
    const home = await request("/dashboard", jar);
    expect(location(home.response)).toBe("/workspaces/new");
    const globexHome = await request("/dashboard/globex", await sessionCookieFor(GLOBEX.ownerId));
    expect(globexHome.response.status).toBe(200);
  });
});

describe("/dashboard", () => {
  it("opens the workspace used last", async () => {
    await addMembership(GLOBEX.workspaceId, SEED.ownerId, "member");
    const jar = await sessionCookieFor(SEED.ownerId);
    const opensAt = async () => location((await request("/dashboard", jar)).response);
    expect(await opensAt()).toBe("/dashboard/acme");

    const visit = await request("/dashboard/globex/members", jar);
    expect(visit.response.status).toBe(200);
    // The switcher lists both of this user's workspaces — and only theirs.
    const html = pageText(await visit.response.text());
    expect(html).toContain(GLOBEX.name);
    expect(html).toContain("Acme");

    // The "last used" write runs after the response (waitUntil): poll briefly.
    const waitFor = async (want: string) => {
      let got = "";
      for (let attempt = 0; attempt < 40 && got !== want; attempt++) {
        got = await opensAt();
        if (got !== want) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return got;
    };
    expect(await waitFor("/dashboard/globex")).toBe("/dashboard/globex");
    await request("/dashboard/acme", jar);
    expect(await waitFor("/dashboard/acme")).toBe("/dashboard/acme");
  });

  it("with no workspace, offers to create one; a visit to someone else's workspace changes nothing", async () => {
    const userId = await addUser({ login: "newbie", name: "New Bie", email: null });
    const jar = await sessionCookieFor(userId);
    expect(location((await request("/dashboard", jar)).response)).toBe("/workspaces/new");
    const before = await dumpDatabase();
    const peek = await request("/dashboard/acme", jar);
    expect(peek.response.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await dumpDatabase()).toEqual(before);
    expect(location((await request("/dashboard", jar)).response)).toBe("/workspaces/new");
    const otherOwner = await request("/dashboard", await sessionCookieFor(GLOBEX.ownerId));
    expect(location(otherOwner.response)).toBe("/dashboard/globex");
    expect(leakedMarkers(location(otherOwner.response), ACME_MARKERS)).toEqual([]);
    expect(
      leakedMarkers(
        location((await request("/dashboard", await sessionCookieFor(SEED.memberId))).response),
        GLOBEX_MARKERS,
      ),
    ).toEqual([]);
  });
});

describe("docs/roles.md", () => {
  it("carries the permission matrix from app/domain/roles.ts verbatim", () => {
    const table = rolesMarkdownTable();
    expect(doc).toContain(table);
    // The table is the matrix: one row per permission, one ✓ per role that has it.
    for (const [permission, roles] of Object.entries(PERMISSIONS)) {
      const row = table.split("\n").find((line) => line.includes(`(\`${permission}\`)`));
      expect(row, permission).toBeDefined();
      expect(row!.split("✓").length - 1, permission).toBe(roles.length);
    }
  });
});
