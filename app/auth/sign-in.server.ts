/**
 * Sign-in, start to finish, for every provider. Whatever fails — provider, network, database,
 * validation library, a throw of a non-Error — ends in the same place: a 302 to
 * `/login?error=<code>`, exactly one structured log line, no session written, and the flow's
 * cookies cleared. Nothing here can produce a null session.
 */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { Authenticator } from "remix-auth";
import { OAuth2RequestError } from "remix-auth-oauth2";
import type { SignInProvider } from "../config/env.server";
import { validate } from "../validation";
import { randomToken } from "../encoding";
import { clearFlow, clearOAuthStateCookies, readFlow, writeFlow, type SignInFlow } from "./flow-cookie.server";
import { devProviderAvailable, DevStrategy } from "./providers/dev.server";
import { githubIssuer, githubStrategy } from "./providers/github.server";
import { discover, oidcStrategy, type DiscoveryDocument } from "./providers/oidc.server";
import { providerProfile, type ProviderProfile } from "./providers/profile";
import { safeReturnTo } from "./return-to";
import { createSession, isHttps } from "./session.server";
import { SignInError, withTimeout, type SignInErrorCode } from "./sign-in-error";
import { recordSignIn, upsertUser } from "./users.server";

const BOOKKEEPING_TIMEOUT_MS = 3_000;

export function providerEnabled(
  provider: string,
  request: Request,
  context: AppLoadContext,
): provider is SignInProvider {
  if (provider === "dev") return devProviderAvailable(request, context);
  return (context.settings.AUTH_PROVIDERS as string[]).includes(provider) && provider !== "dev";
}

function oauthStateCookieName(request: Request) {
  return isHttps(request) ? "__Host-atmos_oauth" : "atmos_oauth";
}

/** A new Authenticator per request: the redirect URI comes from the request's origin (previews work). */
async function authenticatorFor(
  provider: SignInProvider,
  request: Request,
  context: AppLoadContext,
  flow: { nonce: string; expected: SignInFlow | null },
  discovered?: DiscoveryDocument,
): Promise<Authenticator<ProviderProfile>> {
  const authenticator = new Authenticator<ProviderProfile>();
  const redirectURI = `${new URL(request.url).origin}/auth/${provider}/callback`;
  const cookie = { name: oauthStateCookieName(request), secure: isHttps(request) };
  if (provider === "github") {
    authenticator.use(githubStrategy(context.settings, { redirectURI, cookie }), "github");
  } else if (provider === "oidc") {
    const document = discovered ?? (await discover(context.settings.OIDC_ISSUER ?? "", context.now()));
    authenticator.use(
      oidcStrategy(context.settings, document, {
        redirectURI,
        cookie,
        nonce: flow.nonce,
        expectedNonce: flow.expected?.nonce ?? null,
        now: context.now,
      }),
      "oidc",
    );
  } else {
    authenticator.use(new DevStrategy({ state: flow.nonce, expectedState: flow.expected?.nonce ?? null }), "dev");
  }
  return authenticator;
}

/**
 * RFC 9207: an `iss` on the authorization response must name the issuer we sent the person to, and
 * an OpenID provider that promises `iss` (`authorization_response_iss_parameter_supported`) must
 * send it. Either failure means the response may belong to another provider: refuse it.
 */
function checkResponseIssuer(
  provider: SignInProvider,
  iss: string | null,
  context: AppLoadContext,
  document: DiscoveryDocument | null,
) {
  if (provider === "oidc" && document) {
    if (iss === null) {
      if (document.authorization_response_iss_parameter_supported === true)
        throw new SignInError("issuer_mismatch", "iss_missing");
      return;
    }
    // A simple string comparison, as RFC 9207 §2.4 asks.
    if (iss !== document.issuer) throw new SignInError("issuer_mismatch", "iss_differs");
    return;
  }
  if (iss === null) return;
  const expected = provider === "github" ? githubIssuer(context.settings) : "dev";
  if (iss.replace(/\/+$/, "") !== expected.replace(/\/+$/, "")) throw new SignInError("issuer_mismatch", "iss_differs");
}

/** Maps anything thrown during sign-in to a code. Library errors are matched by class. */
export function signInErrorCode(error: unknown): SignInErrorCode {
  if (error instanceof SignInError) return error.code;
  if (error instanceof OAuth2RequestError) return error.code === "access_denied" ? "access_denied" : "provider_error";
  // remix-auth-oauth2 checks the callback with built-in error classes:
  // RangeError: the state does not match; ReferenceError: state cookie, verifier or code missing.
  if (error instanceof RangeError) return "state_mismatch";
  if (error instanceof ReferenceError) return /code in the url/i.test(error.message) ? "code_missing" : "state_missing";
  return "unexpected";
}

function logFailure(context: AppLoadContext, provider: string, error: unknown, code: SignInErrorCode) {
  // "errorCode", not "code": the logger redacts any field named `code` (OAuth authorization codes).
  const fields = {
    errorCode: code,
    provider,
    detail: error instanceof SignInError ? error.detail : undefined,
    errorName: error instanceof Error ? error.name : typeof error,
  };
  if (code === "unexpected" || code === "account_unavailable") context.logger.error("sign_in_failed", fields);
  else context.logger.warn("sign_in_failed", fields);
}

async function failure(request: Request, context: AppLoadContext, provider: string, error: unknown): Promise<Response> {
  let code: SignInErrorCode = "unexpected";
  try {
    code = signInErrorCode(error);
  } catch {
    // Even classification failing must not escape.
  }
  logFailure(context, provider, error, code);
  const headers = new Headers();
  try {
    headers.append("Set-Cookie", await clearFlow(request, context));
    for (const cookie of clearOAuthStateCookies(request, oauthStateCookieName(request)))
      headers.append("Set-Cookie", cookie);
  } catch {
    // Clearing cookies is best effort; the redirect must still happen.
  }
  return redirect(`/login?error=${code}`, { headers });
}

/** POST /auth/:provider — leave for the provider. */
export async function startSignIn(
  provider: string,
  request: Request,
  context: AppLoadContext,
  returnToInput: unknown,
): Promise<Response> {
  if (!providerEnabled(provider, request, context)) {
    return failure(request, context, provider, new SignInError("provider_unavailable"));
  }
  const flow: SignInFlow = { v: 1, provider, returnTo: safeReturnTo(returnToInput), nonce: randomToken() };
  try {
    const authenticator = await authenticatorFor(provider, request, context, { nonce: flow.nonce, expected: null });
    // Strip the query: the start request must not look like a callback.
    const start = new Request(new URL(request.url).origin + new URL(request.url).pathname, {
      headers: request.headers,
    });
    await authenticator.authenticate(provider, start);
    throw new SignInError("unexpected", "start_did_not_redirect");
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status >= 300 && thrown.status < 400) {
      const response = new Response(null, thrown);
      response.headers.append("Set-Cookie", await writeFlow(request, context, flow));
      return response;
    }
    return failure(request, context, provider, thrown);
  }
}

/** GET /auth/:provider/callback — come back, check everything, open a session. */
export async function completeSignIn(provider: string, request: Request, context: AppLoadContext): Promise<Response> {
  try {
    if (!providerEnabled(provider, request, context)) throw new SignInError("provider_unavailable");
    const flow = await readFlow(request, context);
    const url = new URL(request.url);
    if (url.searchParams.get("error") === "access_denied") throw new SignInError("access_denied");
    if (!flow || flow.provider !== provider)
      throw new SignInError("state_missing", flow ? "provider_mismatch" : "no_flow_cookie");

    const document = provider === "oidc" ? await discover(context.settings.OIDC_ISSUER ?? "", context.now()) : null;
    checkResponseIssuer(provider, url.searchParams.get("iss"), context, document);

    const authenticator = await authenticatorFor(
      provider,
      request,
      context,
      { nonce: flow.nonce, expected: flow },
      document ?? undefined,
    );
    const profile = validate(providerProfile, await authenticator.authenticate(provider, request));
    if (!profile.ok)
      throw new SignInError("profile_unavailable", profile.crashed ? "validator_crashed" : "profile_shape");

    const now = context.now();
    let sessionCookie: string;
    let account: { userId: string; identityId: string };
    try {
      account = await upsertUser(context.db, profile.value, now);
      sessionCookie = await createSession(request, context, account.userId, provider);
    } catch (error) {
      throw new SignInError("account_unavailable", error instanceof Error ? error.name : "non_error");
    }

    context.cloudflare.ctx.waitUntil(
      withTimeout(
        BOOKKEEPING_TIMEOUT_MS,
        recordSignIn(context.db, { ...account, provider, now }),
        () => new Error("sign-in bookkeeping timed out"),
      ).catch((error: unknown) =>
        context.logger.warn("sign_in_bookkeeping_failed", {
          error: error instanceof Error ? error.message : "non_error",
        }),
      ),
    );
    context.logger.info("signed_in", { provider, userId: account.userId });

    const headers = new Headers();
    headers.append("Set-Cookie", sessionCookie);
    headers.append("Set-Cookie", await clearFlow(request, context));
    for (const cookie of clearOAuthStateCookies(request, oauthStateCookieName(request)))
      headers.append("Set-Cookie", cookie);
    return redirect(safeReturnTo(flow.returnTo), { headers });
  } catch (error) {
    return failure(request, context, provider, error);
  }
}
