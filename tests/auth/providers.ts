/**
 * Sign-in against the local fake providers (tests/fakes), calling the sign-in module the routes
 * call. Each step is a real HTTP exchange: our code ↔ fake provider, the "browser" hop included.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { completeSignIn, startSignIn } from "~/auth/sign-in.server";
import { updateJar } from "../auth";
import { testContext } from "../context";
import { fakes } from "../fakes/control";
import { ORIGIN } from "../http";

export async function providerRequests(): Promise<
  Array<{ method: string; path: string; query: Record<string, string>; headers: Record<string, string> }>
> {
  const response = await fetch(`${fakes().controlUrl}/requests`);
  return response.json();
}

export type Started = { jar: string; authorizeUrl: URL; response: Response };

export async function start(
  provider: string,
  options: { returnTo?: string; context?: AppLoadContext } = {},
): Promise<Started> {
  const request = new Request(`${ORIGIN}/auth/${provider}`, { method: "POST", headers: { Origin: ORIGIN } });
  const response = await startSignIn(
    provider,
    request,
    options.context ?? testContext(),
    options.returnTo ?? "/dashboard",
  );
  const location = response.headers.get("location") ?? "";
  return { jar: updateJar("", response), authorizeUrl: new URL(location, ORIGIN), response };
}

/** What the browser does at the provider: follow its authorization endpoint back to our callback. */
export async function atProvider(authorizeUrl: URL): Promise<URL> {
  const response = await fetch(authorizeUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (!location) throw new Error(`the fake authorization endpoint answered ${response.status} without a redirect`);
  return new URL(location);
}

export async function callback(provider: string, url: URL, jar: string, context: AppLoadContext = testContext()) {
  const request = new Request(url, { headers: jar ? { Cookie: jar } : {} });
  const response = await completeSignIn(provider, request, context);
  return { response, jar: updateJar(jar, response), context };
}

/** Start → provider → callback in one go. */
export async function signIn(
  provider: "github" | "oidc",
  options: { returnTo?: string; context?: AppLoadContext } = {},
) {
  const started = await start(provider, options);
  const back = await atProvider(started.authorizeUrl);
  return callback(provider, back, started.jar, options.context);
}
