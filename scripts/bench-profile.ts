/**
 * Where a page's CPU goes: `npm run bench:profile -- <path> [--signed-in] [--requests N]`.
 * Prints figures, asserts nothing (issue 16: find costs with a CPU profile, not guesses).
 *
 * Builds the production bundle with a source map, seeds a local D1 of its own (.bench/profile), starts
 * the app under `wrangler dev` with its inspector on a free port, and connects to the Worker's
 * isolate over the DevTools protocol. After a warm-up it records a CPU profile (100 µs sampling) of N
 * sequential requests (default 300) and prints the self time by place — the package in node_modules,
 * or our file in app/ and db/ — then the 25 costliest functions, both mapped through the source map,
 * then the total time (with what they call) of our functions and of Remix's and React's.
 * `--save <file>` also writes the .cpuprofile (open it in Chrome's DevTools, Performance tab).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import WebSocket from "ws";
import { ensureDevVars, migrateAndSeed } from "./local-d1";
import {
  assertDevelopmentVars,
  freePort,
  mintOwnerSession,
  readDevVars,
  startWrangler,
  stopWrangler,
  waitUntilReady,
} from "./wrangler-dev";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
process.chdir(ROOT);
const PERSIST = ".bench/profile";

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const path = args.find((arg, i) => !arg.startsWith("--") && !args[i - 1]?.startsWith("--")) ?? "/";
const signedIn = args.includes("--signed-in");
const requests = Number(option("--requests") ?? "300");
const save = option("--save");

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** One DevTools protocol session: send a method, await its result. */
function devtools(url: string) {
  const socket = new WebSocket(url);
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const done = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) throw new Error(`DevTools: ${message.error.message}`);
    done?.(message.result);
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    opened,
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = ++next;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

/** The Worker's isolate among the inspector's targets (wrangler also lists its own helper workers). */
async function workerTarget(inspectorPort: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{
        id: string;
        title?: string;
        webSocketDebuggerUrl?: string;
      }>;
      const target = targets.find((t) => t.webSocketDebuggerUrl && /atmos-pro/.test(t.title ?? t.id)) ?? targets[0];
      if (target?.webSocketDebuggerUrl) return target.webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`No inspector target on 127.0.0.1:${inspectorPort}`);
}

/**
 * wrangler dev runs its own bundle of build/index.js (its middleware around ours) from .wrangler/tmp;
 * that bundle's source map leads through build/index.js.map back to our files and the packages'.
 */
function wranglerBundleMap(): TraceMap {
  const dirs = readdirSync(".wrangler/tmp")
    .filter((dir) => dir.startsWith("dev-") && existsSync(`.wrangler/tmp/${dir}/index.js.map`))
    .map((dir) => ({ dir, at: statSync(`.wrangler/tmp/${dir}/index.js.map`).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  if (!dirs[0]) throw new Error("wrangler dev left no bundle with a source map in .wrangler/tmp");
  return new TraceMap(readFileSync(`.wrangler/tmp/${dirs[0].dir}/index.js.map`, "utf8"));
}

/** Where a sample's code comes from: a package in node_modules, or our own file. */
function placeOf(source: string | null): string {
  if (!source) return "(no source)";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (modules) return modules[1]!;
  const ours = /(?:^|\/)((?:app|db)\/.*)$/.exec(source);
  return ours ? ours[1]! : source;
}

/** A profile node's place (package or file of ours) and its function's label, through the source map. */
function labelOf(frame: CallFrame, map: TraceMap): { place: string; fn: string } {
  if (frame.url.endsWith("index.js")) {
    const original = originalPositionFor(map, { line: frame.lineNumber + 1, column: frame.columnNumber });
    const place = placeOf(original.source);
    return { place, fn: `${original.name ?? frame.functionName ?? "(anonymous)"} ${place}:${original.line ?? "?"}` };
  }
  const place = frame.url === "" ? frame.functionName || "(native)" : frame.url;
  return { place, fn: `${frame.functionName || "(anonymous)"} ${place}` };
}

function summarise(profile: Profile, map: TraceMap) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const labels = new Map(profile.nodes.map((node) => [node.id, labelOf(node.callFrame, map)]));

  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const us = profile.timeDeltas[i] ?? 0;
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === "(idle)") continue;
    const { place, fn } = labels.get(id)!;
    total += us;
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    // Total time: every function on the sample's stack, once per sample (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const label = labels.get(at)!.fn;
      if (seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + us);
    }
  }
  const print = (title: string, entries: Map<string, number>, limit: number) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
      console.log(
        `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000 / requests).toFixed(2).padStart(6)} ms/req  ${name}`,
      );
    }
  };
  console.log(
    `\n${path}: ${(total / 1000 / requests).toFixed(2)} ms of the Worker's CPU per request (sampled, idle excluded), over ${requests} requests.`,
  );
  print("Self time by place:", byPlace, 20);
  print("The costliest functions (self time):", byFunction, 25);
  // Our own functions and the libraries' entry points, by the time spent in them and what they call.
  const ours = new Map(
    [...inclusive].filter(([label]) => / (app|db)\//.test(label) || /(remix-run|react-dom)/.test(label)),
  );
  print("Total time (with what they call) of our functions and Remix's and React's:", ours, 30);
}

async function main() {
  execFileSync("npx", ["remix", "build", "--sourcemap"], { stdio: ["ignore", "ignore", "inherit"] });
  ensureDevVars();
  const vars = readDevVars();
  assertDevelopmentVars(vars);
  rmSync(PERSIST, { recursive: true, force: true });
  await migrateAndSeed(PERSIST, new Date());
  const session = await mintOwnerSession(PERSIST, vars, "http://127.0.0.1", () => new Date());
  const headers: Record<string, string> = signedIn ? { cookie: `${session.name}=${session.value}` } : {};

  const port = await freePort();
  const inspectorPort = await freePort();
  const server = startWrangler(
    port,
    PERSIST,
    {},
    {
      logFile: ".bench/profile.log",
      args: ["--inspector-port", String(inspectorPort)],
    },
  );
  try {
    const url = `http://127.0.0.1:${port}${path}`;
    await waitUntilReady(url, server, 90_000);
    const map = wranglerBundleMap();
    const hit = async () => {
      const response = await fetch(url, { headers, redirect: "manual" });
      await response.arrayBuffer();
      return response.status;
    };
    const status = await hit();
    for (let i = 0; i < 50; i++) await hit();
    const session = devtools(await workerTarget(inspectorPort));
    await session.opened;
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    for (let i = 0; i < requests; i++) await hit();
    const { profile } = await session.send<{ profile: Profile }>("Profiler.stop");
    session.close();
    console.log(`GET ${path} answered ${status}${signedIn ? " (signed in as the seeded owner)" : ""}.`);
    if (save) writeFileSync(save, JSON.stringify(profile));
    summarise(profile, map);
  } finally {
    await stopWrangler(server);
    rmSync(".bench", { recursive: true, force: true });
  }
}

await main();
