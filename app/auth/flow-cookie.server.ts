/**
 * What a sign-in needs to remember between leaving for the provider and coming back, in one
 * signed, short-lived cookie: the provider, where to return, the OIDC nonce and the dev state.
 * (remix-auth-oauth2 keeps its own state + PKCE verifier cookie beside it.)
 */
import { createCookie, type AppLoadContext } from "@remix-run/cloudflare";
import { type, validate } from "../validation";
import { isHttps } from "./session.server";

const FLOW_TTL_SECONDS = 600;

export const signInFlow = type({
  v: "1",
  provider: "'github' | 'oidc' | 'dev'",
  returnTo: "string",
  nonce: "string",
});
export type SignInFlow = typeof signInFlow.infer;

function flowCookie(request: Request, context: Pick<AppLoadContext, "settings">) {
  return createCookie(isHttps(request) ? "__Host-atmos_signin" : "atmos_signin", {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(request),
    path: "/",
    maxAge: FLOW_TTL_SECONDS,
    secrets: context.settings.SESSION_SECRET,
  });
}

export async function writeFlow(
  request: Request,
  context: Pick<AppLoadContext, "settings">,
  flow: SignInFlow,
): Promise<string> {
  return flowCookie(request, context).serialize(flow);
}

/** The flow, or null when the cookie is missing, tampered with or not in our shape. */
export async function readFlow(
  request: Request,
  context: Pick<AppLoadContext, "settings">,
): Promise<SignInFlow | null> {
  let value: unknown;
  try {
    value = await flowCookie(request, context).parse(request.headers.get("Cookie"));
  } catch {
    return null;
  }
  const checked = validate(signInFlow, value);
  return checked.ok ? checked.value : null;
}

export async function clearFlow(request: Request, context: Pick<AppLoadContext, "settings">): Promise<string> {
  return flowCookie(request, context).serialize("", { maxAge: 0, expires: new Date(0) });
}

/** Clears every per-tab state cookie remix-auth-oauth2 set (`<name>:<uuid>`). */
export function clearOAuthStateCookies(request: Request, baseName: string): string[] {
  const header = request.headers.get("Cookie") ?? "";
  const secure = isHttps(request) ? "; Secure" : "";
  return header
    .split(";")
    .map((part) => part.trim().split("=")[0] ?? "")
    .filter((name) => name.startsWith(`${baseName}:`))
    .map((name) => `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
}
