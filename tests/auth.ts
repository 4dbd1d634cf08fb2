/** Signing in for tests: a real session row and a real signed cookie, as the callback makes them. */
import { ORIGIN } from "./http";
import { testContext } from "./context";
import { createSession } from "~/auth/session.server";
import type { SignInProvider } from "~/config/env.server";

/** The `Cookie` header value of a fresh session for `userId`, signed in with `provider` (`oidc`: single sign-on). */
export async function sessionCookieFor(
  userId: string,
  origin = ORIGIN,
  provider: SignInProvider = "dev",
): Promise<string> {
  const setCookie = await createSession(new Request(`${origin}/`), testContext(), userId, provider);
  return setCookie.split(";")[0]!;
}

/** Every `Set-Cookie` of a response, as name → full header. */
export function setCookies(response: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) out.set(header.split("=")[0]!, header);
  return out;
}

/** Merge a response's cookies into a jar (a `Cookie` header string), honouring deletions. */
export function updateJar(jar: string, response: Response): string {
  const cookies = new Map(
    jar
      .split(";")
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.split("=")[0]!, pair] as const),
  );
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(";")[0]!;
    const name = pair.split("=")[0]!;
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(header) || pair === `${name}=`) cookies.delete(name);
    else cookies.set(name, pair);
  }
  return [...cookies.values()].join("; ");
}
