/**
 * GitHub sign-in. GitHub is an OAuth 2.0 provider, not an OpenID provider: its endpoints are
 * explicit and it is never "discovered" (see docs/decisions/0005). The profile comes from the API,
 * each answer checked by a schema. The email is the verified primary one; without one the person
 * still signs in, with no email.
 */
import { CodeChallengeMethod } from "remix-auth-oauth2";
import type { Settings } from "../../config/env.server";
import { type, validate } from "../../validation";
import { SignInError } from "../sign-in-error";
import { BoundedOAuth2Strategy, fetchProviderJson } from "./oauth2.server";
import type { ProviderProfile } from "./profile";

const githubUser = type({
  id: "number.integer > 0",
  login: "string > 0",
  "name?": "string | null",
  "avatar_url?": "string | null",
});

const githubEmails = type({ email: "string", primary: "boolean", verified: "boolean" }).array();

/** RFC 9207: the `iss` GitHub puts on its authorization response. */
export function githubIssuer(settings: Pick<Settings, "GITHUB_URL">): string {
  return `${settings.GITHUB_URL}/login/oauth`;
}

export function githubStrategy(
  settings: Settings,
  options: { redirectURI: string; cookie: { name: string; secure: boolean } },
) {
  return new BoundedOAuth2Strategy<ProviderProfile>(
    {
      clientId: settings.GITHUB_CLIENT_ID ?? "",
      clientSecret: settings.GITHUB_CLIENT_SECRET ?? "",
      authorizationEndpoint: `${settings.GITHUB_URL}/login/oauth/authorize`,
      tokenEndpoint: `${settings.GITHUB_URL}/login/oauth/access_token`,
      redirectURI: options.redirectURI,
      scopes: ["read:user", "user:email"],
      codeChallengeMethod: CodeChallengeMethod.S256,
      cookie: {
        name: options.cookie.name,
        ...(options.cookie.secure ? { secure: true as const } : {}),
        httpOnly: true,
        sameSite: "Lax",
        path: "/",
        maxAge: 600,
      },
    },
    async ({ tokens }) => fetchGithubProfile(settings, tokens.accessToken()),
  );
}

export async function fetchGithubProfile(settings: Settings, accessToken: string): Promise<ProviderProfile> {
  const init: RequestInit = {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
      "User-Agent": "atmos-pro",
    },
  };
  const [userBody, emailsBody] = await Promise.all([
    fetchProviderJson(`${settings.GITHUB_API_URL}/user`, init, "profile_unavailable"),
    fetchProviderJson(`${settings.GITHUB_API_URL}/user/emails`, init, "profile_unavailable"),
  ]);
  const user = validate(githubUser, userBody);
  if (!user.ok) throw new SignInError("profile_unavailable", `user_shape:${user.issues.map((i) => i.path).join(",")}`);
  const emails = validate(githubEmails, emailsBody);
  if (!emails.ok) throw new SignInError("profile_unavailable", "emails_shape");
  const primary = emails.value.find((email) => email.primary && email.verified);

  return {
    provider: "github",
    issuer: settings.GITHUB_URL,
    subject: String(user.value.id),
    email: primary?.email ?? null,
    emailVerified: primary !== undefined,
    name: user.value.name || user.value.login,
    login: user.value.login,
    avatarUrl: user.value.avatar_url ?? null,
  };
}
