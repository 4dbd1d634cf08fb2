/**
 * The HTTP yardstick of `npm run bench` (issue 16): prints figures, asserts nothing.
 *
 * 1. `npm run build` (the production build; its bundle size is reported).
 * 2. A local D1 of its own in .bench/http: migrated and seeded like `npm run dev`'s.
 * 3. The app (`wrangler dev --log-level warn`) and a bare Worker that answers "ok"
 *    (bench/bare-worker.js) under the same wrangler, each on a free 127.0.0.1 port, each in its own
 *    process group, so the CPU of its workerd can be read from /proc.
 * 4. The overview at the seed's size (60 instances). Then the app stops, the seeded workspace grows to
 *    200 more repositories, 10,000 instances, 5,000 deployments and 30 days of results, the app
 *    starts again, and every target is measured.
 * 5. For each target: the bare Worker for a moment, then the target, for a bounded time at the same
 *    concurrency (autocannon); req/s, p50/p99 latency, the ratio to the bare Worker measured just
 *    before, errors (non-2xx and socket errors, expected 0), CPU ms per request of the workerd
 *    process (user + system, over 200 sequential requests), and the D1 round trips and statements of
 *    the target's first request (the app's Server-Timing header in development).
 *
 * A table on stdout, JSON in bench/results.json; `--compare` prints the change against the
 * results last committed. BENCH_SECONDS (default 8) and BENCH_CONNECTIONS (default 20) change the run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { encodeCursor } from "../app/dashboard/cursor";
import { SEED } from "../db/seed";
import { ensureDevVars, insertRows, migrateAndSeed, withLocalD1 } from "./local-d1";
import {
  assertDevelopmentVars,
  freePort,
  stopWrangler,
  mintOwnerSession,
  readDevVars,
  startWrangler,
  waitUntilReady,
  type Server,
} from "./wrangler-dev";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
process.chdir(ROOT);
const SECONDS = Number(process.env.BENCH_SECONDS ?? "8");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "20");
const SEQUENTIAL = 200;
const PERSIST = ".bench/http";
const RESULTS = "bench/results.json";
const GROWTH = { repositories: 200, instances: 10_000, deployments: 5_000, days: 30 };
const BENCH_REPOSITORY = (n: number) => `repo_${`bench${String(n).padStart(3, "0")}`.padEnd(28, "0")}`;
const BENCH_INSTANCE = (n: number) => `inst_${`bench${String(n).padStart(5, "0")}`.padEnd(28, "0")}`;

type Target = { label: string; path: string; signedIn?: boolean };
type Figure = {
  label: string;
  path: string;
  status: number;
  reqPerSec: number;
  bareReqPerSec: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** What one request cost in D1 (the app's Server-Timing header, development only); null when absent. */
  d1: { roundTrips: number; statements: number } | null;
  errors: number;
};

/** `d1;desc="2 round trips, 13 statements"` (app/observability/d1-counts.ts). */
function d1Counts(response: Response): Figure["d1"] {
  const match = /d1;desc="(\d+) round trips, (\d+) statements"/.exec(response.headers.get("Server-Timing") ?? "");
  return match ? { roundTrips: Number(match[1]), statements: Number(match[2]) } : null;
}

const compare = process.argv.includes("--compare");
/** `--only <regex>`: measure only the targets whose label matches (the bare Worker always); nothing is written. */
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt === -1 ? null : new RegExp(process.argv[onlyAt + 1] ?? "", "i");
const wanted = (target: Target) => only === null || only.test(target.label);
const previous = compare ? committedResults() : null;

function committedResults(): { figures: Figure[] } | null {
  try {
    return JSON.parse(execFileSync("git", ["show", `HEAD:${RESULTS}`], { encoding: "utf8" })) as { figures: Figure[] };
  } catch {
    console.log(`No committed ${RESULTS} to compare with.`);
    return null;
  }
}

/** CPU seconds (user + system) of the workerd processes in a wrangler's process group. */
function groupCpuMs(server: Server): number {
  const group = server.child.pid;
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp … utime(14) stime(15): split after the command's closing paren.
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    if (Number(fields[2]) !== group || !name.startsWith("workerd")) continue;
    total += (Number(fields[11]) + Number(fields[12])) * tick;
  }
  return total;
}

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function cpuPerRequest(server: Server, url: string, headers: Record<string, string>) {
  const before = groupCpuMs(server);
  for (let i = 0; i < SEQUENTIAL; i++) {
    const response = await fetch(url, { headers, redirect: "manual" });
    await response.arrayBuffer();
  }
  return (groupCpuMs(server) - before) / SEQUENTIAL;
}

/** The seeded workspace, grown to the size the goals speak of. */
async function growWorkspace(now: number) {
  return withLocalD1(PERSIST, async (d1) => {
    const repositories = Array.from({ length: GROWTH.repositories }, (_, n) => [
      BENCH_REPOSITORY(n),
      "acme",
      `service-${String(n).padStart(3, "0")}`,
    ]);
    await insertRows(d1, "repositories", ["id", "owner", "name"], repositories);
    await insertRows(
      d1,
      "workspace_repositories",
      ["workspace_id", "repository_id"],
      repositories.map(([id]) => [SEED.workspaceId, id]),
    );
    const statuses = ["in_sync", "drifted", "error", "unknown"];
    // Half of them in one repository (acme/service-000: its instances page, first and deep), the
    // rest spread over the others.
    const BIG = GROWTH.instances / 2;
    const instances = Array.from({ length: GROWTH.instances }, (_, n) => {
      const neverRan = n % 10 === 0;
      const m = n - BIG;
      const [repository, stack, component] =
        n < BIG
          ? [0, n % 10, Math.floor(n / 10)]
          : [
              1 + (m % (GROWTH.repositories - 1)),
              Math.floor(m / (GROWTH.repositories - 1)) % 10,
              Math.floor(m / ((GROWTH.repositories - 1) * 10)),
            ];
      return [
        BENCH_INSTANCE(n),
        SEED.workspaceId,
        BENCH_REPOSITORY(repository),
        `stack-${String(stack).padStart(2, "0")}`,
        `comp-${String(component).padStart(4, "0")}`,
        neverRan ? "unknown" : statuses[n % 3],
        neverRan ? null : "plan",
        neverRan ? null : now - (n % 50) * 3_600_000,
      ];
    });
    await insertRows(
      d1,
      "instances",
      ["id", "workspace_id", "repository_id", "stack", "component", "status", "last_command", "last_run_at"],
      instances,
    );
    const kinds = ["plan", "apply"];
    const runStatuses = ["success", "failure", "success", "cancelled"];
    const deployments = Array.from({ length: GROWTH.deployments }, (_, n) => [
      `dep_${`bench${String(n).padStart(5, "0")}`.padEnd(28, "0")}`,
      SEED.workspaceId,
      BENCH_INSTANCE((n * 7) % GROWTH.instances),
      kinds[n % 2],
      runStatuses[n % 4],
      kinds[n % 2] === "apply" ? "atmos-terraform-apply.yaml" : "atmos-terraform-plan.yaml",
      now - (n % (GROWTH.days * 24)) * 3_600_000,
    ]);
    await insertRows(
      d1,
      "deployments",
      ["id", "workspace_id", "instance_id", "kind", "status", "workflow", "created_at"],
      deployments,
    );
    // 30 days of results: one per day for every 50th instance.
    const results: unknown[][] = [];
    for (let day = 0; day < GROWTH.days; day++)
      for (let n = 0; n < GROWTH.instances; n += 50)
        results.push([
          `res_${`bench${String(day).padStart(2, "0")}${String(n).padStart(5, "0")}`.padEnd(28, "0")}`,
          SEED.workspaceId,
          BENCH_INSTANCE(n),
          "plan",
          n % 3 === 1 ? 2 : 0,
          n % 3 === 1 ? "drifted" : "in_sync",
          now - day * 86_400_000 - n * 1_000,
        ]);
    await insertRows(
      d1,
      "instance_results",
      ["id", "workspace_id", "instance_id", "command", "exit_code", "status", "ran_at"],
      results,
    );
    // The row 90% of the way down acme/service-000 sorted by component: the deep page starts after it.
    const deep = await d1
      .prepare(
        "SELECT id FROM instances WHERE repository_id = ? AND removed_at IS NULL ORDER BY component, stack LIMIT 1 OFFSET ?",
      )
      .bind(BENCH_REPOSITORY(0), Math.floor(BIG * 0.9) - 1)
      .first<{ id: string }>();
    return {
      repositories: repositories.length,
      instances: instances.length,
      deployments: deployments.length,
      results: results.length,
      deepCursor: encodeCursor([deep!.id]),
    };
  });
}

async function startApp() {
  const port = await freePort();
  const spawned = performance.now();
  const server = startWrangler(port, PERSIST, {}, { logFile: ".bench/app.log" });
  await waitUntilReady(`http://127.0.0.1:${port}/`, server, 90_000);
  return { server, base: `http://127.0.0.1:${port}`, firstResponseMs: performance.now() - spawned };
}

async function measure(
  app: { server: Server; base: string },
  bare: { server: Server; base: string },
  target: Target,
  cookie: string,
): Promise<Figure> {
  const headers: Record<string, string> = target.signedIn ? { cookie } : {};
  const url = `${app.base}${target.path}`;
  const probe = await fetch(url, { headers, redirect: "manual" });
  await probe.arrayBuffer();
  const yardstick = await load(`${bare.base}/`, {}, Math.max(2, SECONDS / 2));
  const figures = await load(url, headers, SECONDS);
  const cpuMsPerRequest = await cpuPerRequest(app.server, url, headers);
  return {
    label: target.label,
    path: target.path,
    status: probe.status,
    reqPerSec: figures.reqPerSec,
    bareReqPerSec: yardstick.reqPerSec,
    ratio: figures.reqPerSec / yardstick.reqPerSec,
    p50Ms: figures.p50Ms,
    p99Ms: figures.p99Ms,
    cpuMsPerRequest,
    d1: d1Counts(probe),
    errors: figures.errors,
  };
}

function table(figures: Figure[]) {
  const before = new Map((previous?.figures ?? []).map((figure) => [figure.label, figure]));
  const rows = figures.map((f) => {
    const was = before.get(f.label);
    return [
      f.label,
      String(f.status),
      f.reqPerSec.toFixed(0),
      f.ratio.toFixed(3) + (was ? ` (was ${was.ratio.toFixed(3)})` : ""),
      `${f.p50Ms.toFixed(0)} / ${f.p99Ms.toFixed(0)}`,
      f.cpuMsPerRequest.toFixed(1) + (was ? ` (was ${was.cpuMsPerRequest.toFixed(1)})` : ""),
      f.d1 ? `${f.d1.roundTrips} / ${f.d1.statements}` : "-",
      String(f.errors),
    ];
  });
  const head = ["target", "status", "req/s", "÷ bare", "p50 / p99 ms", "CPU ms/req", "D1 trips / stmts", "errors"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

async function main() {
  const started = performance.now();
  execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
  const bundle = readFileSync("build/index.js");
  const bundleKiB = { raw: bundle.length / 1024, gzip: gzipSync(bundle, { level: 9 }).length / 1024 };

  ensureDevVars();
  const vars = readDevVars();
  assertDevelopmentVars(vars);
  rmSync(".bench", { recursive: true, force: true });
  const now = new Date();
  await migrateAndSeed(PERSIST, now);
  const session = await mintOwnerSession(PERSIST, vars, "http://127.0.0.1", () => new Date());
  const cookie = `${session.name}=${session.value}`;

  const barePort = await freePort();
  const bareServer = startWrangler(
    barePort,
    ".bench/bare",
    {},
    {
      logFile: ".bench/bare.log",
      args: ["--config", "bench/bare.wrangler.toml"],
    },
  );
  const bare = { server: bareServer, base: `http://127.0.0.1:${barePort}` };
  const figures: Figure[] = [];
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    await waitUntilReady(`${bare.base}/`, bareServer, 60_000);
    const overview = `/dashboard/${SEED.workspaceSlug}`;

    app = await startApp();
    const firstResponseMs = app.firstResponseMs;
    console.log(`The app answered ${(firstResponseMs / 1000).toFixed(1)} s after wrangler dev started.`);
    // The bare Worker against itself: its ratio is 1 within the noise of the machine.
    figures.push(await measure(bare, bare, { label: "bare Worker", path: "/" }, cookie));
    const small: Target = { label: "overview at 60 instances", path: overview, signedIn: true };
    if (wanted(small)) figures.push(await measure(app, bare, small, cookie));
    await stopWrangler(app.server);
    app = undefined;

    const grown = await growWorkspace(now.getTime());
    console.log(
      `Grew ${SEED.workspaceSlug}: +${grown.repositories} repositories, +${grown.instances} instances, +${grown.deployments} deployments, +${grown.results} results (half the instances in acme/service-000).`,
    );
    app = await startApp();
    const targets: Target[] = [
      { label: "/ (home)", path: "/" },
      { label: "/pricing", path: "/pricing" },
      { label: "/docs/quick-start", path: "/docs/quick-start" },
      { label: "/status", path: "/status" },
      { label: "overview at 10,060 instances", path: overview, signedIn: true },
      {
        label: "overview, ?_data only",
        path: `${overview}?_data=routes%2Fdashboard.%24workspace._index`,
        signedIn: true,
      },
      {
        label: "instances of a repository, first page",
        path: `${overview}/repositories/acme/service-000?sort=component`,
        signedIn: true,
      },
      {
        label: "instances of a repository, deep page",
        path: `${overview}/repositories/acme/service-000?sort=component&cursor=${encodeURIComponent(grown.deepCursor)}`,
        signedIn: true,
      },
      { label: "instance page", path: `${overview}/instances/${BENCH_INSTANCE(1)}`, signedIn: true },
      { label: "pull requests", path: `${overview}/pull-requests`, signedIn: true },
      { label: "deployments", path: `${overview}/deployments`, signedIn: true },
    ];
    for (const target of targets.filter(wanted)) {
      figures.push(await measure(app, bare, target, cookie));
      process.stdout.write(".");
    }
    console.log("");
    table(figures);
    console.log(
      `\nServer bundle ${bundleKiB.raw.toFixed(1)} KiB, ${bundleKiB.gzip.toFixed(1)} KiB gzip. First response ${(firstResponseMs / 1000).toFixed(1)} s after wrangler dev started. ${CONNECTIONS} connections, ${SECONDS} s per target, CPU over ${SEQUENTIAL} sequential requests.`,
    );
    if (only) return;
    writeFileSync(
      RESULTS,
      `${JSON.stringify({ seconds: SECONDS, connections: CONNECTIONS, bundleKiB, firstResponseMs, figures }, null, 2)}\n`,
    );
    console.log(`Wrote ${RESULTS} in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  } finally {
    if (app) await stopWrangler(app.server);
    await stopWrangler(bareServer);
    if (existsSync(".bench")) rmSync(".bench", { recursive: true, force: true });
  }
}

await main();
