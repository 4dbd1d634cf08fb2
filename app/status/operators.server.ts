/**
 * Who may operate the status page: signed-in people whose login is listed in OPERATOR_LOGINS.
 * Everyone else gets the same 404 as an address that does not exist; signed-out visitors are sent
 * to sign in first (an operator has to get there somehow), and nothing is changed either way.
 */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { requireUser, type CurrentUser } from "../auth/current-user.server";
import type { Settings } from "../config/env.server";

export function isOperator(settings: Pick<Settings, "OPERATOR_LOGINS">, user: Pick<CurrentUser, "login">): boolean {
  return user.login !== null && settings.OPERATOR_LOGINS.includes(user.login.toLowerCase());
}

export async function requireOperator(request: Request, context: AppLoadContext): Promise<CurrentUser & { login: string }> {
  const user = await requireUser(request, context);
  if (!isOperator(context.settings, user)) {
    context.logger.info("status_operator_refused", { userId: user.id });
    throw json({ message: "We could not find that page. It may have moved, or the address may be mistyped." }, { status: 404 });
  }
  return user as CurrentUser & { login: string };
}
