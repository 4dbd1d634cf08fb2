/**
 * Who may operate the status page: signed-in people who own a login listed in OPERATOR_LOGINS —
 * owning meaning a GitHub account with that login (or, in development, a dev login), never the
 * `users.login` column, which an OpenID Connect account fills with a `preferred_username` anyone may
 * choose (see domain/identities.server.ts). Everyone else gets the same 404 as an address that does
 * not exist; signed-out visitors are sent to sign in first (an operator has to get there somehow),
 * and nothing is changed either way.
 */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { requireUser, type CurrentUser } from "../auth/current-user.server";
import type { Settings } from "../config/env.server";
import { identitiesOfUserQuery, provenLogins, type IdentityFacts } from "../domain/identities.server";

/** The operator login these identities own, or null: the person is no operator. */
export function operatorLogin(
  settings: Pick<Settings, "OPERATOR_LOGINS" | "ENVIRONMENT">,
  identities: readonly IdentityFacts[],
): string | null {
  return (
    provenLogins(identities, { environment: settings.ENVIRONMENT }).find((login) =>
      settings.OPERATOR_LOGINS.includes(login.toLowerCase()),
    ) ?? null
  );
}

export function isOperator(
  settings: Pick<Settings, "OPERATOR_LOGINS" | "ENVIRONMENT">,
  identities: readonly IdentityFacts[],
): boolean {
  return operatorLogin(settings, identities) !== null;
}

/** The signed-in operator, with `login` the operator login they own (it signs their incident updates). */
export async function requireOperator(
  request: Request,
  context: AppLoadContext,
): Promise<CurrentUser & { login: string }> {
  const user = await requireUser(request, context);
  // Nobody is an operator when none are configured: no need to read identities.
  const login =
    context.settings.OPERATOR_LOGINS.length > 0
      ? operatorLogin(context.settings, await identitiesOfUserQuery(context.db, user.id))
      : null;
  if (login === null) {
    context.logger.info("status_operator_refused", { userId: user.id });
    throw json(
      { message: "We could not find that page. It may have moved, or the address may be mistyped." },
      { status: 404 },
    );
  }
  return { ...user, login };
}
