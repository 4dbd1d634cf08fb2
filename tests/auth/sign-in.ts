/** Drives a sign-in through the Worker the way a browser does: redirects followed by hand, cookies kept. */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { ORIGIN } from "../http";
import { updateJar } from "../auth";

export type Step = { response: Response; jar: string };

export async function request(path: string, jar: string, init: RequestInit = {}, origin = ORIGIN): Promise<Step> {
  const headers = new Headers(init.headers);
  if (jar) headers.set("Cookie", jar);
  const url = path.startsWith("http") ? path : `${origin}${path}`;
  headers.set("Host", new URL(url).host);
  const response = await SELF.fetch(url, { redirect: "manual", ...init, headers });
  return { response, jar: updateJar(jar, response) };
}

export function form(fields: Record<string, string>, origin = ORIGIN): RequestInit {
  return {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
  };
}

export function location(response: Response): string {
  const value = response.headers.get("location");
  expect(value, `expected a redirect, got ${response.status}`).toBeTruthy();
  return value!;
}

/** Signs in with the dev provider; returns the final redirect and the cookie jar. */
export async function signInWithDev(
  login: string,
  name: string,
  returnTo = "/dashboard",
  origin = ORIGIN,
): Promise<Step> {
  const start = await request("/auth/dev", "", form({ returnTo }, origin), origin);
  expect(start.response.status).toBe(302);
  const authorizeUrl = new URL(location(start.response), origin);
  expect(authorizeUrl.pathname).toBe("/auth/dev/authorize");
  const state = authorizeUrl.searchParams.get("state")!;
  const picked = await request("/auth/dev/authorize", start.jar, form({ state, login, name }, origin), origin);
  expect(picked.response.status).toBe(302);
  return request(location(picked.response), picked.jar, {}, origin);
}
