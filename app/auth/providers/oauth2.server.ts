/**
 * remix-auth-oauth2's strategy with the guarantees sign-in needs on top:
 * - the token exchange is bounded in time;
 * - an HTTP 200 answer with an `error` body (GitHub's way of failing) is a failure, not tokens;
 * - every failure of the exchange is a SignInError("token_exchange_failed"), so nothing from the
 *   network or the library can leak out as anything else.
 */
import { OAuth2Strategy } from "remix-auth-oauth2";
import { PROVIDER_TIMEOUT_MS, SignInError, withTimeout } from "../sign-in-error";

type Tokens = Awaited<ReturnType<OAuth2Strategy<unknown>["refreshToken"]>>;

export class BoundedOAuth2Strategy<User> extends OAuth2Strategy<User> {
  /** Extra authorization parameters (the OIDC nonce). */
  extraAuthorizationParams: Record<string, string> = {};

  protected override authorizationParams(params: URLSearchParams, request: Request): URLSearchParams {
    const out = super.authorizationParams(params, request);
    for (const [key, value] of Object.entries(this.extraAuthorizationParams)) out.set(key, value);
    return out;
  }

  protected override async validateAuthorizationCode(code: string, codeVerifier: string): Promise<Tokens> {
    let tokens: Tokens;
    try {
      tokens = await withTimeout(
        PROVIDER_TIMEOUT_MS,
        super.validateAuthorizationCode(code, codeVerifier),
        () => new SignInError("token_exchange_failed", "timeout"),
      );
    } catch (error) {
      if (error instanceof SignInError) throw error;
      throw new SignInError("token_exchange_failed", error instanceof Error ? error.name : "non_error");
    }
    const data = tokens.data as Record<string, unknown>;
    if (typeof data.error === "string") {
      throw new SignInError("token_exchange_failed", `error_body:${data.error.slice(0, 64)}`);
    }
    if (typeof data.access_token !== "string" || data.access_token === "") {
      throw new SignInError("token_exchange_failed", "no_access_token");
    }
    return tokens;
  }
}

type ProviderFetchCode = "profile_unavailable" | "discovery_failed" | "userinfo_unavailable";

/**
 * Fetch from a provider: bounded (the body too: the signal covers reading it), status-checked,
 * no redirects followed; failures become `code`. Returns the answer's media type and its text.
 */
export async function fetchProviderText(
  url: string,
  init: RequestInit,
  code: ProviderFetchCode,
): Promise<{ contentType: string; text: string }> {
  const failed = (error: unknown) =>
    new SignInError(code, error instanceof Error && error.name === "TimeoutError" ? "timeout" : "unreachable");
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS), redirect: "manual" });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SignInError(code, `http_${response.status}`);
  }
  try {
    const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    return { contentType, text: await response.text() };
  } catch (error) {
    throw failed(error);
  }
}

/** Fetch JSON from a provider: bounded, status-checked; failures become `code`. */
export async function fetchProviderJson(url: string, init: RequestInit, code: ProviderFetchCode): Promise<unknown> {
  const { text } = await fetchProviderText(url, init, code);
  try {
    return JSON.parse(text);
  } catch {
    throw new SignInError(code, "non_json");
  }
}
