/**
 * vitest globalSetup: starts the fake GitHub and OIDC providers (tests/fakes/server.ts) once
 * per run, hands their URLs and client credentials to the tests as `inject("fakeProviders")`, and
 * stops them (open sockets included) on teardown.
 *
 *   globalSetup: ["./tests/fakes/global-setup.ts"]
 *   const fakes = inject("fakeProviders"); // { githubUrl, githubApiUrl, oidcIssuer, controlUrl, clientId, clientSecret }
 */
import type { TestProject } from "vitest/node";
import { runClock, runNow } from "../run-clock";
import { startFakeProviders, type FakeProvidersInfo } from "./server";
import { startFakeSentry, type FakeSentryInfo } from "./sentry";

declare module "vitest" {
  export interface ProvidedContext {
    fakeProviders: FakeProvidersInfo;
    /** The fake Sentry ingest endpoint (tests/fakes/sentry.ts). */
    fakeSentry: FakeSentryInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fakes = await startFakeProviders({ now: runNow() });
  const { close, ...info } = fakes;
  project.provide("fakeProviders", info);
  const { close: closeSentry, ...sentry } = await startFakeSentry();
  project.provide("fakeSentry", sentry);
  project.provide("runClock", runClock());
  return async () => {
    await Promise.all([close(), closeSentry()]);
  };
}
