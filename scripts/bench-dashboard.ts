/**
 * Dashboard query benchmark: `npx tsx scripts/bench-dashboard.ts`. Prints figures, asserts nothing.
 *
 * A local D1 of its own in .bench/ (migrated and seeded like `npm run dev`'s, see local-d1.ts),
 * plus 10,000 instances in one repository (acme/monorepo) of the seeded workspace. Then, through
 * wrangler's getPlatformProxy (the same D1 binding workerd gives the Worker), times the repository
 * page's `loadRepositoryPage` — the first page, a page deep in the list, a filtered page, a search — and
 * the overview's `loadOverview`: median (and min, p95) of 20 runs each, after 3 warm-up runs.
 * Each figure includes the Node ↔ workerd hop of getPlatformProxy (the "round trip" row measures
 * it alone). The query plan of each instances query is printed under the table. .bench/ is deleted
 * at the end.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../db/client";
import { SEED } from "../db/seed";
import { encodeCursor } from "../app/dashboard/cursor";
import { loadOverview } from "../app/dashboard/overview.server";
import { loadRepositoryPage, type InstanceFilters } from "../app/dashboard/repositories.server";
import { insertRows, migrateAndSeed, withLocalD1 } from "./local-d1";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PERSIST = ".bench";
const RUNS = 20;
const WARMUP = 3;
const INSTANCES = 10_000;
const STACKS = 40;
const REPOSITORY = { id: `repo_${"benchmonorepo".padEnd(28, "0")}`, owner: "acme", name: "monorepo" };

process.chdir(ROOT);

type Sample = { label: string; ms: number[]; rows: number; note: string };

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    median: (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2,
    min: sorted[0]!,
    p95: at(0.95),
  };
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < WARMUP; i++) last = await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    last = await fn();
    ms.push(performance.now() - start);
  }
  return { ms, last: last as T };
}

/** Records the SQL (and parameters) the app prepares, to EXPLAIN it afterwards. */
function recordingD1(d1: D1Database, prepared: Array<{ sql: string; params: unknown[] }>): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") {
        return (sql: string) => {
          const statement = target.prepare(sql);
          const entry = { sql, params: [] as unknown[] };
          prepared.push(entry);
          return new Proxy(statement, {
            get(stmt, key) {
              if (key === "bind") {
                return (...params: unknown[]) => {
                  entry.params = params;
                  return stmt.bind(...params);
                };
              }
              const value: unknown = Reflect.get(stmt, key, stmt);
              return typeof value === "function" ? value.bind(stmt) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function insertInstances(d1: D1Database, now: number): Promise<number> {
  const columns = [
    "id",
    "workspace_id",
    "repository_id",
    "stack",
    "component",
    "status",
    "last_command",
    "last_run_at",
  ];
  const statuses = ["in_sync", "drifted", "error", "unknown"];
  const rows: unknown[][] = [];
  for (let n = 0; n < INSTANCES; n++) {
    const stack = `stack-${String(n % STACKS).padStart(2, "0")}`;
    const component = `comp-${String(Math.floor(n / STACKS)).padStart(3, "0")}`;
    const neverRan = n % 10 === 0;
    rows.push([
      `inst_${`bench${String(n).padStart(5, "0")}`.padEnd(28, "0")}`,
      SEED.workspaceId,
      REPOSITORY.id,
      stack,
      component,
      neverRan ? "unknown" : statuses[n % 3],
      neverRan ? null : "plan",
      neverRan ? null : now - (n % 50) * 3_600_000,
    ]);
  }
  return insertRows(d1, "instances", columns, rows);
}

async function main() {
  rmSync(PERSIST, { recursive: true, force: true });
  const started = performance.now();
  console.log(`Migrating and seeding a local D1 in ${PERSIST}/ …`);
  await migrateAndSeed(PERSIST);
  try {
    await withLocalD1(PERSIST, (d1) => measure(d1, started));
  } finally {
    rmSync(PERSIST, { recursive: true, force: true });
  }
}

/** Grows the seeded workspace by 10,000 instances, then times and explains each query. */
async function measure(d1: D1Database, started: number) {
  const now = new Date();
  await d1.batch([
    d1
      .prepare("INSERT INTO repositories (id, host, owner, name) VALUES (?, 'github.com', ?, ?)")
      .bind(REPOSITORY.id, REPOSITORY.owner, REPOSITORY.name),
    d1
      .prepare("INSERT INTO workspace_repositories (workspace_id, repository_id) VALUES (?, ?)")
      .bind(SEED.workspaceId, REPOSITORY.id),
  ]);
  const insertStart = performance.now();
  const statements = await insertInstances(d1, now.getTime());
  const insertMs = performance.now() - insertStart;
  const count = await d1
    .prepare("SELECT count(*) AS n FROM instances WHERE repository_id = ?")
    .bind(REPOSITORY.id)
    .first<{ n: number }>();
  console.log(
    `Inserted ${count?.n} instances into ${REPOSITORY.owner}/${REPOSITORY.name} in ${statements} statements (${insertMs.toFixed(0)} ms).`,
  );

  const prepared: Array<{ sql: string; params: unknown[] }> = [];
  const db = createDatabase(recordingD1(d1, prepared));
  const list = async (filters: InstanceFilters) =>
    (
      await loadRepositoryPage(db, {
        workspaceId: SEED.workspaceId,
        owner: REPOSITORY.owner,
        name: REPOSITORY.name,
        filters,
        now,
      })
    )?.table;

  // A cursor ~9,000 rows in, for each sort it is used with.
  const deep = await d1
    .prepare(
      "SELECT id FROM instances WHERE repository_id = ? AND removed_at IS NULL ORDER BY component, stack LIMIT 1 OFFSET 8999",
    )
    .bind(REPOSITORY.id)
    .first<{ id: string }>();
  const deepByRun = await d1
    .prepare(
      "SELECT id FROM instances WHERE repository_id = ? AND removed_at IS NULL ORDER BY coalesce(last_run_at, -1) DESC, component DESC, stack DESC LIMIT 1 OFFSET 8999",
    )
    .bind(REPOSITORY.id)
    .first<{ id: string }>();

  const cases: Array<{ label: string; note: string; run: () => Promise<{ instances: unknown[] } | unknown> }> = [
    {
      label: "round trip (SELECT 1)",
      note: "the getPlatformProxy hop alone",
      run: () => d1.prepare("SELECT 1").first(),
    },
    { label: "instances page: first page", note: "sort=component", run: () => list({ sort: "component" }) },
    {
      label: "instances page: deep page",
      note: "sort=component, cursor at row 9,000",
      run: () => list({ sort: "component", cursor: encodeCursor([deep!.id]) }),
    },
    {
      label: "instances page: deep page",
      note: "sort=last_run, cursor at row 9,000",
      run: () => list({ sort: "last_run", cursor: encodeCursor([deepByRun!.id]) }),
    },
    {
      label: "instances page: filtered",
      note: "status=drifted, stack=stack-07",
      run: () => list({ sort: "component", status: "drifted", stack: "stack-07" }),
    },
    {
      label: "instances page: filtered",
      note: "status=error, sort=status",
      run: () => list({ sort: "status", status: "error" }),
    },
    { label: "instances page: search", note: 'q="comp-12"', run: () => list({ sort: "component", q: "comp-12" }) },
    {
      label: "loadOverview",
      note: `workspace with ${(count?.n ?? 0) + 60} instances`,
      run: () => loadOverview(db, SEED.workspaceId, now),
    },
  ];

  const samples: Sample[] = [];
  const plans: string[] = [];
  for (const entry of cases) {
    prepared.length = 0;
    const { ms, last } = await time(entry.run);
    const rows =
      last && typeof last === "object" && "instances" in last
        ? (last as { instances: unknown[] }).instances.length
        : last && typeof last === "object" && "instancesByStatus" in last
          ? 1
          : 0;
    samples.push({ label: entry.label, ms, rows, note: entry.note });
    if (entry.label === "loadOverview") {
      // Each statement of the overview's batch alone: which one grows with the workspace.
      const statements = prepared.slice(-prepared.length / (RUNS + WARMUP));
      for (const [i, statement] of statements.entries()) {
        const alone = await time(() =>
          d1
            .prepare(statement.sql)
            .bind(...statement.params)
            .all(),
        );
        samples.push({
          label: `  overview statement ${i + 1}`,
          ms: alone.ms,
          rows: alone.last.results.length,
          note: statement.sql.replace(/"/g, "").slice(0, 70),
        });
      }
    }
    // EXPLAIN the instances page query of this case (the statement that reads the page of rows).
    const page = prepared.find(
      (statement) =>
        /from "instances"/.test(statement.sql) &&
        /limit \?/i.test(statement.sql) &&
        /left join "locks"/.test(statement.sql),
    );
    if (page) {
      const plan = await d1
        .prepare(`EXPLAIN QUERY PLAN ${page.sql}`)
        .bind(...page.params)
        .all<{ detail: string }>();
      plans.push(`${entry.label} (${entry.note}):\n${plan.results.map((row) => `    ${row.detail}`).join("\n")}`);
    }
  }

  const width = Math.max(...samples.map((sample) => `${sample.label} — ${sample.note}`.length));
  console.log(
    `\nDashboard queries on ${INSTANCES.toLocaleString("en")} instances in one repository (local D1 via getPlatformProxy; ${RUNS} runs after ${WARMUP} warm-up)\n`,
  );
  console.log(`${"query".padEnd(width)}  median ms    min ms    p95 ms  rows`);
  for (const sample of samples) {
    const { median, min, p95 } = stats(sample.ms);
    console.log(
      `${`${sample.label} — ${sample.note}`.padEnd(width)}  ${median.toFixed(2).padStart(9)}  ${min.toFixed(2).padStart(8)}  ${p95.toFixed(2).padStart(8)}  ${String(sample.rows).padStart(4)}`,
    );
  }
  console.log(`\nQuery plans (instances page query):\n${plans.join("\n")}`);
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

await main();
