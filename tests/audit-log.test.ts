import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { encodeCursor } from "~/dashboard/cursor";
import {
  auditFilterOptions,
  decodeAuditCursor,
  encodeAuditCursor,
  listAuditEvents,
} from "~/dashboard/audit-log.server";
import { auditEvent, userActor, type AuditActor } from "~/domain/audit.server";
import { createWorkspace } from "~/domain/workspaces.server";
import { SEED } from "../db/seed";
import { users } from "../db/schema";
import { sessionCookieFor } from "./auth";
import { db, FIXED_NOW, seedDatabase } from "./db";
import { get } from "./http";

const MINUTE = 60_000;
const ROUTE_ID = "routes/dashboard.$workspace.audit";
const PATH = "/dashboard/acme/audit";

const OWNER: AuditActor = { type: "user", id: SEED.ownerId, label: SEED.ownerLogin };
const CI: AuditActor = { type: "ci", id: null, label: "acme/infra" };
const MEMBER: AuditActor = { type: "user", id: SEED.memberId, label: SEED.memberLogin };

const OTHER = {
  userId: "usr_globexowner0000000000000000000",
  login: "globex-owner",
  name: "Gloria Globex",
  secret: "globex-confidential-rollout",
};

type EventJson = {
  id: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  category: string;
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
};
type PageJson = {
  workspace: { name: string; slug: string };
  filters: { category: string | null; actor: string | null; q: string; cursor: string | null };
  options: { categories: string[]; actors: Array<{ id: string; label: string }> };
  events: EventJson[];
  nextCursor: string | null;
};

/** 120 more events for acme: 40 timestamps shared by 3 events each (ties exercise the id order). */
async function insertAcmeEvents() {
  const handle = db();
  const statements = Array.from({ length: 120 }, (_, i) => {
    const kind = i % 4;
    return auditEvent(handle, {
      workspaceId: SEED.workspaceId,
      actor: kind === 3 ? MEMBER : kind === 2 ? CI : OWNER,
      action:
        kind === 0
          ? "deployment.dispatched"
          : kind === 1
            ? "schedule.updated"
            : kind === 2
              ? "lock.released"
              : "lock.created",
      target: { type: "instance", id: `inst_bulk${String(i).padStart(3, "0")}` },
      metadata: { sequence: i, note: i === 7 ? "rollout 100% done" : i === 8 ? "rollout 1000 done" : `step ${i}` },
      at: new Date(FIXED_NOW.getTime() - 10 * MINUTE - Math.floor(i / 3) * MINUTE),
    });
  });
  for (let i = 0; i < statements.length; i += 40) {
    const chunk = statements.slice(i, i + 40);
    await handle.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
}

/** Another tenant, Globex, with its own owner and events that must never show in acme's log. */
async function insertOtherWorkspace() {
  const handle = db();
  await handle.insert(users).values({
    id: OTHER.userId,
    login: OTHER.login,
    name: OTHER.name,
    email: "gloria@globex.example",
    createdAt: FIXED_NOW,
    updatedAt: FIXED_NOW,
  });
  const actor = userActor({ id: OTHER.userId, login: OTHER.login, name: OTHER.name });
  const workspace = await createWorkspace(handle, {
    name: "Globex",
    userId: OTHER.userId,
    actor,
    now: new Date(FIXED_NOW.getTime() - 5 * MINUTE),
  });
  await handle.batch([
    // Same category as acme events, and a timestamp shared with acme events.
    auditEvent(handle, {
      workspaceId: workspace.id,
      actor,
      action: "lock.created",
      target: { type: "lock", id: "lock_globex" },
      metadata: { key: "globex/platform/prod", note: OTHER.secret },
      at: new Date(FIXED_NOW.getTime() - 10 * MINUTE),
    }),
    auditEvent(handle, {
      workspaceId: workspace.id,
      actor,
      action: "secretstore.rotated",
      metadata: { note: "100% of globex keys" },
      at: new Date(FIXED_NOW.getTime() - 11 * MINUTE),
    }),
    // Claims to be acme's owner, but belongs to globex: the actor filter must not leak it either.
    auditEvent(handle, {
      workspaceId: workspace.id,
      actor: OWNER,
      action: "deployment.dispatched",
      metadata: { note: OTHER.secret },
      at: new Date(FIXED_NOW.getTime() - 12 * MINUTE),
    }),
  ]);
  return workspace;
}

async function acmeEventIds(): Promise<string[]> {
  const rows = await env.DB.prepare(
    "SELECT id FROM audit_events WHERE workspace_id = ? ORDER BY created_at DESC, id DESC",
  )
    .bind(SEED.workspaceId)
    .all<{ id: string }>();
  return rows.results.map((row) => row.id);
}

async function pageData(query: string, userId: string = SEED.ownerId): Promise<PageJson> {
  const separator = query ? "&" : "";
  const response = await get(`${PATH}?${query}${separator}_data=${encodeURIComponent(ROUTE_ID)}`, {
    headers: { Cookie: await sessionCookieFor(userId) },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as PageJson;
}

async function pageHtml(query: string, userId: string = SEED.ownerId): Promise<{ status: number; html: string }> {
  const response = await get(`${PATH}${query ? `?${query}` : ""}`, {
    headers: { Cookie: await sessionCookieFor(userId) },
  });
  return { status: response.status, html: await response.text() };
}

function expectNewestFirst(events: Array<{ createdAt: string; id: string }>) {
  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1]!;
    const after = events[i]!;
    const ordered =
      before.createdAt > after.createdAt || (before.createdAt === after.createdAt && before.id > after.id);
    expect(ordered, `${before.createdAt} ${before.id} before ${after.createdAt} ${after.id}`).toBe(true);
  }
}

function decodeHtml(text: string): string {
  return text
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}

function olderLink(html: string): string | null {
  const match = /<a[^>]*href="([^"]*)"[^>]*>Older events →<\/a>/.exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

describe("audit log", () => {
  let otherWorkspace: { id: string; slug: string; name: string };

  beforeEach(async () => {
    await seedDatabase();
    await insertAcmeEvents();
    otherWorkspace = await insertOtherWorkspace();
  });

  describe("listAuditEvents", () => {
    it("returns the workspace's events newest first, 50 to a page, with ISO times and metadata objects", async () => {
      const page = await listAuditEvents(db(), SEED.workspaceId);
      expect(page.events).toHaveLength(50);
      expect(page.nextCursor).not.toBeNull();
      expectNewestFirst(page.events);
      const all = await acmeEventIds();
      expect(all).toHaveLength(124);
      expect(page.events.map((event) => event.id)).toEqual(all.slice(0, 50));
      // The seed's lock (2 hours ago) is older than every bulk event; the newest bulk events come first.
      expect(page.events[0]!.createdAt).toBe(new Date(FIXED_NOW.getTime() - 10 * MINUTE).toISOString());
      expect(page.events[0]!.metadata).toMatchObject({ note: expect.any(String) });
    });

    it("pages through every event exactly once, ties included, at any page size", async () => {
      const all = await acmeEventIds();
      for (const limit of [7, 50]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await listAuditEvents(db(), SEED.workspaceId, { cursor, limit });
          expect(page.events.length).toBeLessThanOrEqual(limit);
          seen.push(...page.events.map((event) => event.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 100);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(all);
        expect(pages).toBe(Math.ceil(all.length / limit));
      }
    });

    it("never returns another workspace's events", async () => {
      const seen = (await listAuditEvents(db(), SEED.workspaceId, { limit: 200 })).events;
      expect(seen).toHaveLength(124);
      expect(JSON.stringify(seen)).not.toContain("globex");
      const theirs = await listAuditEvents(db(), otherWorkspace.id, { limit: 200 });
      expect(theirs.events.map((event) => event.action).sort()).toEqual([
        "deployment.dispatched",
        "lock.created",
        "secretstore.rotated",
        "workspace.created",
      ]);
    });

    it("filter options list the categories and actors present in this workspace only", async () => {
      const options = await auditFilterOptions(db(), SEED.workspaceId);
      expect(options.categories).toEqual(["deployment", "lock", "permission", "schedule", "team_member", "workspace"]);
      expect(options.actors).toEqual([
        { id: SEED.memberId, label: SEED.memberLogin },
        { id: SEED.ownerId, label: SEED.ownerLogin },
      ]);
    });

    it("cursors are opaque base64url and a malformed one means the first page", async () => {
      const cursor = encodeAuditCursor(FIXED_NOW, "aud_x");
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeAuditCursor(cursor)).toEqual({ createdAt: FIXED_NOW.getTime(), id: "aud_x" });
      const first = await listAuditEvents(db(), SEED.workspaceId);
      for (const bad of [
        "",
        "!!!",
        "bm90LWEtY3Vyc29y",
        btoa("12:x' OR 1=1 --"),
        "A",
        "=".repeat(8),
        btoa("99999999999999999:aud_x"),
        encodeCursor([1e17, "aud_x"]),
        encodeCursor([-1, "aud_x"]),
        encodeCursor([1, "aud_x' OR 1=1"]),
      ]) {
        expect(decodeAuditCursor(bad)).toBeNull();
        expect(await listAuditEvents(db(), SEED.workspaceId, { cursor: bad })).toEqual(first);
      }
    });
  });

  describe("the page", () => {
    it("shows the newest events first with the table, the filter form and an older-events link", async () => {
      const { status, html } = await pageHtml("");
      expect(status).toBe(200);
      expect(html).toContain("Audit log");
      for (const header of ["Time UTC", "Actor", "Action", "Target", "Details"])
        expect(html).toContain(`>${header}</th>`);
      for (const control of ["audit-category", "audit-actor", "audit-search"])
        expect(html).toMatch(new RegExp(`<label[^>]*for="${control}"`));
      expect(html).toMatch(/<form[^>]*method="get"/);
      expect(html).toContain(">Apply</button>");
      expect(html).toContain("sequence:</dt>");
      expect((html.match(/data-testid="audit-event"/g) ?? []).length).toBe(50);
      expect(olderLink(html)).toMatch(/^\/dashboard\/acme\/audit\?cursor=[A-Za-z0-9_-]+$/);

      const data = await pageData("");
      const all = await acmeEventIds();
      expect(data.events.map((event) => event.id)).toEqual(all.slice(0, 50));
      expect(data.workspace).toEqual({ name: "Acme", slug: "acme" });
    });

    it("pagination returns every event exactly once across pages, following the links", async () => {
      const all = await acmeEventIds();
      const seen: string[] = [];
      let link: string | null = PATH;
      let pages = 0;
      while (link && pages < 10) {
        const url = new URL(link, "http://localhost");
        const data = await pageData(url.searchParams.toString());
        seen.push(...data.events.map((event) => event.id));
        const html = (await pageHtml(url.searchParams.toString())).html;
        link = olderLink(html);
        expect(link === null).toBe(data.nextCursor === null);
        pages++;
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(all);
    });

    it("the older-events link carries the current filters with the cursor", async () => {
      // 60 lock.* bulk events; all but one have the note "step N".
      const first = await pageHtml("category=lock&q=STEP");
      expect(first.status).toBe(200);
      const link = olderLink(first.html);
      expect(link).not.toBeNull();
      const url = new URL(link!, "http://localhost");
      expect(url.pathname).toBe(PATH);
      expect(url.searchParams.get("category")).toBe("lock");
      expect(url.searchParams.get("q")).toBe("STEP");
      expect(url.searchParams.get("cursor")).toMatch(/^[A-Za-z0-9_-]+$/);

      const firstData = await pageData("category=lock&q=STEP");
      const secondData = await pageData(url.searchParams.toString());
      expect(secondData.nextCursor).toBeNull();
      const events = [...firstData.events, ...secondData.events];
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
      expect(events).toHaveLength(59);
      expect(
        events.every((event) => event.category === "lock" && String(event.metadata?.note).startsWith("step ")),
      ).toBe(true);
      expectNewestFirst(events);
    });

    it("filters by category", async () => {
      const data = await pageData("category=schedule");
      expect(data.filters.category).toBe("schedule");
      expect(data.events).toHaveLength(30);
      expect(data.events.every((event) => event.category === "schedule" && event.action === "schedule.updated")).toBe(
        true,
      );
      expect(data.nextCursor).toBeNull();

      const locks = await pageData("category=lock");
      expect(locks.events).toHaveLength(50);
      expect(locks.events.every((event) => event.category === "lock")).toBe(true);
      const rest = await pageData(`category=lock&cursor=${locks.nextCursor}`);
      // 60 bulk lock events + the seed's lock.created; none of globex's.
      expect(rest.events).toHaveLength(11);
      expect(rest.nextCursor).toBeNull();
      expect(JSON.stringify([...locks.events, ...rest.events])).not.toContain("globex");
    });

    it("filters by actor", async () => {
      const data = await pageData(`actor=${SEED.memberId}`);
      expect(data.filters.actor).toBe(SEED.memberId);
      expect(data.events).toHaveLength(30);
      expect(data.events.every((event) => event.actorId === SEED.memberId)).toBe(true);

      // The owner's acme events only, even though a globex event names the same actor id.
      const owner = await pageData(`actor=${SEED.ownerId}`);
      const ownerRest = await pageData(`actor=${SEED.ownerId}&cursor=${owner.nextCursor}`);
      const ownerEvents = [...owner.events, ...ownerRest.events];
      expect(ownerEvents).toHaveLength(60 + 3);
      expect(ownerEvents.every((event) => event.actorId === SEED.ownerId)).toBe(true);
      expect(JSON.stringify(ownerEvents)).not.toContain(OTHER.secret);
    });

    it("combines filters", async () => {
      const data = await pageData(`category=lock&actor=${SEED.memberId}`);
      expect(data.events).toHaveLength(30);
      expect(data.events.every((event) => event.action === "lock.created" && event.actorId === SEED.memberId)).toBe(
        true,
      );
    });

    it("searches action, actor, target and details, case-insensitively", async () => {
      const byAction = await pageData("q=TEAM_MEMBER.INV");
      expect(byAction.events.map((event) => event.action)).toEqual(["team_member.invited"]);

      // The member's 30 events, and the invitation whose details name them.
      const byActor = await pageData("q=Acme-Memb");
      expect(byActor.events).toHaveLength(31);
      expect(
        byActor.events.every(
          (event) => event.actorLabel === SEED.memberLogin || event.action === "team_member.invited",
        ),
      ).toBe(true);

      const byTarget = await pageData("q=inst_bulk042");
      expect(byTarget.events.map((event) => event.targetId)).toEqual(["inst_bulk042"]);

      const byDetails = await pageData(`q=${encodeURIComponent("plat-ue2-prod/eks")}`);
      expect(byDetails.events.map((event) => event.action)).toEqual(["lock.created"]);
      expect(byDetails.events[0]!.metadata).toEqual({ key: SEED.lockKey });
    });

    it("a % or _ in the search is a literal character, not a wildcard", async () => {
      const percent = await pageData(`q=${encodeURIComponent("%")}`);
      expect(percent.events).toHaveLength(1);
      expect(percent.events[0]!.metadata).toMatchObject({ note: "rollout 100% done" });

      const percentInside = await pageData(`q=${encodeURIComponent("100% d")}`);
      expect(percentInside.events.map((event) => event.metadata?.note)).toEqual(["rollout 100% done"]);

      // "_" must not match any one character: "lock_released" is not "lock.released".
      const underscore = await pageData(`q=${encodeURIComponent("lock_released")}`);
      expect(underscore.events).toHaveLength(0);
      // … but a real underscore still matches.
      const realUnderscore = await pageData(`q=${encodeURIComponent("team_member")}`);
      expect(realUnderscore.events.map((event) => event.action)).toEqual(["team_member.invited"]);

      const backslash = await pageData(`q=${encodeURIComponent("\\")}`);
      expect(backslash.events).toHaveLength(0);
    });

    it("shows what the plan keeps: an event older than the Free plan's 30 days is not shown there, the Team plan's year shows it", async () => {
      const DAY = 24 * 60 * MINUTE;
      await auditEvent(db(), {
        workspaceId: SEED.workspaceId,
        actor: OWNER,
        action: "lock.created",
        target: { type: "lock", id: "lock_ancient" },
        metadata: { note: "ancient-event" },
        at: new Date(FIXED_NOW.getTime() - 40 * DAY),
      });
      // Acme is on Team (365 days): the event is there, and the page says how long the log keeps.
      expect((await pageData("q=ancient-event")).events.map((event) => event.targetId)).toEqual(["lock_ancient"]);
      expect((await pageHtml("")).html).toContain("The Team plan keeps the last 365 days.");

      await env.DB.prepare("UPDATE workspaces SET plan = 'free' WHERE id = ?").bind(SEED.workspaceId).run();
      expect((await pageData("q=ancient-event")).events).toEqual([]);
      // Newer events still show, and the page says why older ones do not.
      expect((await pageData("q=rollout")).events.length).toBeGreaterThan(0);
      expect((await pageHtml("")).html).toContain("The Free plan keeps the last 30 days.");

      // Enterprise keeps two years.
      await env.DB.prepare("UPDATE workspaces SET plan = 'enterprise' WHERE id = ?").bind(SEED.workspaceId).run();
      expect((await pageData("q=ancient-event")).events).toHaveLength(1);
      expect((await pageHtml("")).html).toContain("The Enterprise plan keeps the last 730 days.");
    });

    it("shows the empty state when nothing matches", async () => {
      const { status, html } = await pageHtml("q=no-such-thing-anywhere");
      expect(status).toBe(200);
      expect(html).toContain("No audit events match these filters.");
      expect(olderLink(html)).toBeNull();
    });

    it("a malformed cursor shows the first page, never a 500", async () => {
      const first = await pageData("");
      for (const bad of ["!!!", "bm90LWEtY3Vyc29y", encodeURIComponent(btoa("1:2:3")), "x".repeat(500), "%E2%98%83"]) {
        const { status } = await pageHtml(`cursor=${bad}`);
        expect(status).toBe(200);
        const data = await pageData(`cursor=${bad}`);
        expect(data.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
      }
    });

    it("bad filter values are ignored, never a 500", async () => {
      const first = await pageData("");
      const data = await pageData(
        `category=${encodeURIComponent("../../etc")}&actor=${encodeURIComponent("<script>")}&q=${"q".repeat(300)}`,
      );
      expect(data.filters).toEqual({ category: null, actor: null, q: "", cursor: null });
      expect(data.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));

      // A good filter next to a bad one is kept.
      const mixed = await pageData(`category=schedule&actor=${encodeURIComponent("'; DROP TABLE audit_events; --")}`);
      expect(mixed.filters.category).toBe("schedule");
      expect(mixed.filters.actor).toBeNull();
      expect(mixed.events).toHaveLength(30);
    });

    it("admins can read it too", async () => {
      await env.DB.prepare("UPDATE memberships SET role = 'admin' WHERE user_id = ? AND workspace_id = ?")
        .bind(SEED.memberId, SEED.workspaceId)
        .run();
      const { status, html } = await pageHtml("", SEED.memberId);
      expect(status).toBe(200);
      expect(html).toContain("Audit log");
    });

    it("a member gets 403 and sees no events", async () => {
      const { status, html } = await pageHtml("", SEED.memberId);
      expect(status).toBe(403);
      expect(html).toContain("You do not have access to this");
      expect(html).toContain("Read the audit log".toLowerCase());
      expect(html).not.toContain("team_member.invited");
      expect(html).not.toContain("inst_bulk");

      const data = await get(`${PATH}?_data=${encodeURIComponent(ROUTE_ID)}`, {
        headers: { Cookie: await sessionCookieFor(SEED.memberId) },
      });
      expect(data.status).toBe(403);
      expect(await data.text()).not.toContain("inst_bulk");
    });

    it("a signed-out visitor is sent to sign in", async () => {
      const response = await get(`${PATH}?category=lock`);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`/login?returnTo=${encodeURIComponent(`${PATH}?category=lock`)}`);
    });

    it("a user of another workspace gets 404 and learns nothing about acme", async () => {
      const { status, html } = await pageHtml("", OTHER.userId);
      expect(status).toBe(404);
      for (const secret of [
        SEED.workspaceId,
        SEED.workspaceName,
        SEED.ownerId,
        SEED.memberId,
        SEED.ownerLogin,
        SEED.memberLogin,
        "Ada Owner",
        "Max Member",
        "acme/infra",
        "aud_",
        "inst_bulk",
      ]) {
        expect(html, secret).not.toContain(secret);
      }
    });

    it("acme's page never shows the other workspace's events or actors", async () => {
      let query = "";
      const pages: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { status, html } = await pageHtml(query);
        expect(status).toBe(200);
        pages.push(html);
        const link = olderLink(html);
        if (!link) break;
        query = new URL(link, "http://localhost").searchParams.toString();
      }
      expect(pages).toHaveLength(3);
      for (const html of pages) {
        for (const text of [
          OTHER.secret,
          OTHER.login,
          OTHER.name,
          "Globex",
          "globex",
          "secretstore",
          otherWorkspace.id,
        ]) {
          expect(html, text).not.toContain(text);
        }
      }
      // Searching or filtering for them finds nothing (the query itself is echoed back, nothing else).
      for (const query of ["q=globex", "category=secretstore", `q=${encodeURIComponent(OTHER.secret)}`]) {
        const { status, html } = await pageHtml(query);
        expect(status).toBe(200);
        expect(html).toContain("No audit events match these filters.");
        for (const text of [OTHER.login, OTHER.name, "Globex", "100% of globex keys", otherWorkspace.id]) {
          expect(html, text).not.toContain(text);
        }
      }
      const searched = await pageData("q=globex");
      expect(searched.events).toHaveLength(0);
    });
  });
});
