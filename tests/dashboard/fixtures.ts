/**
 * Fixtures for the dashboard suites (response validation, round trips): workspaces at the edges
 * of what the dashboard shows, rows inserted with raw multi-row statements (≤ 100 bound parameters
 * each, the D1 limit), and helpers that read a page as Remix's client does (`?_data=<route id>`,
 * the loader's JSON) and as a browser does (the HTML).
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { createWorkspace } from "~/domain/workspaces.server";
import { userActor } from "~/domain/audit.server";
import { newId } from "~/domain/ids";
import { sessionCookieFor } from "../auth";
import { db, FIXED_NOW } from "../db";
import { get } from "../http";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** D1 refuses a statement with more than 100 bound parameters. */
export const MAX_BOUND_PARAMETERS = 100;

// ─── Routes ──────────────────────────────────────────────────────────────────────────────────

export type PageKey =
  | "overview"
  | "repositories"
  | "repository"
  | "instance"
  | "pull-requests"
  | "deployments"
  | "locks"
  | "drift"
  | "members"
  | "audit"
  | "settings";

/** What a page needs in its URL beyond the workspace slug. */
export type PageTarget = { slug: string; owner?: string; name?: string; instanceId?: string };

export type DashboardPage = {
  key: PageKey;
  routeId: string;
  path: (target: PageTarget) => string;
  /** The payload keys that are panel slots (`{ ok, data }` or `{ ok: false, error }`); `?` = may be null. */
  panels: string[];
};

const need = (value: string | undefined, what: string) => {
  if (!value) throw new Error(`this page needs ${what}`);
  return value;
};

export const PAGES: DashboardPage[] = [
  {
    key: "overview",
    routeId: "routes/dashboard.$workspace._index",
    path: (t) => `/dashboard/${t.slug}`,
    panels: ["summary", "trends", "attention", "recent", "repositories"],
  },
  {
    key: "repositories",
    routeId: "routes/dashboard.$workspace.repositories._index",
    path: (t) => `/dashboard/${t.slug}/repositories`,
    panels: ["list"],
  },
  {
    key: "repository",
    routeId: "routes/dashboard.$workspace.repositories.$owner.$name",
    path: (t) =>
      `/dashboard/${t.slug}/repositories/${encodeURIComponent(need(t.owner, "a repository owner"))}/${encodeURIComponent(need(t.name, "a repository name"))}`,
    panels: ["table"],
  },
  {
    key: "instance",
    routeId: "routes/dashboard.$workspace.instances.$instanceId",
    path: (t) => `/dashboard/${t.slug}/instances/${need(t.instanceId, "an instance id")}`,
    panels: ["history", "deployments", "workflows", "lock"],
  },
  {
    key: "pull-requests",
    routeId: "routes/dashboard.$workspace.pull-requests",
    path: (t) => `/dashboard/${t.slug}/pull-requests`,
    panels: ["uploads", "plan?"],
  },
  {
    key: "deployments",
    routeId: "routes/dashboard.$workspace.deployments",
    path: (t) => `/dashboard/${t.slug}/deployments`,
    panels: ["list"],
  },
  {
    key: "locks",
    routeId: "routes/dashboard.$workspace.locks",
    path: (t) => `/dashboard/${t.slug}/locks`,
    panels: ["list"],
  },
  {
    key: "drift",
    routeId: "routes/dashboard.$workspace.drift",
    path: (t) => `/dashboard/${t.slug}/drift`,
    panels: ["schedules", "status", "runs"],
  },
  {
    key: "members",
    routeId: "routes/dashboard.$workspace.members",
    path: (t) => `/dashboard/${t.slug}/members`,
    panels: [],
  },
  { key: "audit", routeId: "routes/dashboard.$workspace.audit", path: (t) => `/dashboard/${t.slug}/audit`, panels: [] },
  {
    key: "settings",
    routeId: "routes/dashboard.$workspace.settings",
    path: (t) => `/dashboard/${t.slug}/settings`,
    panels: [],
  },
];

export function page(key: PageKey): DashboardPage {
  const found = PAGES.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no page ${key}`);
  return found;
}

/** `path` plus `?_data=<route id>` (keeping any query the path already has). */
export function dataUrl(path: string, routeId: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId)}`;
}

export type Slot =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; error: { message: string; requestId: string } };
export type PageData = Record<string, unknown>;

/** The loader's JSON for `path` (only that route's loader runs), with its status. */
export async function loaderJson(
  path: string,
  routeId: string,
  cookie: string,
): Promise<{ status: number; data: PageData; requestId: string | null }> {
  const response = await get(dataUrl(path, routeId), { headers: { Cookie: cookie } });
  const text = await response.text();
  let data: PageData;
  try {
    data = JSON.parse(text) as PageData;
  } catch {
    throw new Error(`${path} (${routeId}) did not answer JSON (${response.status}): ${text.slice(0, 500)}`);
  }
  return { status: response.status, data, requestId: response.headers.get("x-request-id") };
}

/** The page as a browser gets it. */
export async function pageHtml(
  path: string,
  cookie: string,
): Promise<{ status: number; html: string; requestId: string | null }> {
  const response = await get(path, { headers: { Cookie: cookie } });
  return { status: response.status, html: await response.text(), requestId: response.headers.get("x-request-id") };
}

/** The HTML with React's text-separator comments (`<!-- -->`) taken out, so adjacent text reads as one string. */
export function joinedText(html: string): string {
  return html.replace(/<!-- -->/g, "");
}

/** `html` contains `text` (after joinedText), with a short failure message instead of the whole page. */
export function expectHtmlContains(html: string, text: string, what = "the page"): void {
  expect(joinedText(html).includes(text), `${what} should contain ${JSON.stringify(text)}`).toBe(true);
}

export function expectHtmlLacks(html: string, text: string, what = "the page"): void {
  expect(joinedText(html).includes(text), `${what} should not contain ${JSON.stringify(text)}`).toBe(false);
}

export function panelErrors(html: string): number {
  return html.match(/data-testid="panel-error"/g)?.length ?? 0;
}

/** Every slot the page declares is present and ok (a nullable one may be null). */
export function expectPanelsOk(dashboardPage: DashboardPage, data: PageData): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const declared of dashboardPage.panels) {
    const nullable = declared.endsWith("?");
    const key = nullable ? declared.slice(0, -1) : declared;
    const slot = data[key] as Slot | null | undefined;
    if (nullable && slot === null) continue;
    expect(slot, `${dashboardPage.key}: panel "${key}" is missing from the payload`).toBeTypeOf("object");
    expect(slot!.ok, `${dashboardPage.key}: panel "${key}" failed: ${JSON.stringify(slot)}`).toBe(true);
    out[key] = (slot as Extract<Slot, { ok: true }>).data;
  }
  // And nothing else in the payload looks like a failed slot.
  for (const [key, value] of Object.entries(data)) {
    if (value && typeof value === "object" && "ok" in value) {
      expect((value as Slot).ok, `${dashboardPage.key}: slot "${key}" failed: ${JSON.stringify(value)}`).toBe(true);
    }
  }
  return out;
}

/**
 * The page for `target` satisfies its schemas: the loader answers 200 with every panel ok, and the
 * rendered page is a 200 without any panel error. Returns the loader JSON, its panels and the HTML.
 */
export async function expectPageOk(key: PageKey, target: PageTarget, cookie: string, query = "") {
  const dashboardPage = page(key);
  const path = `${dashboardPage.path(target)}${query}`;
  const loader = await loaderJson(path, dashboardPage.routeId, cookie);
  expect(loader.status, `${path} loader: ${JSON.stringify(loader.data).slice(0, 1500)}`).toBe(200);
  const panels = expectPanelsOk(dashboardPage, loader.data);
  const document = await pageHtml(path, cookie);
  expect(document.status, `${path}: ${document.html.slice(0, 1500)}`).toBe(200);
  expect(panelErrors(document.html), `${path} shows a panel error`).toBe(0);
  return { data: loader.data, panels, html: document.html };
}

// ─── Rows ────────────────────────────────────────────────────────────────────────────────────

type SqlValue = string | number | null;

/**
 * `INSERT INTO <table> (<columns of the first row>) VALUES (…), (…), …` in as few statements as
 * the 100-parameter limit allows, sent as D1 batches of up to `statementsPerBatch` statements.
 * Returns the number of statements.
 */
export async function insertRows(
  table: string,
  rows: Array<Record<string, SqlValue>>,
  statementsPerBatch = 100,
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.floor(MAX_BOUND_PARAMETERS / columns.length);
  if (perStatement < 1) throw new Error(`${table}: ${columns.length} columns do not fit in one statement`);
  const placeholder = `(${columns.map(() => "?").join(", ")})`;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.flatMap((row) => columns.map((column) => (column in row ? row[column]! : null)));
    if (values.length > MAX_BOUND_PARAMETERS) throw new Error("too many bound parameters");
    statements.push(
      env.DB.prepare(
        `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${chunk.map(() => placeholder).join(", ")}`,
      ).bind(...values),
    );
  }
  for (let i = 0; i < statements.length; i += statementsPerBatch) {
    await env.DB.batch(statements.slice(i, i + statementsPerBatch));
  }
  return statements.length;
}

export async function run(query: string, ...params: SqlValue[]): Promise<void> {
  await env.DB.prepare(query)
    .bind(...params)
    .run();
}

export async function firstRow<T>(query: string, ...params: SqlValue[]): Promise<T> {
  const row = await env.DB.prepare(query)
    .bind(...params)
    .first<T>();
  if (!row) throw new Error(`no row for: ${query}`);
  return row;
}

// ─── Workspaces ──────────────────────────────────────────────────────────────────────────────

export type TestWorkspace = { userId: string; login: string | null; workspaceId: string; slug: string; cookie: string };

/**
 * A new user and a new workspace of which they are the only member (the owner), made the way the
 * app makes them (createWorkspace: workspace, membership and its audit event), with a session.
 */
export async function newWorkspace(
  options: { name?: string; login?: string | null; email?: string | null; userName?: string; now?: Date } = {},
): Promise<TestWorkspace> {
  const now = options.now ?? FIXED_NOW;
  const userId = newId("usr");
  const login = options.login === undefined ? `owner-${userId.slice(-6).toLowerCase()}` : options.login;
  const name = options.userName ?? "Edith Edge";
  await insertRows("users", [
    {
      id: userId,
      login,
      name,
      email: options.email === undefined ? "edith@edge.example" : options.email,
      created_at: now.getTime(),
      updated_at: now.getTime(),
    },
  ]);
  const workspace = await createWorkspace(db(), {
    name: options.name ?? "Edge Cases",
    userId,
    actor: userActor({ id: userId, login, name }),
    now,
  });
  return { userId, login, workspaceId: workspace.id, slug: workspace.slug, cookie: await sessionCookieFor(userId) };
}

/** A repository imported into the workspace. */
export async function importRepository(
  workspaceId: string,
  owner: string,
  name: string,
  importedBy: string | null = null,
  now = FIXED_NOW,
): Promise<string> {
  const id = newId("repo");
  await insertRows("repositories", [
    { id, host: "github.com", owner, name, created_at: now.getTime(), updated_at: now.getTime() },
  ]);
  await insertRows("workspace_repositories", [
    { workspace_id: workspaceId, repository_id: id, imported_by: importedBy, created_at: now.getTime() },
  ]);
  return id;
}

export type InstanceRow = {
  id: string;
  workspace_id: string;
  repository_id: string;
  stack: string;
  component: string;
  status: "in_sync" | "drifted" | "error" | "unknown";
  last_command: string | null;
  last_run_at: number | null;
};

export const BULK_STACKS = Array.from({ length: 40 }, (_, i) => `stack-${String(i).padStart(2, "0")}`);
export const BULK_COMPONENTS = Array.from({ length: 250 }, (_, i) => `comp-${String(i).padStart(3, "0")}`);
const BULK_STATUSES = ["in_sync", "drifted", "error", "unknown"] as const;

/**
 * 10,000 instances (40 stacks × 250 components) in one repository. Statuses rotate; one in ten
 * never ran (last_run_at null, sorted last by "last run"), and the others share 50 run times (200
 * rows per time), so every sort has ties that only its tie-breaking columns settle.
 */
export function bulkInstances(workspaceId: string, repositoryId: string, now: Date): InstanceRow[] {
  const rows: InstanceRow[] = [];
  let n = 0;
  for (const stack of BULK_STACKS) {
    for (const component of BULK_COMPONENTS) {
      const neverRan = n % 10 === 0;
      const status = neverRan ? "unknown" : BULK_STATUSES[n % 3]!;
      rows.push({
        id: newId("inst"),
        workspace_id: workspaceId,
        repository_id: repositoryId,
        stack,
        component,
        status,
        last_command: neverRan ? null : n % 2 ? "plan" : "apply",
        last_run_at: neverRan ? null : now.getTime() - ((n * 13) % 50) * HOUR,
      });
      n++;
    }
  }
  return rows;
}

/** SQLite's default BINARY collation compares UTF-8 bytes; for these strings that is code-point order. */
function compareText(a: string, b: string): number {
  const ab = new TextEncoder().encode(a);
  const bb = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(ab.length, bb.length); i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return ab.length - bb.length;
}

/** The order the repository page promises for each sort (see sortColumns in repositories.server.ts). */
export function expectedOrder(rows: InstanceRow[], sort: "component" | "stack" | "status" | "last_run"): string[] {
  const sorted = [...rows].sort((a, b) => {
    switch (sort) {
      case "stack":
        return compareText(a.stack, b.stack) || compareText(a.component, b.component);
      case "status":
        return (
          compareText(a.status, b.status) || compareText(a.component, b.component) || compareText(a.stack, b.stack)
        );
      case "last_run":
        return (
          (b.last_run_at ?? -1) - (a.last_run_at ?? -1) ||
          compareText(b.component, a.component) ||
          compareText(b.stack, a.stack)
        );
      default:
        return compareText(a.component, b.component) || compareText(a.stack, b.stack);
    }
  });
  return sorted.map((row) => row.id);
}

export type UploadItem = {
  stack: string;
  component: string;
  planStatus?: string | null;
  applyStatus?: string | null;
  deleted?: boolean;
};

/**
 * An affected-stacks upload with its items and dependency edges (`[i, j]`: item j waits for item i),
 * as the upload API stores them. Every optional column is null unless given.
 */
export async function addUpload(input: {
  workspaceId: string;
  repositoryId: string;
  items: UploadItem[];
  edges?: Array<[number, number]>;
  pullRequest?: number | null;
  headRef?: string | null;
  headSha?: string;
  status?: string;
  createdAt?: Date;
}): Promise<{ uploadId: string; itemIds: string[] }> {
  const uploadId = newId("upl");
  const created = (input.createdAt ?? FIXED_NOW).getTime();
  await insertRows("affected_stacks_uploads", [
    {
      id: uploadId,
      workspace_id: input.workspaceId,
      repository_id: input.repositoryId,
      head_sha: input.headSha ?? "0123456789abcdef0123456789abcdef01234567",
      base_sha: "89abcdef0123456789abcdef0123456789abcdef",
      pull_request: input.pullRequest ?? null,
      head_ref: input.headRef ?? null,
      batch_id: null,
      batch_total: 1,
      batch_received: 1,
      status: input.status ?? "complete",
      expires_at: null,
      completed_at: null,
      created_at: created,
    },
  ]);
  const itemIds = input.items.map(() => newId("itm"));
  await insertRows(
    "affected_stack_items",
    input.items.map((item, i) => ({
      id: itemIds[i]!,
      upload_id: uploadId,
      stack: item.stack,
      component: item.component,
      component_type: "terraform",
      component_path: null,
      affected: null,
      affected_all: 0,
      included_in_dependents: 0,
      deleted: item.deleted ? 1 : 0,
      deletion_type: null,
      settings_pro: null,
      plan_status: item.planStatus ?? null,
      apply_status: item.applyStatus ?? null,
    })),
  );
  await insertRows(
    "affected_stack_edges",
    (input.edges ?? []).map(([from, to]) => ({
      upload_id: uploadId,
      item_id: itemIds[from]!,
      dependent_item_id: itemIds[to]!,
    })),
  );
  return { uploadId, itemIds };
}
