/**
 * vitest globalSetup: starts the fake GitHub and OIDC providers (tests/fakes/providers.ts) once
 * per run, hands their URLs and client credentials to the tests as `inject("fakeProviders")`, and
 * stops them (open sockets included) on teardown.
 *
 *   globalSetup: ["./tests/fakes/global-setup.ts"]
 *   const fakes = inject("fakeProviders"); // { githubUrl, githubApiUrl, oidcIssuer, controlUrl, clientId, clientSecret }
 */
import type { TestProject } from "vitest/node";
import { startFakeProviders, type FakeProvidersInfo } from "./providers";

declare module "vitest" {
  export interface ProvidedContext {
    fakeProviders: FakeProvidersInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fakes = await startFakeProviders();
  const { close, ...info } = fakes;
  project.provide("fakeProviders", info);
  return async () => {
    await close();
  };
}
