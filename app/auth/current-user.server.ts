/**
 * Who is making this request. Until sign-in lands, local development (ENVIRONMENT=development on
 * localhost) acts as the seeded owner; everywhere else the dashboard sends people to /login.
 * `requireUser` never returns null: a complete user, or a thrown redirect.
 */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { SEED } from "../../db/seed";

export type CurrentUser = { id: string; name: string; login: string | null; email: string | null; avatarUrl: string | null };

export function isLocalDevelopment(request: Request, context: Pick<AppLoadContext, "settings">): boolean {
  const { hostname } = new URL(request.url);
  return (
    context.settings.ENVIRONMENT === "development" &&
    (hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]")
  );
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<CurrentUser> {
  if (isLocalDevelopment(request, context)) {
    const user = await context.db.query.users.findFirst({ where: eq(users.id, SEED.ownerId) });
    if (user) return { id: user.id, name: user.name, login: user.login, email: user.email, avatarUrl: user.avatarUrl };
  }
  const url = new URL(request.url);
  throw redirect(`/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`);
}
