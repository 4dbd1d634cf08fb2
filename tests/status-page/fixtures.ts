/** Calling the status routes directly, as the Worker would, with OPERATOR_LOGINS set for the test. */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { sessionCookieFor } from "../auth";
import { testContext } from "../context";
import { dumpDatabase, type Dump } from "../db";
import { ORIGIN } from "../http";

export const OPERATOR_SETTINGS = { OPERATOR_LOGINS: "acme-owner" } as const;

export function operatorContext(overrides: Partial<AppLoadContext> = {}): AppLoadContext {
  return testContext(overrides, OPERATOR_SETTINGS);
}

/** A loader/action's answer, whether it returned or threw its Response. */
export async function answer(run: () => Promise<unknown>): Promise<Response> {
  try {
    const value = await run();
    if (value instanceof Response) return value;
    throw new Error(`expected a Response, got ${typeof value}`);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

export async function formRequest(
  path: string,
  fields: Record<string, string | string[]>,
  options: { userId?: string; origin?: string } = {},
): Promise<Request> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  const headers = new Headers({
    "Content-Type": "application/x-www-form-urlencoded",
    Origin: options.origin ?? ORIGIN,
    Host: new URL(ORIGIN).host,
  });
  if (options.userId) headers.set("Cookie", await sessionCookieFor(options.userId));
  return new Request(`${ORIGIN}${path}`, { method: "POST", body, headers });
}

export async function getRequest(path: string, userId?: string): Promise<Request> {
  const headers = new Headers();
  if (userId) headers.set("Cookie", await sessionCookieFor(userId));
  return new Request(`${ORIGIN}${path}`, { headers });
}

/** Every table but sessions (reading a session pushes its expiry forward; that is not a change we test). */
export function dumpContent(): Promise<Dump> {
  return dumpDatabase({ except: ["sessions"] });
}
