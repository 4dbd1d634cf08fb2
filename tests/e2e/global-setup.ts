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
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startFakeProviders, type FakeProvidersInfo } from "../fakes/server";
import { startCertifiedProvider, type CertifiedProvider, type CertifiedProviderInfo } from "./certified-op";
import { runClock, runNow } from "../run-clock";
import { e2eServerVars } from "./server-settings";
import { ensureDevVars, migrateAndSeed } from "../../scripts/local-d1";
import {
  assertDevelopmentVars,
  freePort,
  killGroup,
  stopWrangler,
  mintOwnerSession,
  readDevVars,
  startWrangler,
  waitUntilReady,
  type Server,
} from "../../scripts/wrangler-dev";
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
    server = startWrangler(
      port,
      persistTo,
      { ...e2eServerVars(fakesInfo, certified.info), CLOCK_OFFSET_MS: String(clock.offsetMs) },
      { logFile: `${ARTIFACTS}wrangler.log` },
    );
  } catch (error) {
    await closeFakes();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off("exit", stopOnExit);
      try {
        await stopWrangler(server);
        rmSync(persistPath, { recursive: true, force: true });
      } finally {
        await closeFakes();
      }
    })());
  // If vitest dies without running teardown (Ctrl+C), still take the whole group down.
  const stopOnExit = () => killGroup(server.child, "SIGKILL");
  process.on("exit", stopOnExit);

  try {
    await waitUntilReady(`${baseURL}/`, server, READY_TIMEOUT_MS);
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
