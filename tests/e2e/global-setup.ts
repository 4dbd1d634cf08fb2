/**
 * The server the e2e tests run against: a fresh local D1 (migrated + seeded) under
 * .e2e/state-<pid>, served by `wrangler dev` on a free port. The base URL reaches the tests through
 * `provide("e2eBaseURL")` / `inject("e2eBaseURL")`. Teardown kills wrangler's whole process group
 * (wrangler + workerd) and removes the state directory.
 *
 * Signing in: before the server starts, a session for the seeded owner is created in that D1 with
 * the app's own `createSession` (same row, same signed cookie as a real sign-in, SESSION_SECRET from
 * .dev.vars) and handed to the tests as `inject("e2eOwnerSession")`; harness.newPage(..., { signedIn })
 * puts it in the browser. (A test of the sign-in flow itself should go through /login instead.)
 *
 * Providers: OIDC sign-in goes to a certified OpenID provider (oidc-provider, tests/e2e/certified-op.ts)
 * started on loopback, on the run's clock, before wrangler dev; the fake GitHub and the fake GitHub
 * Actions issuer (tests/fakes/server.ts) start beside it. wrangler dev is pointed at them with
 * `--var` (which wrangler applies over .dev.vars): AUTH_PROVIDERS=dev,oidc and the settings in
 * server-settings.ts. They reach the tests as `inject("e2eCertifiedProvider")` and
 * `inject("e2eFakeProviders")`; teardown closes them after wrangler has stopped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { getPlatformProxy } from "wrangler";
import { createDatabase } from "../../db/client";
import { SEED } from "../../db/seed";
import { createSession } from "../../app/auth/session.server";
import type { Clock } from "../../app/clock";
import { startFakeProviders, type FakeProvidersInfo } from "../fakes/server";
import { startCertifiedProvider, type CertifiedProvider, type CertifiedProviderInfo } from "./certified-op";
import { runClock, runNow } from "../run-clock";
import { e2eServerVars } from "./server-settings";
import { ensureDevVars, migrateAndSeed, QUIET_WRANGLER_ENV, quietEnv, wranglerBin } from "../../scripts/local-d1";
import { seedContractFixtures } from "../contract/fixtures";

declare module "vitest" {
  export interface ProvidedContext {
    /** e.g. http://127.0.0.1:41234 (no trailing slash) */
    e2eBaseURL: string;
    /** The seeded owner's session cookie (name "atmos_session" over http). */
    e2eOwnerSession: { name: string; value: string };
    /** The fake GitHub (and Actions issuer) the e2e server talks to. */
    e2eFakeProviders: FakeProvidersInfo;
    /** The certified OpenID provider the e2e server's OIDC sign-in uses. */
    e2eCertifiedProvider: CertifiedProviderInfo;
  }
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** A port nothing listens on right now: bind port 0 on 127.0.0.1 and give it back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a listening socket"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** The scripts in scripts/local-d1.ts use paths relative to the project root. */
async function inRoot<T>(fn: () => T | Promise<T>): Promise<T> {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    return await fn();
  } finally {
    process.chdir(previous);
  }
}

/** KEY=VALUE lines of .dev.vars (dotenv subset: comments, optional quotes). */
function readDevVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(`${ROOT}.dev.vars`, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

function assertDevelopmentVars(vars: Record<string, string>) {
  if (vars.ENVIRONMENT !== "development") {
    throw new Error(".dev.vars must set ENVIRONMENT=development for the e2e run. Compare it with .dev.vars.example.");
  }
  if (!vars.SESSION_SECRET)
    throw new Error(".dev.vars must set SESSION_SECRET for the e2e run. Compare it with .dev.vars.example.");
}

/** A live session for the seeded owner in the e2e D1, and the cookie that carries it. */
async function mintOwnerSession(persistTo: string, vars: Record<string, string>, baseURL: string, now: Clock) {
  Object.assign(process.env, QUIET_WRANGLER_ENV);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    persist: { path: `${persistTo}/v3` },
    remoteBindings: false,
  });
  try {
    const context = {
      db: createDatabase(proxy.env.DB),
      settings: { SESSION_SECRET: vars.SESSION_SECRET!.split(",").map((secret) => secret.trim()) },
      now,
    } as unknown as Parameters<typeof createSession>[1];
    const request = new Request(`${baseURL}/`, { headers: { "User-Agent": "atmos-pro e2e" } });
    const setCookie = await createSession(request, context, SEED.ownerId, "dev");
    const match = /^([^=;\s]+)=([^;]*)/.exec(setCookie);
    if (!match) throw new Error(`createSession returned an unexpected Set-Cookie: ${setCookie.slice(0, 40)}…`);
    return { name: match[1]!, value: match[2]! };
  } finally {
    await proxy.dispose();
  }
}

type Server = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startWrangler(port: number, persistTo: string, vars: Record<string, string>): Server {
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(`${ARTIFACTS}wrangler.log`);
  const lines: string[] = [];
  const capture = (chunk: Buffer) => {
    log.write(chunk);
    lines.push(...chunk.toString("utf8").split("\n"));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const child = spawn(
    wranglerBin(),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persistTo,
      "--log-level",
      "warn",
      // One flag per variable: `--var` is a yargs array, and wrangler splits each at the first ":".
      ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ],
    {
      cwd: ROOT,
      env: quietEnv({ CI: "true" }),
      // Its own process group, so teardown can stop wrangler and the workerd it spawned together.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", capture);
  child.stderr!.on("data", capture);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code, signal) => {
      log.end();
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return { child, output: () => lines.join("\n").trim(), exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntilReady(url: string, server: Server): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exitCode: number | null | undefined;
  void server.exited.then((code) => {
    exitCode = code;
  });
  let lastError = "";
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `wrangler dev exited (code ${exitCode}) before answering ${url}.\nIts output:\n${server.output()}`,
      );
    }
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError =
        error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ""}` : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `wrangler dev did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s (last error: ${lastError}).\nIts output:\n${server.output()}`,
  );
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const clock = runClock();
  const fixedNow = new Date(clock.fixedNow);
  const now = runNow();
  const persistTo = `.e2e/state-${process.pid}`;
  const persistPath = `${ROOT}${persistTo}`;
  rmSync(persistPath, { recursive: true, force: true });

  const ownerSession = await inRoot(async () => {
    ensureDevVars();
    const vars = readDevVars();
    assertDevelopmentVars(vars);
    if (!existsSync("build/index.js"))
      throw new Error("build/index.js is missing: run `remix build` first (npm run test:e2e does).");
    // The run's data is written at FIXED_NOW, and the server runs on the same clock (CLOCK_OFFSET_MS).
    await migrateAndSeed(persistTo, fixedNow);
    await seedContractFixtures(persistTo, fixedNow);
    // The cookie's name depends only on the scheme (http here), not on the port.
    return mintOwnerSession(persistTo, vars, "http://127.0.0.1", now);
  });

  // The providers must answer before the Worker first needs them (discovery at sign-in).
  const fakes = await startFakeProviders({ now });
  const { close: closeFakesOnly, ...fakesInfo } = fakes;
  let certified: CertifiedProvider | undefined;
  const closeFakes = async () => {
    await Promise.allSettled([certified?.close(), closeFakesOnly()]);
  };

  // Picked just before wrangler binds it, to keep the window for another process small (the
  // certified provider, which registers our callback URL, starts in between: about a second).
  let server: Server;
  let baseURL: string;
  try {
    const port = await freePort();
    baseURL = `http://127.0.0.1:${port}`;
    mkdirSync(ARTIFACTS, { recursive: true });
    certified = await startCertifiedProvider({
      redirectUri: `${baseURL}/auth/oidc/callback`,
      offsetMs: clock.offsetMs,
      logFile: `${ARTIFACTS}certified-op.log`,
    });
    server = startWrangler(port, persistTo, {
      ...e2eServerVars(fakesInfo, certified.info),
      CLOCK_OFFSET_MS: String(clock.offsetMs),
    });
  } catch (error) {
    await closeFakes();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off("exit", stopOnExit);
      try {
        killGroup(server.child, "SIGTERM");
        const timer = setTimeout(() => killGroup(server.child, "SIGKILL"), STOP_TIMEOUT_MS);
        await server.exited;
        clearTimeout(timer);
        // workerd may outlive wrangler's exit by a moment; make sure nothing in the group survives.
        killGroup(server.child, "SIGKILL");
        rmSync(persistPath, { recursive: true, force: true });
      } finally {
        await closeFakes();
      }
    })());
  // If vitest dies without running teardown (Ctrl+C), still take the whole group down.
  const stopOnExit = () => killGroup(server.child, "SIGKILL");
  process.on("exit", stopOnExit);

  try {
    await waitUntilReady(`${baseURL}/`, server);
  } catch (error) {
    await stop();
    throw error;
  }

  console.log(
    `[e2e] wrangler dev ready at ${baseURL} (clock at ${clock.fixedNow} when the run started) in ${((Date.now() - started) / 1000).toFixed(1)} s (state: ${persistTo})`,
  );
  project.provide("e2eBaseURL", baseURL);
  project.provide("e2eOwnerSession", ownerSession);
  project.provide("e2eFakeProviders", fakesInfo);
  project.provide("e2eCertifiedProvider", certified.info);
  project.provide("runClock", clock);

  return stop;
}
