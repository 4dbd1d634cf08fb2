/**
 * Dashboard response validation.
 *
 * 1. Fixtures at the edges satisfy every dashboard loader's schemas (200, no panel error): an empty
 *    workspace, 10,000 instances in one repository (with keyset pagination walked for every sort),
 *    nulls in every optional column, unicode and very long names, removed instances and
 *    repositories, expired and released locks.
 * 2. A row that breaks one panel's schema fails exactly that panel (its own error, the rest of the
 *    page renders), and the log line names the field, never the value.
 * 3. The schema-drift guard: each route module's exported schemas accept the loader's real output
 *    for the seeded workspace, and that output with one of its keys missing is refused by our own
 *    boundary — a panel's error for a panel, the payload error (500) for a whole page's payload.
 *
 * Every test starts from an empty database (tests/setup.ts) and an unexpected console.error fails
 * it — so a panel error anywhere in the "satisfies its schemas" tests fails them twice over.
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { beforeEach, describe, expect, it } from "vitest";
import { PANEL_ERROR_MESSAGE, panel } from "~/dashboard/panel.server";
import { newId } from "~/domain/ids";
import { createLogger, type LogLevel } from "~/observability/logger";
import { validate } from "~/validation";
import { payload, PAYLOAD_ERROR_MESSAGE } from "~/validation/payload.server";
import type { Type } from "~/validation/arktype";
import * as auditPayloads from "~/dashboard/payloads/audit.server";
import * as deploymentsPayloads from "~/dashboard/payloads/deployments.server";
import * as driftPayloads from "~/dashboard/payloads/drift.server";
import * as instancePayloads from "~/dashboard/payloads/instance.server";
import * as layoutPayloads from "~/dashboard/payloads/layout.server";
import * as locksPayloads from "~/dashboard/payloads/locks.server";
import * as membersPayloads from "~/dashboard/payloads/members.server";
import * as overviewPayloads from "~/dashboard/payloads/overview.server";
import * as pullRequestsPayloads from "~/dashboard/payloads/pull-requests.server";
import * as repositoriesPayloads from "~/dashboard/payloads/repositories.server";
import * as repositoryPayloads from "~/dashboard/payloads/repository.server";
import * as settingsPayloads from "~/dashboard/payloads/settings.server";
import * as layoutRoute from "~/routes/dashboard.$workspace";
import * as overviewRoute from "~/routes/dashboard.$workspace._index";
import * as auditRoute from "~/routes/dashboard.$workspace.audit";
import * as deploymentsRoute from "~/routes/dashboard.$workspace.deployments";
import * as driftRoute from "~/routes/dashboard.$workspace.drift";
import * as instanceRoute from "~/routes/dashboard.$workspace.instances.$instanceId";
import * as locksRoute from "~/routes/dashboard.$workspace.locks";
import * as membersRoute from "~/routes/dashboard.$workspace.members";
import * as pullRequestsRoute from "~/routes/dashboard.$workspace.pull-requests";
import * as repositoryRoute from "~/routes/dashboard.$workspace.repositories.$owner.$name";
import * as repositoriesRoute from "~/routes/dashboard.$workspace.repositories._index";
import * as settingsRoute from "~/routes/dashboard.$workspace.settings";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { testContext } from "../context";
import { FIXED_NOW, seedDatabase } from "../db";
import { ORIGIN } from "../http";
import { expectErrorLogs, logRecords } from "../logs";
import {
  addUpload,
  BULK_COMPONENTS,
  BULK_STACKS,
  bulkInstances,
  DAY,
  expectedOrder,
  expectHtmlContains,
  expectHtmlLacks,
  expectPageOk,
  firstRow,
  HOUR,
  importRepository,
  insertRows,
  loaderJson,
  newWorkspace,
  page,
  pageHtml,
  PAGES,
  panelErrors,
  run,
  type InstanceRow,
  type PageData,
  type PageKey,
  type PageTarget,
  type Slot,
  type TestWorkspace,
} from "./fixtures";

type Json = Record<string, unknown>;
type Rows = Array<Record<string, unknown>>;
const arr = (value: unknown) => value as Rows;
const obj = (value: unknown) => value as Json;

// ─── The empty workspace ─────────────────────────────────────────────────────────────────────

describe("dashboard response validation: an empty workspace (only its owner)", () => {
  let ws: TestWorkspace;
  beforeEach(async () => {
    ws = await newWorkspace();
  });

  const checks: Partial<Record<PageKey, (panels: Record<string, Json>, data: PageData, html: string) => void>> = {
    overview: (panels, _data, html) => {
      expect(panels.summary).toEqual({
        instancesByStatus: { in_sync: 0, drifted: 0, error: 0, unknown: 0 },
        repositories: 0,
        activeLocks: 0,
        deploymentsInProgress: 0,
      });
      expect(arr(panels.trends!.driftTrend)).toHaveLength(30);
      expect(arr(panels.trends!.deploymentsPerDay).every((day) => day.count === 0)).toBe(true);
      expect(panels.attention).toEqual({ instances: [], failedApplies: [], expiringLocks: [] });
      expect(panels.recent).toEqual({ deployments: [] });
      expect(panels.repositories).toEqual({ repositories: [], total: 0, workspaceId: ws.workspaceId });
      expectHtmlContains(html, "Install the GitHub App");
      expectHtmlContains(html, `gh variable set ATMOS_PRO_WORKSPACE_ID --body &quot;${ws.workspaceId}&quot;`);
      expectHtmlContains(html, "No deployments yet");
    },
    repositories: (panels, _data, html) => {
      expect(panels.list).toEqual({ workspaceId: ws.workspaceId, repositories: [] });
      expectHtmlContains(html, "Install the GitHub App");
      expectHtmlContains(html, `gh variable set ATMOS_PRO_WORKSPACE_ID --body &quot;${ws.workspaceId}&quot;`);
    },
    "pull-requests": (panels, data, html) => {
      expect(panels.uploads).toEqual({ groups: [] });
      expect(data.plan).toBeNull();
      expectHtmlContains(html, "No uploads yet");
    },
    deployments: (panels, _data, html) => {
      expect(panels.list).toEqual({ deployments: [], nextCursor: null });
      expectHtmlContains(html, "No deployments match");
    },
    locks: (panels, _data, html) => {
      expect(panels.list).toEqual({ locks: [] });
      expectHtmlContains(html, "Nothing is locked");
    },
    drift: (panels, _data, html) => {
      expect(panels.schedules).toEqual({ schedules: [] });
      expect(panels.status).toEqual({ repositories: [] });
      expect(panels.runs).toEqual({ runs: [] });
      expectHtmlContains(html, "No drift schedules");
      expectHtmlContains(html, "No repositories yet");
      expectHtmlContains(html, "No drift runs yet");
    },
    members: (_panels, data) => {
      expect(arr(data.members)).toEqual([expect.objectContaining({ userId: ws.userId, role: "owner" })]);
      expect(data.invitations).toEqual([]);
    },
    audit: (_panels, data) => {
      expect(arr(data.events).map((event) => event.action)).toEqual(["workspace.created"]);
      expect(data.nextCursor).toBeNull();
    },
    settings: (_panels, data, html) => {
      expect(obj(data.workspace).id).toBe(ws.workspaceId);
      expectHtmlContains(html, `gh variable set ATMOS_PRO_WORKSPACE_ID --body &quot;${ws.workspaceId}&quot;`);
    },
  };

  it.each(PAGES.filter((p) => p.key !== "repository" && p.key !== "instance").map((p) => p.key))(
    "%s satisfies its schemas and shows its empty state",
    async (key) => {
      const { panels, data, html } = await expectPageOk(key, { slug: ws.slug }, ws.cookie);
      checks[key]!(panels, data, html);
    },
  );

  it("the overview lists the first 10 repositories, counts them all and links to the rest", async () => {
    for (let i = 0; i < 12; i++)
      await importRepository(ws.workspaceId, "many", `repo-${String(i).padStart(2, "0")}`, ws.userId);
    const { panels, html } = await expectPageOk("overview", { slug: ws.slug }, ws.cookie);
    expect(arr(panels.repositories!.repositories).map((repo) => repo.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `repo-${String(i).padStart(2, "0")}`),
    );
    expect(panels.repositories!.total).toBe(12);
    expect(obj(panels.summary).repositories).toBe(12);
    expectHtmlContains(html, `href="/dashboard/${ws.slug}/repositories"`);
    expectHtmlContains(html, "All 12 repositories →");
  });

  it("repository and instance pages of things that do not exist are a clear 404, not a 500", async () => {
    for (const [key, target] of [
      ["repository", { slug: ws.slug, owner: "nobody", name: "nothing" }],
      ["instance", { slug: ws.slug, instanceId: newId("inst") }],
    ] as Array<[PageKey, PageTarget]>) {
      const dashboardPage = page(key);
      const loader = await loaderJson(dashboardPage.path(target), dashboardPage.routeId, ws.cookie);
      expect(loader.status, key).toBe(404);
      expect(String(loader.data.message), key).toMatch(/not imported|no such instance/);
      const document = await pageHtml(dashboardPage.path(target), ws.cookie);
      expect(document.status, key).toBe(404);
    }
  });

  it("an imported repository with no instances yet: an empty table, no next page", async () => {
    await importRepository(ws.workspaceId, "edge", "empty", ws.userId);
    const { panels, html } = await expectPageOk(
      "repository",
      { slug: ws.slug, owner: "edge", name: "empty" },
      ws.cookie,
    );
    expect(panels.table).toEqual({ instances: [], stacks: [], nextCursor: null });
    expectHtmlContains(html, "atmos list instances --upload");
    const overview = await expectPageOk("overview", { slug: ws.slug }, ws.cookie);
    expect(arr(overview.panels.repositories!.repositories)).toHaveLength(1);
  });
});

// ─── 10,000 instances ────────────────────────────────────────────────────────────────────────

type InstancesTable = { instances: Rows; stacks: string[]; nextCursor: string | null };

/** Follows "Next page" from the first page, at most `maxPages` pages. */
async function walkInstances(
  ws: TestWorkspace,
  repository: { owner: string; name: string },
  query: Record<string, string>,
  maxPages: number,
) {
  const dashboardPage = page("repository");
  const pages: InstancesTable[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    if (cursor) params.set("cursor", cursor);
    const search = params.toString();
    const path = `${dashboardPage.path({ slug: ws.slug, ...repository })}${search ? `?${search}` : ""}`;
    const { status, data } = await loaderJson(path, dashboardPage.routeId, ws.cookie);
    expect(status, path).toBe(200);
    const slot = data.table as Slot;
    expect(slot.ok, `${path}: ${JSON.stringify(slot).slice(0, 500)}`).toBe(true);
    const table = (slot as Extract<Slot, { ok: true }>).data as unknown as InstancesTable;
    pages.push(table);
    cursor = table.nextCursor;
  } while (cursor && pages.length < maxPages);
  return { pages, ids: pages.flatMap((p) => p.instances.map((row) => String(row.id))) };
}

describe("dashboard response validation: 10,000 instances in one repository", () => {
  const repository = { owner: "acme", name: "monorepo" };
  let ws: TestWorkspace;
  let rows: InstanceRow[];

  beforeEach(async () => {
    ws = await newWorkspace({ name: "Big Fleet" });
    const repositoryId = await importRepository(ws.workspaceId, repository.owner, repository.name, ws.userId);
    rows = bulkInstances(ws.workspaceId, repositoryId, FIXED_NOW);
    expect(rows).toHaveLength(10_000);
    const statements = await insertRows("instances", rows);
    // 8 columns: 12 rows (96 bound parameters) per statement.
    expect(statements).toBe(Math.ceil(10_000 / 12));
  }, 120_000);

  it("the first page has 50 rows and a next cursor; following cursors (default sort) visits every instance exactly once, in order", async () => {
    const { pages, ids } = await walkInstances(ws, repository, {}, 1_000);
    expect(pages[0]!.instances).toHaveLength(50);
    expect(pages[0]!.nextCursor).toEqual(expect.any(String));
    expect(pages[0]!.stacks).toEqual(BULK_STACKS);
    expect(pages).toHaveLength(200);
    expect(pages.slice(0, -1).every((p) => p.instances.length === 50 && p.nextCursor !== null)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(new Set(ids).size).toBe(10_000);
    expect(ids).toEqual(expectedOrder(rows, "component"));
  }, 240_000);

  it.each(["stack", "status", "last_run"] as const)(
    "sort=%s: the first five pages follow the sort with no row twice",
    async (sort) => {
      const { pages, ids } = await walkInstances(ws, repository, { sort }, 5);
      expect(pages).toHaveLength(5);
      expect(pages.every((p) => p.instances.length === 50 && p.nextCursor !== null)).toBe(true);
      expect(new Set(ids).size).toBe(250);
      expect(ids).toEqual(expectedOrder(rows, sort).slice(0, 250));
    },
    120_000,
  );

  it("filtered (status, stack) and searched pages page through only the rows that match", async () => {
    const drifted = await walkInstances(ws, repository, { status: "drifted", sort: "last_run" }, 5);
    expect(drifted.ids).toEqual(
      expectedOrder(
        rows.filter((row) => row.status === "drifted"),
        "last_run",
      ).slice(0, 250),
    );

    const stack = BULK_STACKS[7]!;
    const byStack = await walkInstances(ws, repository, { stack }, 10);
    expect(byStack.ids).toEqual(
      expectedOrder(
        rows.filter((row) => row.stack === stack),
        "component",
      ),
    );
    expect(byStack.pages).toHaveLength(5);

    const searched = await walkInstances(ws, repository, { q: "comp-12", stack }, 10);
    expect(searched.pages).toHaveLength(1);
    expect(searched.pages[0]!.nextCursor).toBeNull();
    expect(searched.ids).toEqual(
      expectedOrder(
        rows.filter((row) => row.stack === stack && row.component.includes("comp-12")),
        "component",
      ),
    );
    expect(searched.ids).toHaveLength(10);

    // LIKE wildcards in the search are literal: "%" matches nothing here.
    const literal = await walkInstances(ws, repository, { q: "comp_%" }, 2);
    expect(literal.ids).toEqual([]);
  }, 120_000);

  it("every other dashboard page satisfies its schemas with 10,000 instances", async () => {
    const target = { slug: ws.slug, ...repository, instanceId: rows[1234]!.id };
    for (const { key } of PAGES) {
      const { panels, data } = await expectPageOk(key, target, ws.cookie);
      if (key === "overview") {
        const counts = obj(panels.summary!.instancesByStatus);
        expect(Object.values(counts).reduce((sum: number, n) => sum + Number(n), 0)).toBe(10_000);
        expect(arr(panels.attention!.instances)).toHaveLength(10);
      }
      if (key === "repositories") expect(arr(panels.list!.repositories)[0]!.total).toBe(10_000);
      if (key === "drift") expect(arr(panels.status!.repositories)[0]).toMatchObject({ repository: "acme/monorepo" });
      if (key === "instance")
        expect(obj(data.instance)).toMatchObject({ id: rows[1234]!.id, component: rows[1234]!.component });
    }
    expect(BULK_COMPONENTS).toHaveLength(250);
  }, 120_000);
});

// ─── Nulls in every optional field ──────────────────────────────────────────────────────────

describe("dashboard response validation: nulls in every optional field", () => {
  it("every page satisfies its schemas when every nullable column is null", async () => {
    const now = FIXED_NOW;
    // An owner with neither login nor email, and a member the same.
    const ws = await newWorkspace({ login: null, email: null, userName: "Nameless Owner" });
    const memberId = newId("usr");
    await insertRows("users", [
      {
        id: memberId,
        login: null,
        name: "Nameless Member",
        email: null,
        avatar_url: null,
        last_workspace_id: null,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      },
    ]);
    await insertRows("memberships", [
      {
        workspace_id: ws.workspaceId,
        user_id: memberId,
        role: "member",
        created_at: now.getTime(),
        updated_at: now.getTime(),
      },
    ]);
    await insertRows("invitations", [
      {
        id: newId("inv"),
        workspace_id: ws.workspaceId,
        invitee: "someone@example.com",
        role: "member",
        token_hash: "f".repeat(64),
        invited_by: null,
        created_at: now.getTime(),
        expires_at: now.getTime() + 7 * DAY,
        accepted_at: null,
        accepted_by: null,
        revoked_at: null,
      },
    ]);
    const repositoryId = await importRepository(ws.workspaceId, "nulls", "infra", null);
    // An instance that never ran: no command, exit code, run time, settings.pro.
    const instanceId = newId("inst");
    await insertRows("instances", [
      {
        id: instanceId,
        workspace_id: ws.workspaceId,
        repository_id: repositoryId,
        stack: "dev",
        component: "vpc",
        settings_pro: null,
        status: "unknown",
        last_command: null,
        last_exit_code: null,
        last_run_at: null,
        removed_at: null,
      },
    ]);
    // A deployment that never started: no run id, run URL, upload, start or end.
    await insertRows("deployments", [
      {
        id: newId("dep"),
        workspace_id: ws.workspaceId,
        instance_id: instanceId,
        upload_id: null,
        kind: "plan",
        status: "queued",
        workflow: "plan.yaml",
        github_run_id: null,
        github_run_url: null,
        created_at: now.getTime() - HOUR,
        started_at: null,
        completed_at: null,
      },
    ]);
    // A lock without message or properties, expiring within the day (so "Needs attention" lists it).
    await insertRows("locks", [
      {
        id: newId("lock"),
        workspace_id: ws.workspaceId,
        key: "nulls/infra/dev/vpc",
        message: null,
        locked_by: "ci",
        properties: null,
        expires_at: now.getTime() + 2 * HOUR,
        created_at: now.getTime(),
        updated_at: now.getTime(),
        deleted_at: null,
      },
    ]);
    // A schedule never run, with no next run. (A schedule with no repository — "every repository" —
    // has its own test below.)
    await insertRows("drift_schedules", [
      {
        id: newId("drs"),
        workspace_id: ws.workspaceId,
        repository_id: repositoryId,
        name: "Weekly",
        cron: "0 0 * * 0",
        timezone: "UTC",
        enabled: 0,
        last_run_at: null,
        next_run_at: null,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      },
    ]);
    // A system audit event with no actor id, target or metadata.
    await insertRows("audit_events", [
      {
        id: newId("aud"),
        workspace_id: ws.workspaceId,
        actor_type: "system",
        actor_id: null,
        actor_label: "Atmos Pro",
        action: "schedule.ran",
        category: "schedule",
        target_type: null,
        target_id: null,
        metadata: null,
        created_at: now.getTime(),
      },
    ]);
    // An upload of a commit (no pull request, no head ref) whose items have no statuses yet.
    await addUpload({
      workspaceId: ws.workspaceId,
      repositoryId,
      items: [
        { stack: "dev", component: "vpc" },
        { stack: "dev", component: "eks" },
      ],
      edges: [[0, 1]],
    });

    const target = { slug: ws.slug, owner: "nulls", name: "infra", instanceId };
    const seen: Partial<Record<PageKey, { panels: Record<string, Json>; data: PageData; html: string }>> = {};
    for (const { key } of PAGES) seen[key] = await expectPageOk(key, target, ws.cookie);

    const overview = seen.overview!;
    expect(arr(overview.panels.recent!.deployments)).toEqual([
      expect.objectContaining({ githubRunUrl: null, status: "queued" }),
    ]);
    expect(arr(overview.panels.attention!.expiringLocks)).toEqual([
      expect.objectContaining({ key: "nulls/infra/dev/vpc" }),
    ]);

    const table = seen.repository!.panels.table!;
    expect(arr(table.instances)).toEqual([
      expect.objectContaining({
        id: instanceId,
        lastCommand: null,
        lastRunAt: null,
        lock: expect.objectContaining({ lockedBy: "ci" }),
      }),
    ]);

    const instance = seen.instance!;
    expect(instance.data.instance).toMatchObject({
      lastCommand: null,
      lastExitCode: null,
      lastRunAt: null,
      removed: false,
    });
    expect(instance.panels.history).toEqual({ history: [] });
    expect(instance.panels.workflows).toEqual({ workflows: [] });
    expect(arr(instance.panels.deployments!.deployments)).toEqual([expect.objectContaining({ githubRunUrl: null })]);
    expect(obj(instance.panels.lock!.lock)).toMatchObject({ message: null, lockedBy: "ci" });

    expect(arr(seen.deployments!.panels.list!.deployments)).toEqual([
      expect.objectContaining({ githubRunUrl: null, completedAt: null }),
    ]);
    expectHtmlContains(seen.deployments!.html, "not started");
    expect(arr(seen.locks!.panels.list!.locks)).toEqual([expect.objectContaining({ message: null })]);
    expect(arr(seen.drift!.panels.schedules!.schedules)).toEqual([
      expect.objectContaining({ enabled: false, lastRunAt: null, nextRunAt: null }),
    ]);

    const groups = arr(seen["pull-requests"]!.panels.uploads!.groups);
    expect(groups).toEqual([expect.objectContaining({ label: "commit 0123456", repository: "nulls/infra" })]);
    const plan = seen["pull-requests"]!.data.plan as Extract<Slot, { ok: true }>;
    expect(plan.data.waves).toEqual([
      [{ stack: "dev", component: "vpc", deleted: false, planStatus: null, applyStatus: null }],
      [{ stack: "dev", component: "eks", deleted: false, planStatus: null, applyStatus: null }],
    ]);

    expect(arr(seen.members!.data.members).map((m) => [m.login, m.email])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(arr(seen.members!.data.invitations)).toEqual([expect.objectContaining({ invitedBy: null })]);
    expect(arr(seen.audit!.data.events)).toContainEqual(
      expect.objectContaining({ actorId: null, targetType: null, targetId: null, metadata: null }),
    );

    // The layout (user menu) with a user who has neither login nor email.
    const layout = await loaderJson(`/dashboard/${ws.slug}`, "routes/dashboard.$workspace", ws.cookie);
    expect(layout.status).toBe(200);
    expect(layout.data.user).toEqual({ name: "Nameless Owner", login: null, email: null });
  }, 60_000);

  /**
   * Regression: loadDrift selects drift_schedules.name and repositories.name in one db.batch()
   * statement; D1 batch rows are objects keyed by column name, so without an alias the two "name"
   * columns collapsed into one and the values after it shifted (scope "acme/undefined", a null name).
   */
  it("drift schedules keep their own name and scope, including a schedule for every repository", async () => {
    expectErrorLogs();
    await seedDatabase();
    const now = FIXED_NOW.getTime();
    await insertRows("drift_schedules", [
      {
        id: newId("drs"),
        workspace_id: SEED.workspaceId,
        repository_id: null,
        name: "Weekly, everywhere",
        cron: "0 0 * * 0",
        timezone: "UTC",
        enabled: 1,
        last_run_at: null,
        next_run_at: null,
        created_at: now,
        updated_at: now,
      },
    ]);
    const { panels } = await expectPageOk("drift", { slug: SEED.workspaceSlug }, await sessionCookieFor(SEED.ownerId));
    expect(arr(panels.schedules!.schedules).map((schedule) => [schedule.name, schedule.scope])).toEqual([
      ["Nightly drift detection", "acme/infra"],
      ["Weekly, everywhere", "All repositories"],
    ]);
  });
});

// ─── Unicode and very long names ─────────────────────────────────────────────────────────────

describe("dashboard response validation: unicode and very long names", () => {
  // GitHub's limits: an owner of at most 39 characters, a repository name of at most 100.
  const OWNER = `a${"-b".repeat(19)}`;
  const NAME = `r${"e.p_o-".repeat(16)}xyz`;
  const COMPONENT = `服务/🚀${"x".repeat(300)}`;
  const STACKS = ["prod-🚀-ue2", "dev-🌍-éu"];

  it("names are at the limits we mean to test", () => {
    expect(OWNER).toHaveLength(39);
    expect(NAME).toHaveLength(100);
    expect(COMPONENT.length).toBeGreaterThan(300);
  });

  it("every page satisfies its schemas and shows the names intact; cursors survive unicode", async () => {
    const now = FIXED_NOW;
    const ws = await newWorkspace({ name: "Ünïcødé 🚀 Wörkspace", userName: "Zoë 山田 🚀" });
    const repositoryId = await importRepository(ws.workspaceId, OWNER, NAME, ws.userId);
    // 2 stacks × 30 components: the 50-row page boundary falls inside the unicode names.
    const rows: InstanceRow[] = STACKS.flatMap((stack, s) =>
      Array.from({ length: 30 }, (_, i) => ({
        id: newId("inst"),
        workspace_id: ws.workspaceId,
        repository_id: repositoryId,
        stack,
        component: `${COMPONENT}-${String(i).padStart(2, "0")}`,
        status: (["error", "drifted", "in_sync", "unknown"] as const)[(i + s) % 4]!,
        last_command: i % 4 === 3 ? null : "plan",
        last_run_at: i % 4 === 3 ? null : now.getTime() - (i % 5) * HOUR,
      })),
    );
    await insertRows("instances", rows);
    const first = rows[0]!;
    const key = `${OWNER}/${NAME}/${first.stack}/${first.component}`;
    await insertRows("instance_results", [
      {
        id: newId("res"),
        workspace_id: ws.workspaceId,
        instance_id: first.id,
        command: "plan",
        exit_code: 2,
        status: "error",
        ran_at: now.getTime() - HOUR,
      },
    ]);
    await insertRows("deployments", [
      {
        id: newId("dep"),
        workspace_id: ws.workspaceId,
        instance_id: first.id,
        kind: "apply",
        status: "failure",
        workflow: "déploiement-🚀.yaml",
        github_run_url: `https://github.com/${OWNER}/${NAME}/actions/runs/1`,
        created_at: now.getTime() - HOUR,
        started_at: now.getTime() - HOUR,
        completed_at: now.getTime() - HOUR / 2,
      },
    ]);
    await insertRows("locks", [
      {
        id: newId("lock"),
        workspace_id: ws.workspaceId,
        key,
        message: "Ne pas déployer 🚧 — 工事中",
        locked_by: "zoë",
        expires_at: now.getTime() + 3 * HOUR,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      },
    ]);
    await insertRows("drift_schedules", [
      {
        id: newId("drs"),
        workspace_id: ws.workspaceId,
        repository_id: repositoryId,
        name: "Nächtlich 🌙",
        cron: "0 3 * * *",
        timezone: "Asia/Tokyo",
        enabled: 1,
        next_run_at: now.getTime() + HOUR,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      },
    ]);
    await addUpload({
      workspaceId: ws.workspaceId,
      repositoryId,
      pullRequest: 7,
      headRef: "feature/ünïcødé-🚀",
      items: [{ stack: first.stack, component: first.component, planStatus: "success" }],
    });

    const target = { slug: ws.slug, owner: OWNER, name: NAME, instanceId: first.id };
    for (const { key: pageKey } of PAGES) {
      const { html } = await expectPageOk(pageKey, target, ws.cookie);
      if (["overview", "repository", "instance", "deployments", "pull-requests"].includes(pageKey))
        expectHtmlContains(html, COMPONENT, pageKey);
      if (["overview", "repositories", "repository", "drift", "instance"].includes(pageKey))
        expectHtmlContains(html, `${OWNER}/${NAME}`, pageKey);
    }
    const locks = await expectPageOk("locks", target, ws.cookie);
    expect(arr(locks.panels.list!.locks)).toEqual([
      expect.objectContaining({ key, message: "Ne pas déployer 🚧 — 工事中" }),
    ]);
    const instance = await expectPageOk("instance", target, ws.cookie);
    expect(obj(instance.panels.lock!)).toMatchObject({ key, lock: { lockedBy: "zoë" } });

    // The lock shows on its row of the instances table (its key is built from the unicode names).
    const table = await walkInstances(ws, { owner: OWNER, name: NAME }, {}, 1);
    expect(table.pages[0]!.instances.find((row) => row.id === first.id)?.lock).toMatchObject({ lockedBy: "zoë" });
    expect(table.pages[0]!.stacks).toEqual([...STACKS].sort());

    // Every sort pages across unicode sort values: each instance once, in the promised order.
    for (const sort of ["component", "stack", "status", "last_run"] as const) {
      const walked = await walkInstances(ws, { owner: OWNER, name: NAME }, { sort }, 10);
      expect(
        walked.pages.map((p) => p.instances.length),
        sort,
      ).toEqual([50, 10]);
      expect(walked.ids, sort).toEqual(expectedOrder(rows, sort));
    }
    // A search for a unicode fragment.
    const searched = await walkInstances(ws, { owner: OWNER, name: NAME }, { q: "服务/🚀", stack: STACKS[1]! }, 10);
    expect(searched.ids).toEqual(
      expectedOrder(
        rows.filter((row) => row.stack === STACKS[1]),
        "component",
      ),
    );
  }, 60_000);

  /**
   * Regression: the cursor used to carry the last row's sort values, so a component name of ~1,540+
   * characters at a page boundary made a cursor the route refuses (> 2048) and "Next page" showed the
   * first page again, forever. The API accepts component names of any length; the cursor now names
   * the last row by id.
   */
  it("a very long component name at a page boundary still leads to the next page", async () => {
    const ws = await newWorkspace();
    const repositoryId = await importRepository(ws.workspaceId, "acme", "long", ws.userId);
    const rows: InstanceRow[] = Array.from({ length: 60 }, (_, i) => ({
      id: newId("inst"),
      workspace_id: ws.workspaceId,
      repository_id: repositoryId,
      stack: "prod",
      component: `${"x".repeat(1_600)}-${String(i).padStart(2, "0")}`,
      status: "unknown",
      last_command: null,
      last_run_at: null,
    }));
    await insertRows("instances", rows);
    const walked = await walkInstances(ws, { owner: "acme", name: "long" }, {}, 3);
    expect(walked.ids).toEqual(expectedOrder(rows, "component"));
  });
});

// ─── Removed instances and repositories ──────────────────────────────────────────────────────

describe("dashboard response validation: removed instances and repositories", () => {
  async function world() {
    const now = FIXED_NOW;
    const ws = await newWorkspace();
    const kept = await importRepository(ws.workspaceId, "acme", "kept", ws.userId);
    const gone = await importRepository(ws.workspaceId, "acme", "gone", ws.userId);
    const instance = (
      repositoryId: string,
      component: string,
      status: InstanceRow["status"],
      removedAt: number | null = null,
    ) => ({
      id: newId("inst"),
      workspace_id: ws.workspaceId,
      repository_id: repositoryId,
      stack: "prod",
      component,
      status,
      last_command: "plan",
      last_run_at: now.getTime() - HOUR,
      removed_at: removedAt,
    });
    const live = [instance(kept, "vpc", "in_sync"), instance(kept, "eks", "error")];
    const removed = instance(kept, "old-queue", "drifted", now.getTime() - DAY);
    const ofGone = [instance(gone, "gone-db", "error"), instance(gone, "gone-cache", "drifted")];
    await insertRows("instances", [...live, removed, ...ofGone]);
    // The repository is removed from the workspace; its instance rows stay behind.
    await run("DELETE FROM workspace_repositories WHERE workspace_id = ? AND repository_id = ?", ws.workspaceId, gone);
    return { ws, live, removed, ofGone };
  }

  it("a removed instance and the instances of a removed repository do not appear; pages satisfy their schemas", async () => {
    const { ws, live, removed } = await world();
    const target = { slug: ws.slug, owner: "acme", name: "kept", instanceId: removed.id };

    const repository = await expectPageOk("repository", target, ws.cookie);
    expect(
      arr(repository.panels.table!.instances)
        .map((row) => row.id)
        .sort(),
    ).toEqual(live.map((row) => row.id).sort());

    const repositories = await expectPageOk("repositories", target, ws.cookie);
    expect(arr(repositories.panels.list!.repositories)).toEqual([
      expect.objectContaining({
        owner: "acme",
        name: "kept",
        total: 2,
        byStatus: { in_sync: 1, drifted: 0, error: 1, unknown: 0 },
      }),
    ]);

    const overview = await expectPageOk("overview", target, ws.cookie);
    expect(arr(overview.panels.repositories!.repositories).map((repo) => repo.name)).toEqual(["kept"]);
    expect(overview.panels.summary!.repositories).toBe(1);

    const drift = await expectPageOk("drift", target, ws.cookie);
    expect(drift.panels.status).toEqual({
      repositories: [
        {
          id: expect.any(String),
          repository: "acme/kept",
          in_sync: 1,
          drifted: 0,
          error: 1,
          unknown: 0,
          driftEnabled: 0,
        },
      ],
    });

    // The removed instance's own page still answers, and says it is no longer in the inventory.
    const instance = await expectPageOk("instance", target, ws.cookie);
    expect(obj(instance.data.instance).removed).toBe(true);
    expectHtmlContains(instance.html, "no longer in the inventory");

    // The removed repository's page is gone.
    const gonePage = page("repository");
    const goneResponse = await loaderJson(
      gonePage.path({ slug: ws.slug, owner: "acme", name: "gone" }),
      gonePage.routeId,
      ws.cookie,
    );
    expect(goneResponse.status).toBe(404);

    for (const key of ["pull-requests", "deployments", "locks", "members", "audit", "settings"] as const)
      await expectPageOk(key, target, ws.cookie);
  });

  /**
   * Regression: the overview counted instances and listed "Needs attention" by workspace only, so
   * the instances of a repository removed from the workspace were still counted and listed.
   */
  it("the overview leaves out the instances of a repository removed from the workspace", async () => {
    const { ws, live } = await world();
    const overview = await expectPageOk("overview", { slug: ws.slug }, ws.cookie);
    expect(overview.panels.summary!.instancesByStatus).toEqual({ in_sync: 1, drifted: 0, error: 1, unknown: 0 });
    expect(arr(overview.panels.attention!.instances).map((row) => row.id)).toEqual([live[1]!.id]);
  });
});

// ─── Expired and released locks ──────────────────────────────────────────────────────────────

describe("dashboard response validation: expired locks", () => {
  it("expired and released locks are not shown as active anywhere", async () => {
    const now = FIXED_NOW.getTime();
    const ws = await newWorkspace();
    const repositoryId = await importRepository(ws.workspaceId, "acme", "infra", ws.userId);
    const [active, expired, released] = ["active", "expired", "released"].map((component) => ({
      id: newId("inst"),
      workspace_id: ws.workspaceId,
      repository_id: repositoryId,
      stack: "prod",
      component,
      status: "in_sync" as const,
      last_command: "apply",
      last_run_at: now - HOUR,
    }));
    await insertRows("instances", [active!, expired!, released!]);
    const lock = (component: string, expiresAt: number, deletedAt: number | null) => ({
      id: newId("lock"),
      workspace_id: ws.workspaceId,
      key: `acme/infra/prod/${component}`,
      message: `${component} lock`,
      locked_by: "ops",
      expires_at: expiresAt,
      created_at: now - 2 * HOUR,
      updated_at: now - 2 * HOUR,
      deleted_at: deletedAt,
    });
    await insertRows("locks", [
      lock("active", now + 3 * HOUR, null),
      lock("expired", now - 60_000, null),
      lock("released", now + 3 * HOUR, now - 60_000),
    ]);

    const target = { slug: ws.slug, owner: "acme", name: "infra" };
    const locks = await expectPageOk("locks", target, ws.cookie);
    expect(arr(locks.panels.list!.locks).map((row) => row.key)).toEqual(["acme/infra/prod/active"]);
    expectHtmlLacks(locks.html, "expired lock");

    const overview = await expectPageOk("overview", target, ws.cookie);
    expect(overview.panels.summary!.activeLocks).toBe(1);
    expect(arr(overview.panels.attention!.expiringLocks).map((row) => row.key)).toEqual(["acme/infra/prod/active"]);

    const repository = await expectPageOk("repository", target, ws.cookie);
    const lockOf = Object.fromEntries(arr(repository.panels.table!.instances).map((row) => [row.component, row.lock]));
    expect(lockOf).toEqual({ active: expect.objectContaining({ lockedBy: "ops" }), expired: null, released: null });

    for (const [instance, locked] of [
      [active!, true],
      [expired!, false],
      [released!, false],
    ] as const) {
      const page = await expectPageOk("instance", { ...target, instanceId: instance.id }, ws.cookie);
      if (locked) expect(obj(page.panels.lock!.lock)).toMatchObject({ lockedBy: "ops" });
      else expect(page.panels.lock!.lock, instance.component).toBeNull();
    }
  });
});

// ─── A row that breaks one panel's schema ────────────────────────────────────────────────────

type SeededWorld = { target: PageTarget & { slug: string } };

async function seededWorld(): Promise<SeededWorld> {
  await seedDatabase();
  const instance = await firstRow<{ id: string }>(
    "SELECT id FROM instances WHERE component = 'eks/cluster' AND stack = 'plat-ue2-prod'",
  );
  return { target: { slug: SEED.workspaceSlug, owner: "acme", name: "infra", instanceId: instance.id } };
}

type Corruption = {
  /** The `panel` name the log line carries. */
  panel: string;
  page: PageKey;
  /** The payload key of the slot that must fail. */
  slot: string;
  /** The field path the log line must name. */
  field: string;
  /** Breaks one row; returns the page target if it differs from the seeded instance's. */
  corrupt: (world: SeededWorld, secret: string) => Promise<Partial<PageTarget> | void>;
  /** Text the other panels of the page render (they are still there). */
  alsoShows: string[];
};

const instanceWithDeployments = () =>
  firstRow<{ id: string }>(
    "SELECT instance_id AS id FROM deployments d WHERE github_run_url IS NOT NULL AND EXISTS (SELECT 1 FROM instance_results r WHERE r.instance_id = d.instance_id) ORDER BY created_at DESC LIMIT 1",
  );

const CORRUPTIONS: Corruption[] = [
  {
    panel: "overview.recent",
    page: "overview",
    slot: "recent",
    field: "deployments.0.status",
    corrupt: (_, secret) =>
      run(
        "UPDATE deployments SET status = ? WHERE id = (SELECT id FROM deployments ORDER BY created_at DESC LIMIT 1)",
        secret,
      ),
    alsoShows: ['data-testid="count-in_sync"', '/repositories/acme/infra"', "Errored and drifted"],
  },
  {
    panel: "overview.attention",
    page: "overview",
    slot: "attention",
    field: "expiringLocks.0.lockedBy",
    // A lock expiring within the day, whose locked_by an old writer left as a BLOB.
    corrupt: (_, secret) =>
      run("UPDATE locks SET expires_at = ?, locked_by = CAST(? AS BLOB)", FIXED_NOW.getTime() + 2 * HOUR, secret),
    alsoShows: ['data-testid="count-in_sync"', '/repositories/acme/infra"', "View run"],
  },
  {
    panel: "overview.repositories",
    page: "overview",
    slot: "repositories",
    field: "repositories.0.host",
    corrupt: (_, secret) => run("UPDATE repositories SET host = CAST(? AS BLOB)", secret),
    alsoShows: ['data-testid="count-in_sync"', "View run", "Errored and drifted"],
  },
  {
    panel: "repositories.list",
    page: "repositories",
    slot: "list",
    field: "repositories.0.host",
    corrupt: (_, secret) => run("UPDATE repositories SET host = CAST(? AS BLOB)", secret),
    alsoShows: ["<h1"],
  },
  {
    panel: "repository.instances",
    page: "repository",
    slot: "table",
    field: "instances.0.status",
    corrupt: (_, secret) =>
      run(
        "UPDATE instances SET status = ? WHERE id = (SELECT id FROM instances ORDER BY component, stack LIMIT 1)",
        secret,
      ),
    alsoShows: ['name="q"', "Sort by"],
  },
  {
    panel: "instance.history",
    page: "instance",
    slot: "history",
    field: "history.0.command",
    corrupt: async (_, secret) => {
      const instance = await instanceWithDeployments();
      await run(
        "UPDATE instance_results SET command = ? WHERE id = (SELECT id FROM instance_results WHERE instance_id = ? ORDER BY ran_at DESC LIMIT 1)",
        secret,
        instance.id,
      );
      return { instanceId: instance.id };
    },
    alsoShows: ["{{ .atmos_component }}", "View run", "Why is it locked?"],
  },
  {
    panel: "instance.deployments",
    page: "instance",
    slot: "deployments",
    field: "deployments.0.kind",
    corrupt: async (_, secret) => {
      const instance = await instanceWithDeployments();
      await run(
        "UPDATE deployments SET kind = ? WHERE id = (SELECT id FROM deployments WHERE instance_id = ? ORDER BY created_at DESC LIMIT 1)",
        secret,
        instance.id,
      );
      return { instanceId: instance.id };
    },
    alsoShows: ["{{ .atmos_component }}", "Exit code", "Why is it locked?"],
  },
  {
    panel: "instance.lock",
    page: "instance",
    slot: "lock",
    field: "lock.message",
    corrupt: (_, secret) => run("UPDATE locks SET message = CAST(? AS BLOB)", secret),
    alsoShows: ["{{ .atmos_component }}", "Exit code", "No deployments yet"],
  },
  {
    panel: "pull-requests.list",
    page: "pull-requests",
    slot: "uploads",
    field: "groups.0.uploads.0.status",
    corrupt: async (_, secret) => {
      const { uploadId } = await addUpload({
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        pullRequest: 42,
        headRef: "feature/x",
        items: [{ stack: "plat-ue2-dev", component: "vpc", planStatus: "success" }],
      });
      await run("UPDATE affected_stacks_uploads SET status = ? WHERE id = ?", secret, uploadId);
    },
    alsoShows: ["applied in order"],
  },
  {
    panel: "pull-requests.plan",
    page: "pull-requests",
    slot: "plan",
    field: "waves.0.0.planStatus",
    corrupt: async (_, secret) => {
      const { itemIds } = await addUpload({
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        pullRequest: 42,
        headRef: "feature/x",
        items: [{ stack: "plat-ue2-dev", component: "vpc", planStatus: "success" }],
      });
      await run("UPDATE affected_stack_items SET plan_status = ? WHERE id = ?", secret, itemIds[0]!);
    },
    alsoShows: [">0123456</a>"],
  },
  {
    panel: "deployments.list",
    page: "deployments",
    slot: "list",
    field: "deployments.0.status",
    corrupt: (_, secret) =>
      run(
        "UPDATE deployments SET status = ? WHERE id = (SELECT id FROM deployments ORDER BY created_at DESC, id DESC LIMIT 1)",
        secret,
      ),
    alsoShows: ['name="kind"'],
  },
  {
    panel: "pull-requests.pull-requests",
    page: "pull-requests",
    slot: "pullRequests",
    // An older pull request: the page chooses the newest, so only the list shows this one.
    field: "pullRequests.1.state",
    corrupt: async (_, secret) => {
      await addPullRequestBatch();
      await run(
        `INSERT INTO pull_requests (id, repository_id, number, title, author, state, head_sha, head_ref, base_ref,
           html_url, github_updated_at, created_at, updated_at)
         SELECT 'pr_older', repository_id, 102, title, author, ?, head_sha, head_ref, base_ref, html_url,
           github_updated_at - 1000, created_at, updated_at FROM pull_requests`,
        secret,
      );
    },
    alsoShows: ["Deployments of the pull request"],
  },
  {
    panel: "pull-requests.batches",
    page: "pull-requests",
    slot: "batches",
    field: "batches.0.error",
    corrupt: async (_, secret) => {
      await addPullRequestBatch();
      await run("UPDATE deployment_batches SET error = CAST(? AS BLOB)", secret);
    },
    alsoShows: ["Upgrade EKS"],
  },
  {
    panel: "locks.list",
    page: "locks",
    slot: "list",
    field: "locks.0.message",
    corrupt: (_, secret) => run("UPDATE locks SET message = CAST(? AS BLOB)", secret),
    alsoShows: ["Lock a stack component"],
  },
  {
    panel: "drift.schedules",
    page: "drift",
    slot: "schedules",
    field: "schedules.0.cron",
    corrupt: (_, secret) => run("UPDATE drift_schedules SET cron = CAST(? AS BLOB)", secret),
    alsoShows: ["Drift detection on"],
  },
];

describe("dashboard response validation: a row that breaks one panel's schema", () => {
  it("covers every panel a row can break, on every page with panels", () => {
    const pagesWithPanels = PAGES.filter((p) => p.panels.length > 0).map((p) => p.key);
    expect(new Set(CORRUPTIONS.map((c) => c.page))).toEqual(new Set(pagesWithPanels));
  });

  it.each(CORRUPTIONS.map((c) => [c.panel, c.field, c] as const))(
    "%s: a bad %s fails that panel only, and the log names the field, not the value",
    async (_name, _field, corruption) => {
      expectErrorLogs();
      const world = await seededWorld();
      const secret = `secret-value-${corruption.panel}-4f9a`;
      const extra = await corruption.corrupt(world, secret);
      const target = { ...world.target, ...(extra ?? {}) };
      const dashboardPage = page(corruption.page);
      const path = dashboardPage.path(target);

      // The page renders (200) with exactly one panel error: this panel's.
      const document = await pageHtml(path, await sessionCookieFor(SEED.ownerId));
      expect(document.status, document.html.slice(0, 1500)).toBe(200);
      expect(panelErrors(document.html)).toBe(1);
      expectHtmlContains(document.html, PANEL_ERROR_MESSAGE.replace("'", "&#x27;"));
      expectHtmlContains(document.html, `Request id: <code>${document.requestId}</code>`);
      for (const text of corruption.alsoShows) expectHtmlContains(document.html, text, "the rest of the page");

      const records = logRecords().filter((record) => record.event === "panel_payload_invalid");
      expect(records).toEqual([
        expect.objectContaining({
          panel: corruption.panel,
          fields: [corruption.field],
          crashed: false,
          requestId: document.requestId,
        }),
      ]);
      expect(JSON.stringify(logRecords())).not.toContain(secret);

      // In the loader's payload: that slot is an error, every other slot has its data.
      const loader = await loaderJson(path, dashboardPage.routeId, await sessionCookieFor(SEED.ownerId));
      expect(loader.status).toBe(200);
      for (const declared of dashboardPage.panels) {
        const key = declared.replace(/\?$/, "");
        const slot = loader.data[key] as Slot;
        // The failed slot carries the message and request id, nothing of the data.
        if (key === corruption.slot)
          expect(slot).toEqual({ ok: false, error: { message: PANEL_ERROR_MESSAGE, requestId: loader.requestId } });
        else expect(slot?.ok, `${key} still renders`).toBe(true);
      }
    },
  );
});

/**
 * A value the data layer must convert before `panel()` sees it — a JSON column that is not JSON, a
 * timestamp that is not a number — fails that one panel, never the whole page.
 */
describe("dashboard response validation: rows the data layer cannot convert", () => {
  it("an instance whose settings_pro is not JSON fails only its Workflows panel", async () => {
    expectErrorLogs();
    const world = await seededWorld();
    await run("UPDATE instances SET settings_pro = '{not json' WHERE id = ?", world.target.instanceId!);
    const document = await pageHtml(page("instance").path(world.target), await sessionCookieFor(SEED.ownerId));
    expect(document.status).toBe(200);
    expect(panelErrors(document.html)).toBe(1);
  });

  it("an instance whose last_run_at is not a number fails only the Needs attention panel", async () => {
    expectErrorLogs();
    const world = await seededWorld();
    await run(
      "UPDATE instances SET last_run_at = 'yesterday' WHERE id = (SELECT id FROM instances WHERE status = 'error' LIMIT 1)",
    );
    const document = await pageHtml(page("overview").path(world.target), await sessionCookieFor(SEED.ownerId));
    expect(document.status).toBe(200);
    expect(panelErrors(document.html)).toBe(1);
  });
});

// ─── The schema-drift guard ──────────────────────────────────────────────────────────────────

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyType = Type<any, any>;
type RouteModule = { loader: (args: LoaderFunctionArgs) => Promise<Response> } & Record<string, unknown>;

function isSchema(value: unknown): value is AnyType {
  return (
    typeof value === "function" &&
    typeof (value as { and?: unknown }).and === "function" &&
    typeof (value as { allows?: unknown }).allows === "function" &&
    "expression" in value
  );
}

/** Every arktype schema a route module exports, by export name. */
function exportedSchemas(module: Record<string, unknown>): Record<string, AnyType> {
  return Object.fromEntries(Object.entries(module).filter(([, value]) => isSchema(value))) as Record<string, AnyType>;
}

type GuardedRoute = {
  file: string;
  module: RouteModule;
  /** The page's payload module (app/dashboard/payloads/*.server.ts): its schemas. */
  payloads: Record<string, unknown>;
  /** Exported schemas of the query string, not of the output. */
  queries?: string[];
  path: (target: PageTarget & { slug: string }) => string;
  params: (target: PageTarget & { slug: string }) => Record<string, string>;
  /** Export name → where its value is in the loader's output: "" the whole payload, else the slot key. */
  schemas: Record<string, string>;
};

const GUARDED: GuardedRoute[] = [
  {
    file: "dashboard.$workspace.tsx",
    module: layoutRoute as unknown as RouteModule,
    payloads: layoutPayloads,
    path: (t) => `/dashboard/${t.slug}`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { dashboardLayoutPayload: "" },
  },
  {
    file: "dashboard.$workspace._index.tsx",
    module: overviewRoute as unknown as RouteModule,
    payloads: overviewPayloads,
    path: (t) => `/dashboard/${t.slug}`,
    params: (t) => ({ workspace: t.slug }),
    schemas: {
      overviewPayload: "",
      summaryPanel: "summary",
      trendsPanel: "trends",
      attentionPanel: "attention",
      recentPanel: "recent",
      repositoriesPanel: "repositories",
    },
  },
  {
    file: "dashboard.$workspace.repositories._index.tsx",
    module: repositoriesRoute as unknown as RouteModule,
    payloads: repositoriesPayloads,
    queries: ["repositoriesQuery"],
    path: (t) => `/dashboard/${t.slug}/repositories`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { repositoriesPayload: "", repositoriesPanel: "list", githubAppPanel: "github" },
  },
  {
    file: "dashboard.$workspace.repositories.$owner.$name.tsx",
    module: repositoryRoute as unknown as RouteModule,
    payloads: repositoryPayloads,
    queries: ["instanceFilters"],
    path: (t) => `/dashboard/${t.slug}/repositories/${t.owner}/${t.name}`,
    params: (t) => ({ workspace: t.slug, owner: t.owner!, name: t.name! }),
    schemas: { repositoryPayload: "", instancesPanel: "table", permissionsPanel: "permissions" },
  },
  {
    file: "dashboard.$workspace.instances.$instanceId.tsx",
    module: instanceRoute as unknown as RouteModule,
    payloads: instancePayloads,
    path: (t) => `/dashboard/${t.slug}/instances/${t.instanceId}`,
    params: (t) => ({ workspace: t.slug, instanceId: t.instanceId! }),
    schemas: {
      instancePayload: "",
      historyPanel: "history",
      deploymentsPanel: "deployments",
      workflowsPanel: "workflows",
      lockPanel: "lock",
    },
  },
  {
    file: "dashboard.$workspace.pull-requests.tsx",
    module: pullRequestsRoute as unknown as RouteModule,
    payloads: pullRequestsPayloads,
    path: (t) => `/dashboard/${t.slug}/pull-requests`,
    params: (t) => ({ workspace: t.slug }),
    queries: ["pullRequestsQuery"],
    schemas: {
      pullRequestsPayload: "",
      uploadsPanel: "uploads",
      planPanel: "plan",
      pullRequestListPanel: "pullRequests",
      batchesPanel: "batches",
    },
  },
  {
    file: "dashboard.$workspace.deployments.tsx",
    module: deploymentsRoute as unknown as RouteModule,
    payloads: deploymentsPayloads,
    queries: ["deploymentFilters"],
    path: (t) => `/dashboard/${t.slug}/deployments`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { deploymentsPayload: "", deploymentsPanel: "list" },
  },
  {
    file: "dashboard.$workspace.locks.tsx",
    module: locksRoute as unknown as RouteModule,
    payloads: locksPayloads,
    path: (t) => `/dashboard/${t.slug}/locks`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { locksPayload: "", locksPanel: "list" },
  },
  {
    file: "dashboard.$workspace.drift.tsx",
    module: driftRoute as unknown as RouteModule,
    payloads: driftPayloads,
    path: (t) => `/dashboard/${t.slug}/drift`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { driftPayload: "", schedulesPanel: "schedules", driftStatusPanel: "status", driftRunsPanel: "runs" },
  },
  {
    file: "dashboard.$workspace.members.tsx",
    module: membersRoute as unknown as RouteModule,
    payloads: membersPayloads,
    path: (t) => `/dashboard/${t.slug}/members`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { membersPayload: "" },
  },
  {
    file: "dashboard.$workspace.audit.tsx",
    module: auditRoute as unknown as RouteModule,
    payloads: auditPayloads,
    queries: ["auditLogQuery"],
    path: (t) => `/dashboard/${t.slug}/audit`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { auditLogPayload: "" },
  },
  {
    file: "dashboard.$workspace.settings.tsx",
    module: settingsRoute as unknown as RouteModule,
    payloads: settingsPayloads,
    path: (t) => `/dashboard/${t.slug}/settings`,
    params: (t) => ({ workspace: t.slug }),
    schemas: { settingsPayload: "" },
  },
];

/**
 * The seed plus what it lacks for every schema to see real elements: an upload with a dependency
 * (the plan panel), a lock expiring within the day, a deployment and lock on the same instance, a
 * pending invitation, a schedule for every repository.
 */
/** Pull request #101 of acme/infra as GitHub told us, and a running plan batch of an upload (a new one by default). */
async function addPullRequestBatch(uploadId?: string): Promise<string> {
  const now = FIXED_NOW.getTime();
  const upload =
    uploadId ??
    (await addUpload({ workspaceId: SEED.workspaceId, repositoryId: SEED.repositoryId, items: [] })).uploadId;
  const head = "e".repeat(40);
  await insertRows("pull_requests", [
    {
      id: newId("pr"),
      repository_id: SEED.repositoryId,
      number: 101,
      title: "Upgrade EKS",
      author: "octocat",
      state: "open",
      head_sha: head,
      head_ref: "feature/eks-upgrade",
      base_ref: "main",
      html_url: "https://github.com/acme/infra/pull/101",
      github_updated_at: now - HOUR,
      created_at: now - HOUR,
      updated_at: now - HOUR,
    },
  ]);
  const triggerId = newId("trg");
  await insertRows("deployment_triggers", [
    {
      id: triggerId,
      repository_id: SEED.repositoryId,
      delivery_id: "rich-seed-delivery",
      event: "pull_request",
      activity: "opened",
      head_sha: head,
      ref: "feature/eks-upgrade",
      pull_request_number: 101,
      received_at: now - HOUR,
    },
  ]);
  const batchId = newId("bat");
  await insertRows("deployment_batches", [
    {
      id: batchId,
      workspace_id: SEED.workspaceId,
      repository_id: SEED.repositoryId,
      upload_id: upload,
      trigger_id: triggerId,
      kind: "plan",
      event: "pull_request",
      activity: "opened",
      head_sha: head,
      ref: "feature/eks-upgrade",
      pull_request_number: 101,
      status: "running",
      max_in_flight: 10,
      created_at: now - HOUR,
    },
  ]);
  return batchId;
}

async function richSeed(): Promise<SeededWorld> {
  const world = await seededWorld();
  const now = FIXED_NOW.getTime();
  const { uploadId } = await addUpload({
    workspaceId: SEED.workspaceId,
    repositoryId: SEED.repositoryId,
    pullRequest: 101,
    headRef: "feature/eks-upgrade",
    items: [
      { stack: "plat-ue2-prod", component: "vpc", planStatus: "success", applyStatus: "queued" },
      { stack: "plat-ue2-prod", component: "eks/cluster", planStatus: "in_progress" },
    ],
    edges: [[0, 1]],
  });
  await insertRows("locks", [
    {
      id: newId("lock"),
      workspace_id: SEED.workspaceId,
      key: "acme/infra/plat-ue2-dev/vpc",
      message: "short",
      locked_by: "ci",
      expires_at: now + 2 * HOUR,
      created_at: now,
      updated_at: now,
    },
  ]);
  const batchId = await addPullRequestBatch(uploadId);
  await insertRows("deployments", [
    {
      id: newId("dep"),
      workspace_id: SEED.workspaceId,
      instance_id: world.target.instanceId!,
      kind: "apply",
      status: "success",
      workflow: "atmos-terraform-apply.yaml",
      github_run_url: "https://github.com/acme/infra/actions/runs/1",
      created_at: now - HOUR,
      started_at: now - HOUR,
      completed_at: now - HOUR / 2,
      batch_id: batchId,
      reason: "Blocked by lock acme/infra/plat-ue2-dev/vpc until it was released.",
    },
  ]);
  // The GitHub App: an installation connected to the workspace covering a repository not imported yet,
  // and one the owner installed (their GitHub identity) that no workspace has.
  await insertRows("identities", [
    {
      id: newId("idn"),
      user_id: SEED.ownerId,
      provider: "github",
      issuer: "https://github.com",
      subject: "7001",
      login: "acme-owner",
    },
  ]);
  await insertRows("github_installations", [
    {
      id: 501,
      workspace_id: SEED.workspaceId,
      account_login: "acme",
      account_type: "Organization",
      repository_selection: "selected",
      installed_by_github_id: null,
      created_at: now,
      updated_at: now,
    },
    {
      id: 502,
      workspace_id: null,
      account_login: "acme-owner",
      account_type: "User",
      repository_selection: "all",
      installed_by_github_id: 7001,
      created_at: now,
      updated_at: now,
    },
  ]);
  await insertRows("repositories", [
    {
      id: newId("repo"),
      host: "github.com",
      owner: "acme",
      name: "apps",
      github_id: 501001,
      installation_id: 501,
      created_at: now,
      updated_at: now,
    },
  ]);
  await insertRows("webhook_deliveries", [
    {
      id: "00000000-0000-4000-8000-000000000501",
      event: "installation_repositories",
      action: "added",
      installation_id: 501,
      status: "failed",
      attempts: 5,
      error: "Error: D1 is unavailable",
      body_parts: 1,
      body_bytes: 2,
      received_at: now,
      processed_at: now,
      updated_at: now,
    },
  ]);
  await insertRows("invitations", [
    {
      id: newId("inv"),
      workspace_id: SEED.workspaceId,
      invitee: "new-hire",
      role: "member",
      token_hash: "e".repeat(64),
      invited_by: SEED.ownerId,
      created_at: now,
      expires_at: now + 7 * DAY,
    },
  ]);
  return world;
}

/** Paths of the arrays in `value` that are empty (a schema only checks the elements it sees). */
function emptyArrays(value: unknown, path = ""): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((item, i) => emptyArrays(item, `${path}.${i}`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([key, child]) => emptyArrays(child, path ? `${path}.${key}` : key));
  return [];
}

describe("dashboard response validation: the schema-drift guard", () => {
  it("covers every dashboard route module that has a loader", () => {
    const modules = import.meta.glob<Record<string, unknown>>("../../app/routes/dashboard.$workspace*.tsx", {
      eager: true,
    });
    const withLoader = Object.entries(modules)
      .filter(([, module]) => typeof module.loader === "function")
      .map(([path]) => path.split("/").at(-1)!)
      .sort();
    expect(GUARDED.map((route) => route.file).sort()).toEqual(withLoader);
  });

  it.each(GUARDED.map((route) => [route.file, route] as const))(
    "%s: its exported schemas accept the loader's real output",
    async (_file, route) => {
      const world = await richSeed();
      // Every exported schema is mapped to where the loader puts its value (a new export fails here);
      // the route module itself exports none (schemas stay out of the browser's bundle).
      expect(Object.keys(exportedSchemas(route.payloads)).sort()).toEqual(
        [...Object.keys(route.schemas), ...(route.queries ?? [])].sort(),
      );
      expect(Object.keys(exportedSchemas(route.module))).toEqual([]);

      const path = route.path(world.target);
      const request = new Request(`${ORIGIN}${path}`, { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
      const response = await route.module.loader({
        request,
        context: testContext(),
        params: route.params(world.target),
      });
      expect(response.status).toBe(200);
      const output = (await response.json()) as Json;

      for (const [name, where] of Object.entries(route.schemas)) {
        const schema = exportedSchemas(route.payloads)[name]!;
        let value: unknown = output;
        if (where) {
          const slot = output[where] as Slot | null;
          expect(slot?.ok, `${name}: slot "${where}" ${JSON.stringify(slot)}`).toBe(true);
          value = (slot as Extract<Slot, { ok: true }>).data;
        }
        // The guard only means something if the schema saw real elements.
        expect(emptyArrays(value), `${name}: arrays the fixture leaves empty`).toEqual([]);
        const accepted = validate(schema, value);
        expect(accepted.ok, `${name}: ${JSON.stringify(accepted.ok ? null : accepted.issues)}`).toBe(true);
      }
    },
  );

  it.each(
    GUARDED.flatMap((route) =>
      Object.entries(route.schemas)
        .filter(([, where]) => !where)
        .map(([name]) => [`${route.file} ${name}`, route, name] as const),
    ),
  )(
    "%s: an incomplete page payload (one required key missing) never reaches the component: the payload error (500), naming the key",
    async (_label, route, name) => {
      const world = await richSeed();
      const request = new Request(`${ORIGIN}${route.path(world.target)}`, {
        headers: { Cookie: await sessionCookieFor(SEED.ownerId) },
      });
      const data = (await (
        await route.module.loader({ request, context: testContext(), params: route.params(world.target) })
      ).json()) as Json;
      const [missing] = Object.keys(data);
      delete data[missing!];

      const lines: Array<{ level: LogLevel; line: string }> = [];
      const logger = createLogger({ requestId: "req-drift", sink: (level, line) => lines.push({ level, line }) });
      let thrown: unknown;
      try {
        payload(
          exportedSchemas(route.payloads)[name]!,
          data,
          { logger, requestId: "req-drift" },
          { name: `test.${name}` },
        );
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `${name} without "${missing}"`).toBeInstanceOf(Response);
      expect((thrown as Response).status).toBe(500);
      expect(await (thrown as Response).json()).toEqual({
        kind: "payload_invalid",
        message: PAYLOAD_ERROR_MESSAGE,
        requestId: "req-drift",
      });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!.line)).toMatchObject({
        level: "error",
        event: "loader_payload_invalid",
        payload: `test.${name}`,
        fields: [missing],
        crashed: false,
      });
    },
  );

  it.each(
    GUARDED.flatMap((route) =>
      Object.entries(route.schemas)
        .filter(([, where]) => where)
        .map(([name, where]) => [`${route.file} ${name}`, route, name, where] as const),
    ),
  )(
    "%s: an incomplete payload (one required key missing) is that panel's error, naming the key",
    async (_label, route, name, where) => {
      const world = await richSeed();
      const request = new Request(`${ORIGIN}${route.path(world.target)}`, {
        headers: { Cookie: await sessionCookieFor(SEED.ownerId) },
      });
      const output = (await (
        await route.module.loader({ request, context: testContext(), params: route.params(world.target) })
      ).json()) as Json;
      const data = { ...(output[where] as Extract<Slot, { ok: true }>).data };
      const [missing] = Object.keys(data);
      delete data[missing!];

      const lines: Array<{ level: LogLevel; line: string }> = [];
      const logger = createLogger({ requestId: "req-drift", sink: (level, line) => lines.push({ level, line }) });
      const result = panel(
        exportedSchemas(route.payloads)[name]!,
        data,
        { logger, requestId: "req-drift" },
        `test.${name}`,
      );
      expect(result).toEqual({ ok: false, error: { message: PANEL_ERROR_MESSAGE, requestId: "req-drift" } });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!.line)).toMatchObject({
        level: "error",
        event: "panel_payload_invalid",
        panel: `test.${name}`,
        fields: [missing],
        crashed: false,
      });
    },
  );
});
