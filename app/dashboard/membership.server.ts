/**
 * The one place that answers "who is this user in this workspace" for every dashboard loader and
 * action. A non-member gets 404 (they never learn the workspace exists); a member of a workspace
 * that requires single sign-on, signed in another way, gets 403 with the button to sign in with the
 * organisation's provider; a member without the permission gets 403 with a clear page. Every
 * dashboard query is then filtered by the workspace id this returns — never by an id taken from the
 * URL or a form alone.
 */
import { json, redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { and, asc, eq, sql } from "drizzle-orm";
import { requireUser, type CurrentUser } from "~/auth/current-user.server";
import { readSessionWith } from "~/auth/session.server";
import type { SignInProvider } from "~/config/env.server";
import type { Plan } from "~/domain/plans";
import { can, PERMISSION_LABELS, type Permission } from "~/domain/roles";
import type { WorkspaceMembership } from "~/domain/workspaces.server";
import { memberships, sessions, users, workspaceSlugRedirects, workspaces } from "../../db/schema";

export type Member = {
  user: CurrentUser;
  workspace: WorkspaceMembership & { plan: Plan; requireSso: boolean };
  /** How this session signed in: `oidc` is single sign-on (the organisation's OpenID provider). */
  signedInWith: SignInProvider;
};

/**
 * What the 403 of a workspace that requires single sign-on carries: the message, and the sign-in
 * the page offers (the login page's POST /auth/oidc, back to this page) — null when this deployment
 * has no OpenID provider configured. The layout's answer also lists the user's other workspaces.
 */
export type SsoRequiredData = {
  kind: "sso_required";
  message: string;
  signIn: { action: string; label: string; returnTo: string } | null;
  otherWorkspaces: Array<{ name: string; slug: string }>;
};

export function notFound(): Response {
  return json({ message: "There is no workspace at this address, or you are not a member of it." }, { status: 404 });
}

export async function requireMember(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  permission: Permission = "workspace.read",
): Promise<Member> {
  const { member } = await resolveMember(request, context, slug, permission, false);
  return member;
}

/**
 * requireMember for the dashboard layout, which also lists every workspace of the user (the
 * switcher): one query answers both, so the layout stays at one D1 round trip.
 */
export async function requireMemberWithWorkspaces(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<Member & { workspaces: WorkspaceMembership[] }> {
  const { member, workspaces } = await resolveMember(request, context, slug, "workspace.read", true);
  return { ...member, workspaces };
}

/**
 * The session and every workspace of its user, in one D1 round trip: the membership query reaches the
 * user through the session id, and only counts if the session itself turns out valid. A page's
 * loaders (the layout's and the page's, which Remix runs together) share one read per GET request;
 * other methods (actions) read afresh, so loaders after an action see what it changed.
 */
const reads = new WeakMap<AppLoadContext, ReturnType<typeof readMembershipsNow>>();

function readMemberships(request: Request, context: AppLoadContext) {
  if (request.method !== "GET") return readMembershipsNow(request, context);
  let read = reads.get(context);
  if (!read) {
    read = readMembershipsNow(request, context);
    reads.set(context, read);
  }
  return read;
}

function readMembershipsNow(request: Request, context: AppLoadContext) {
  return readSessionWith(request, context, (sessionId) =>
    context.db
      .select({
        id: workspaces.id,
        name: workspaces.name,
        slug: workspaces.slug,
        role: memberships.role,
        plan: workspaces.plan,
        requireSso: workspaces.requireSso,
        // The session's provider, in the same statement (the session row is read beside it).
        signedInWith: sql<
          string | null
        >`(SELECT ${sessions.provider} FROM ${sessions} WHERE ${sessions.id} = ${sessionId})`.as("signed_in_with"),
      })
      .from(workspaces)
      .innerJoin(memberships, eq(memberships.workspaceId, workspaces.id))
      .where(
        eq(memberships.userId, sql`(SELECT ${sessions.userId} FROM ${sessions} WHERE ${sessions.id} = ${sessionId})`),
      )
      .orderBy(asc(workspaces.name), asc(workspaces.slug)),
  );
}

async function resolveMember(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  permission: Permission,
  everyWorkspace: boolean,
) {
  const { read, alongside } = await readMemberships(request, context);
  if (read.status !== "signed_in") await requireUser(request, context); // throws the sign-in redirect
  const user = (read as Extract<typeof read, { status: "signed_in" }>).user;
  const rows = alongside ?? [];
  const found = rows.find((row) => row.slug === (slug ?? "")) ?? null;
  if (!found) {
    if (slug) await redirectFromOldSlug(request, context, user.id, slug);
    throw notFound();
  }
  const signedInWith = SIGNED_IN_WITH[found.signedInWith ?? ""] ?? "dev";
  const workspace = {
    id: found.id,
    name: found.name,
    slug: found.slug,
    role: found.role,
    plan: found.plan,
    requireSso: found.requireSso,
  };
  // Before the role: whatever the page or action, this workspace first wants single sign-on.
  if (workspace.requireSso && signedInWith !== "oidc") {
    throw ssoRequired(
      request,
      context,
      workspace.name,
      everyWorkspace ? rows.filter((row) => row.id !== workspace.id) : [],
    );
  }
  requireRole({ workspace }, permission);
  const list: WorkspaceMembership[] = rows.map((row) => ({
    id: row.id,
    name: row.name,
    slug: row.slug,
    role: row.role,
  }));
  return { member: { user, workspace, signedInWith } satisfies Member, workspaces: list };
}

/**
 * The 403 when the member's role does not allow `permission`. requireMember checks it itself; an
 * action whose object must be found first (a 404 before a 403) calls this after finding it.
 */
export function requireRole(member: Pick<Member, "workspace">, permission: Permission): void {
  const { role, name } = member.workspace;
  if (can(role, permission)) return;
  throw json(
    {
      message: `Your role (${role}) does not allow this: ${PERMISSION_LABELS[permission].toLowerCase()}. Ask an owner of ${name}.`,
    },
    { status: 403 },
  );
}

/** Reads the stored provider name; anything unknown counts as "not single sign-on". */
const SIGNED_IN_WITH: Record<string, SignInProvider> = { github: "github", oidc: "oidc", dev: "dev" };

/** The 403 a member signed in without single sign-on gets from a workspace that requires it. */
function ssoRequired(
  request: Request,
  context: AppLoadContext,
  workspaceName: string,
  others: Array<{ name: string; slug: string }>,
): Response {
  const url = new URL(request.url);
  // Back to the page: not to its data (`_data`), not to an index route's action (`index`).
  url.searchParams.delete("_data");
  url.searchParams.delete("index");
  const providerName = context.settings.OIDC_NAME;
  const oidc = context.settings.AUTH_PROVIDERS.includes("oidc");
  const data: SsoRequiredData = {
    kind: "sso_required",
    message: oidc
      ? `${workspaceName} requires signing in with your organisation's provider (${providerName}). You are signed in another way: sign in with ${providerName} to continue.`
      : `${workspaceName} requires signing in with your organisation's provider, and this Atmos Pro has none configured. Ask your administrator.`,
    signIn: oidc
      ? { action: "/auth/oidc", label: `Continue with ${providerName}`, returnTo: `${url.pathname}${url.search}` }
      : null,
    otherWorkspaces: others.map((other) => ({ name: other.name, slug: other.slug })),
  };
  return json(data, { status: 403 });
}

/** A renamed workspace's old links keep working — for its members only. */
async function redirectFromOldSlug(
  request: Request,
  context: AppLoadContext,
  userId: string,
  slug: string,
): Promise<void> {
  const rows = await context.db
    .select({ slug: workspaces.slug })
    .from(workspaceSlugRedirects)
    .innerJoin(workspaces, eq(workspaces.id, workspaceSlugRedirects.workspaceId))
    .innerJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
    .where(eq(workspaceSlugRedirects.slug, slug))
    .limit(1);
  const current = rows[0];
  if (!current || request.method !== "GET") return;
  const url = new URL(request.url);
  const rest = url.pathname.replace(new RegExp(`^/dashboard/${slug}(?=/|$)`), `/dashboard/${current.slug}`);
  throw redirect(`${rest}${url.search}`, 301);
}

/** Remember the workspace last opened, so /dashboard opens it next time. Never slows the page. */
export function rememberLastWorkspace(context: AppLoadContext, user: CurrentUser, workspaceId: string): void {
  if (user.lastWorkspaceId === workspaceId) return;
  const userId = user.id;
  context.cloudflare.ctx.waitUntil(
    context.db
      .update(users)
      .set({ lastWorkspaceId: workspaceId })
      .where(and(eq(users.id, userId)))
      .then(() => undefined)
      .catch((error: unknown) => context.logger.warn("last_workspace_update_failed", { error: String(error) })),
  );
}
