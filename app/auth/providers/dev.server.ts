/**
 * The built-in provider for local development and e2e: a page to pick or create a demo user,
 * answering through the same callback and session code as the real providers. It exists only
 * when ENVIRONMENT=development, `dev` is in AUTH_PROVIDERS and the request comes to localhost.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { Strategy } from "remix-auth/strategy";
import { textFromBase64Url, toBase64Url } from "../../encoding";
import { isLocalRequest } from "../current-user.server";
import { type, validate } from "../../validation";
import { SignInError } from "../sign-in-error";
import type { ProviderProfile } from "./profile";

export function devProviderAvailable(request: Request, context: Pick<AppLoadContext, "settings">): boolean {
  return (
    context.settings.ENVIRONMENT === "development" &&
    context.settings.AUTH_PROVIDERS.includes("dev") &&
    isLocalRequest(request)
  );
}

export const devIdentity = type({
  login: /^[a-z0-9](?:[a-z0-9-]{0,37}[a-z0-9])?$/,
  name: "0 < string <= 80",
});
export type DevIdentity = typeof devIdentity.infer;

/** The "authorization code" of the dev provider: the chosen identity, base64url JSON. */
export function encodeDevCode(identity: DevIdentity): string {
  return toBase64Url(JSON.stringify(identity));
}

function decodeDevCode(code: string): unknown {
  try {
    return JSON.parse(textFromBase64Url(code));
  } catch {
    return null;
  }
}

/**
 * `authenticate` starts the flow (redirect to the picker, carrying `state`) or, on the callback,
 * checks `state` against the one the flow cookie holds and returns the profile.
 */
export class DevStrategy extends Strategy<ProviderProfile, { identity: DevIdentity }> {
  name = "dev";

  constructor(private readonly flow: { state: string; expectedState: string | null }) {
    super(async ({ identity }) => ({
      provider: "dev",
      issuer: "dev",
      subject: identity.login,
      email: `${identity.login}@dev.localhost`,
      // Local only: the dev provider's demo users are whoever the developer says they are.
      emailVerified: true,
      name: identity.name,
      login: identity.login,
      avatarUrl: null,
    }));
  }

  async authenticate(request: Request): Promise<ProviderProfile> {
    const url = new URL(request.url);
    const state = url.searchParams.get("state");
    if (!state) {
      throw new Response(null, {
        status: 302,
        headers: { Location: `/auth/dev/authorize?state=${encodeURIComponent(this.flow.state)}` },
      });
    }
    if (!this.flow.expectedState) throw new SignInError("state_missing");
    if (state !== this.flow.expectedState) throw new SignInError("state_mismatch");
    const code = url.searchParams.get("code");
    if (!code) throw new SignInError("code_missing");
    const identity = validate(devIdentity, decodeDevCode(code));
    if (!identity.ok) throw new SignInError("profile_unavailable", "dev_code_shape");
    return this.verify({ identity: identity.value });
  }
}
