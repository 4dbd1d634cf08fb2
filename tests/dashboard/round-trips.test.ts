/**
 * D1 round trips per dashboard page. Each route's `loader` is called directly with a database
 * whose D1 binding counts what reaches D1: one `batch()` is one round trip, and so is each
 * `prepare(…).all/first/run/raw` executed on its own (not inside a batch). The request carries a
 * real session cookie, so authentication and membership are counted too.
 *
 * Round trips the loader leaves running in `ctx.waitUntil` (bookkeeping writes) are counted
 * separately: they do not delay the page. The table is printed once all pages are measured.
 *
 * Budget: ≤ 2 per page loader — authentication and membership in one batch, the page's data in one more.
 */
import { env, waitOnExecutionContext } from "cloudflare:test";
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
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
import { createDatabase } from "../../db/client";
import { users, workspaces } from "../../db/schema";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { testContext } from "../context";
import { seedDatabase } from "../db";
import { ORIGIN } from "../http";
import { addUpload, firstRow } from "./fixtures";

const ROUND_TRIP_BUDGET = 2;

type RoundTripCounter = {
  /** `batch()` calls. */
  batches: number;
  /** Statements executed on their own (all/first/run/raw outside a batch), and `exec()`. */
  single: number;
  /** Statements sent inside batches. */
  batchedStatements: number;
  /** What reached D1, in order: "batch[3]" or "first: select …". */
  log: string[];
};

const newCounter = (): RoundTripCounter => ({ batches: 0, single: 0, batchedStatements: 0, log: [] });
const roundTrips = (counter: RoundTripCounter) => counter.batches + counter.single;

const EXECUTIONS = new Set(["all", "first", "run", "raw"]);

/**
 * A D1Database that counts round trips. Statements are proxies (so `.all()` etc. can be counted);
 * `batch()` unwraps them before handing them to the real binding, which needs its own objects.
 */
function countingD1(target: D1Database, counter: RoundTripCounter): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(stmt, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(stmt.bind(...values), query);
        if (typeof prop === "string" && EXECUTIONS.has(prop)) {
          return (...args: unknown[]) => {
            counter.single++;
            counter.log.push(`${prop}: ${query.replace(/\s+/g, " ").slice(0, 120)}`);
            return (Reflect.get(stmt, prop, stmt) as (...a: unknown[]) => unknown).apply(stmt, args);
          };
        }
        const value: unknown = Reflect.get(stmt, prop, stmt);
        return typeof value === "function" ? value.bind(stmt) : value;
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(target, {
    get(db, prop) {
      if (prop === "prepare") return (query: string) => wrap(db.prepare(query), query);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counter.batches++;
          counter.batchedStatements += statements.length;
          counter.log.push(`batch[${statements.length}]`);
          return db.batch(statements.map((statement) => originals.get(statement) ?? statement));
        };
      }
      if (prop === "exec") {
        return (query: string) => {
          counter.single++;
          counter.log.push(`exec: ${query.slice(0, 120)}`);
          return db.exec(query);
        };
      }
      const value: unknown = Reflect.get(db, prop, db);
      return typeof value === "function" ? value.bind(db) : value;
    },
  });
}

type Loader = (args: LoaderFunctionArgs) => Promise<Response>;
type Target = { instanceId: string; cursor: string };

type Measured = {
  page: string;
  loader: Loader;
  path: (target: Target) => string;
  params: (target: Target) => Record<string, string>;
};

const ws = { workspace: SEED.workspaceSlug };
const base = `/dashboard/${SEED.workspaceSlug}`;
const as = (module: { loader: unknown }) => module.loader as Loader;

const MEASURED: Measured[] = [
  { page: "layout (dashboard.$workspace)", loader: as(layoutRoute), path: () => base, params: () => ws },
  { page: "overview", loader: as(overviewRoute), path: () => base, params: () => ws },
  { page: "repositories", loader: as(repositoriesRoute), path: () => `${base}/repositories`, params: () => ws },
  {
    page: "repository",
    loader: as(repositoryRoute),
    path: () => `${base}/repositories/acme/infra`,
    params: () => ({ ...ws, owner: "acme", name: "infra" }),
  },
  {
    page: "repository ?status&q",
    loader: as(repositoryRoute),
    path: () => `${base}/repositories/acme/infra?status=drifted&q=eks`,
    params: () => ({ ...ws, owner: "acme", name: "infra" }),
  },
  {
    page: "repository ?cursor (page 2)",
    loader: as(repositoryRoute),
    path: (t) => `${base}/repositories/acme/infra?cursor=${t.cursor}`,
    params: () => ({ ...ws, owner: "acme", name: "infra" }),
  },
  {
    page: "instance",
    loader: as(instanceRoute),
    path: (t) => `${base}/instances/${t.instanceId}`,
    params: (t) => ({ ...ws, instanceId: t.instanceId }),
  },
  {
    page: "pull-requests (with a plan)",
    loader: as(pullRequestsRoute),
    path: () => `${base}/pull-requests`,
    params: () => ws,
  },
  { page: "deployments", loader: as(deploymentsRoute), path: () => `${base}/deployments`, params: () => ws },
  { page: "locks", loader: as(locksRoute), path: () => `${base}/locks`, params: () => ws },
  { page: "drift", loader: as(driftRoute), path: () => `${base}/drift`, params: () => ws },
  { page: "members", loader: as(membersRoute), path: () => `${base}/members`, params: () => ws },
  { page: "audit", loader: as(auditRoute), path: () => `${base}/audit`, params: () => ws },
  { page: "settings", loader: as(settingsRoute), path: () => `${base}/settings`, params: () => ws },
];

type Row = {
  page: string;
  roundTrips: number;
  batches: number;
  single: number;
  batchedStatements: number;
  background: number;
  log: string[];
};
const results: Row[] = [];

/** Runs `loader` for `path` with a counting database; returns the counts (and the response). */
async function measure(loader: Loader, path: string, params: Record<string, string>, cookie: string) {
  const counter = newCounter();
  const context = testContext({ db: createDatabase(countingD1(env.DB, counter)) });
  const request = new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } });
  const response = await loader({ request, context, params });
  const inLoader = { ...counter, log: [...counter.log] };
  await waitOnExecutionContext(context.cloudflare.ctx);
  return {
    response,
    counter: inLoader,
    background: roundTrips(counter) - roundTrips(inLoader),
    backgroundLog: counter.log.slice(inLoader.log.length),
  };
}

describe("D1 round trips per dashboard page", () => {
  let target: Target;
  let cookie: string;

  beforeEach(async () => {
    await seedDatabase();
    // An affected-stacks upload, so the pull requests page also loads its deployment plan.
    await addUpload({
      workspaceId: SEED.workspaceId,
      repositoryId: SEED.repositoryId,
      pullRequest: 7,
      headRef: "feature/x",
      items: [
        { stack: "plat-ue2-dev", component: "vpc" },
        { stack: "plat-ue2-dev", component: "eks/cluster" },
      ],
      edges: [[0, 1]],
    });
    const instance = await firstRow<{ id: string }>(
      "SELECT id FROM instances WHERE component = 'eks/cluster' AND stack = 'plat-ue2-prod'",
    );
    cookie = await sessionCookieFor(SEED.ownerId);
    const first = await measure(
      as(repositoryRoute),
      `${base}/repositories/acme/infra`,
      { ...ws, owner: "acme", name: "infra" },
      cookie,
    );
    const body = (await first.response.json()) as { table: { ok: boolean; data: { nextCursor: string | null } } };
    expect(body.table.data.nextCursor).toEqual(expect.any(String));
    target = { instanceId: instance.id, cursor: body.table.data.nextCursor! };
  });

  afterAll(() => {
    // The console is captured during tests (tests/logs.ts) and restored after each: print here.
    const layout = results.find((row) => row.page.startsWith("layout"));
    const width = Math.max(...results.map((row) => row.page.length), 4);
    const lines = [
      `D1 round trips per dashboard page (budget ≤ ${ROUND_TRIP_BUDGET}; a document request also runs the layout loader, in parallel)`,
      `${"page".padEnd(width)}  loader  batches  single  stmts-in-batches  waitUntil  document (layout + page)`,
      ...results.map((row) =>
        [
          row.page.padEnd(width),
          String(row.roundTrips).padStart(6),
          String(row.batches).padStart(7),
          String(row.single).padStart(6),
          String(row.batchedStatements).padStart(16),
          String(row.background).padStart(9),
          row === layout || !layout
            ? ""
            : `  ${layout.roundTrips + row.roundTrips} (${layout.roundTrips} + ${row.roundTrips}; in parallel)`,
        ].join("  "),
      ),
      "",
      "What reached D1, per page:",
      ...results.map((row) => `  ${row.page}: ${row.log.join(" → ")}`),
    ];
    console.log(lines.join("\n"));
  });

  it.each(MEASURED.map((measured) => [measured.page, measured] as const))(
    `%s: at most ${ROUND_TRIP_BUDGET} round trips`,
    async (_page, measured) => {
      const { response, counter, background, backgroundLog } = await measure(
        measured.loader,
        measured.path(target),
        measured.params(target),
        cookie,
      );
      expect(response.status).toBe(200);
      results.push({
        page: measured.page,
        roundTrips: roundTrips(counter),
        batches: counter.batches,
        single: counter.single,
        batchedStatements: counter.batchedStatements,
        background,
        log: [...counter.log, ...backgroundLog.map((entry) => `(waitUntil) ${entry}`)],
      });
      expect(roundTrips(counter), `${measured.page}: ${counter.log.join(" → ")}`).toBeLessThanOrEqual(
        ROUND_TRIP_BUDGET,
      );
    },
  );

  it("the counter sees what reaches D1 (a batch is one round trip, a lone statement is one)", async () => {
    const counter = newCounter();
    const d1 = countingD1(env.DB, counter);
    await d1.prepare("SELECT 1").first();
    await d1.prepare("SELECT ?").bind(2).all();
    await d1.batch([d1.prepare("SELECT 1"), d1.prepare("SELECT ?").bind(3)]);
    const db = createDatabase(d1);
    await db.batch([db.select().from(workspaces), db.select().from(users)]);
    await db.query.workspaces.findFirst();
    expect({ batches: counter.batches, single: counter.single, batchedStatements: counter.batchedStatements }).toEqual({
      batches: 2,
      single: 3,
      batchedStatements: 4,
    });
  });
});
