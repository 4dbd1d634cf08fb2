/**
 * What a person's sign-in identities prove about them. A login or an email on its own proves
 * nothing: an OpenID Connect `preferred_username` is whatever the person typed, and so is an email
 * the provider did not verify. So a name counts only together with the provider that vouches for it:
 *
 * - a login is a GitHub account's login (GitHub does not let two accounts share one), or, where the
 *   dev provider exists (ENVIRONMENT=development, see `devProviderAvailable`), a dev login;
 * - an email counts only if the provider marked it verified (`identities.email_verified`);
 * - outside development a dev identity proves nothing (it can only be left over from a seed or a copy).
 *
 * Operator logins (OPERATOR_LOGINS) and invitations both match through here, never `users.login`
 * or `users.email`, which are copied from whichever provider signed in last.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { identities, type AUTH_PROVIDERS } from "../../db/schema";

export type IdentityProvider = (typeof AUTH_PROVIDERS)[number];
export type IdentityFacts = {
  provider: IdentityProvider;
  login: string | null;
  email: string | null;
  emailVerified: boolean;
};

/** Every identity of a user (one query; callers put it in the batch of their other reads). */
export function identitiesOfUserQuery(db: Database, userId: string) {
  return db
    .select({
      provider: identities.provider,
      login: identities.login,
      email: identities.email,
      emailVerified: identities.emailVerified,
    })
    .from(identities)
    .where(eq(identities.userId, userId));
}

/** Where we are: the dev provider signs people in only in development, so only there do its identities prove anything. */
export type LoginTrust = { environment: string };

function trustedHere(identity: IdentityFacts, trust: LoginTrust): boolean {
  return identity.provider !== "dev" || trust.environment === "development";
}

/** GitHub does not let two accounts share a login, nor does the dev provider (a login is its subject). */
function vouchesForLogin(identity: IdentityFacts, trust: LoginTrust): boolean {
  return (identity.provider === "github" || identity.provider === "dev") && trustedHere(identity, trust);
}

/** The logins these identities prove, as the provider spells them: GitHub's, and dev's in development. */
export function provenLogins(identityList: readonly IdentityFacts[], trust: LoginTrust): string[] {
  return identityList.flatMap((identity) =>
    identity.login && vouchesForLogin(identity, trust) ? [identity.login] : [],
  );
}

/** The emails these identities prove (lowercase): only those their provider verified (and dev's only in development). */
export function provenEmails(identityList: readonly IdentityFacts[], trust: LoginTrust): string[] {
  return identityList.flatMap((identity) =>
    identity.email && identity.emailVerified && trustedHere(identity, trust) ? [identity.email.toLowerCase()] : [],
  );
}

export function provesLogin(identityList: readonly IdentityFacts[], login: string, trust: LoginTrust): boolean {
  const wanted = login.trim().toLowerCase();
  return provenLogins(identityList, trust).some((proven) => proven.toLowerCase() === wanted);
}

export function provesEmail(identityList: readonly IdentityFacts[], email: string, trust: LoginTrust): boolean {
  return provenEmails(identityList, trust).includes(email.trim().toLowerCase());
}
