/**
 * Workspaces: the tenant. Creation, renaming, slugs, requiring single sign-on, deletion — each change
 * with its audit event.
 */
import { and, asc, eq, ne } from "drizzle-orm";
import type { Database } from "../../db/client";
import { memberships, workspaceSlugRedirects, workspaces } from "../../db/schema";
import type { SignInProvider } from "../config/env.server";
import { auditEvent, auditEventIfChanged, type AuditActor } from "./audit.server";
import { newId } from "./ids";
import { refuse, type Refusal } from "./result";
import { planFeatureMessage, planIncludes } from "./plan-limits.server";
import { planAllows, type Plan } from "./plans";
import type { Role } from "./roles";

export type WorkspaceMembership = { id: string; name: string; slug: string; role: Role };

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;
/** Slugs that would read as product words in a URL. */
const RESERVED_SLUGS = new Set([
  "new",
  "settings",
  "admin",
  "api",
  "login",
  "logout",
  "auth",
  "dashboard",
  "workspaces",
  "invitations",
  "status",
  "docs",
]);

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 36)
    .replace(/-+$/g, "");
  return base.length >= 3 ? base : `${base || "workspace"}-ws`.replace(/^-/, "");
}

export function slugProblem(slug: string): string | null {
  if (!SLUG_PATTERN.test(slug))
    return "Use 3–40 lowercase letters, digits and dashes, starting and ending with a letter or digit.";
  if (RESERVED_SLUGS.has(slug)) return "That slug is reserved. Choose another.";
  return null;
}

async function slugTaken(db: Database, slug: string, exceptWorkspaceId?: string): Promise<boolean> {
  const [owned, redirected] = await db.batch([
    db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(
        exceptWorkspaceId
          ? and(eq(workspaces.slug, slug), ne(workspaces.id, exceptWorkspaceId))
          : eq(workspaces.slug, slug),
      )
      .limit(1),
    db
      .select({ id: workspaceSlugRedirects.workspaceId })
      .from(workspaceSlugRedirects)
      .where(eq(workspaceSlugRedirects.slug, slug))
      .limit(1),
  ]);
  return owned.length > 0 || (redirected.length > 0 && redirected[0]!.id !== exceptWorkspaceId);
}

export async function availableSlug(db: Database, name: string): Promise<string> {
  const base = slugify(name);
  if (!RESERVED_SLUGS.has(base) && !(await slugTaken(db, base))) return base;
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = `${base.slice(0, 33)}-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36).slice(0, 5)}`;
    if (!(await slugTaken(db, candidate))) return candidate;
  }
  throw new Error("Could not find a free workspace slug");
}

export async function createWorkspace(
  db: Database,
  input: { name: string; userId: string; actor: AuditActor; now: Date },
) {
  const id = newId("ws");
  const slug = await availableSlug(db, input.name);
  await db.batch([
    db.insert(workspaces).values({ id, name: input.name, slug, createdAt: input.now, updatedAt: input.now }),
    db
      .insert(memberships)
      .values({ workspaceId: id, userId: input.userId, role: "owner", createdAt: input.now, updatedAt: input.now }),
    auditEvent(db, {
      workspaceId: id,
      actor: input.actor,
      action: "workspace.created",
      target: { type: "workspace", id },
      metadata: { name: input.name, slug },
      at: input.now,
    }),
  ]);
  return { id, slug, name: input.name };
}

export async function renameWorkspace(
  db: Database,
  workspace: WorkspaceMembership,
  name: string,
  actor: AuditActor,
  now: Date,
) {
  if (name === workspace.name) return;
  await db.batch([
    db.update(workspaces).set({ name, updatedAt: now }).where(eq(workspaces.id, workspace.id)),
    auditEvent(db, {
      workspaceId: workspace.id,
      actor,
      action: "workspace.renamed",
      target: { type: "workspace", id: workspace.id },
      metadata: { from: workspace.name, to: name },
      at: now,
    }),
  ]);
}

export type SlugRefusal = "slug_invalid" | "slug_taken";
export type SlugChange = { ok: true } | Refusal<SlugRefusal>;

export async function changeWorkspaceSlug(
  db: Database,
  workspace: WorkspaceMembership,
  slug: string,
  actor: AuditActor,
  now: Date,
): Promise<SlugChange> {
  if (slug === workspace.slug) return { ok: true };
  const problem = slugProblem(slug);
  if (problem) return refuse("slug_invalid", problem);
  if (await slugTaken(db, slug, workspace.id)) return refuse("slug_taken", "That slug is taken. Choose another.");
  await db.batch([
    // Taking back one of our own old slugs: it stops being a redirect.
    db
      .delete(workspaceSlugRedirects)
      .where(and(eq(workspaceSlugRedirects.slug, slug), eq(workspaceSlugRedirects.workspaceId, workspace.id))),
    db.update(workspaces).set({ slug, updatedAt: now }).where(eq(workspaces.id, workspace.id)),
    db
      .insert(workspaceSlugRedirects)
      .values({ slug: workspace.slug, workspaceId: workspace.id, createdAt: now })
      .onConflictDoNothing(),
    auditEvent(db, {
      workspaceId: workspace.id,
      actor,
      action: "workspace.slug_changed",
      target: { type: "workspace", id: workspace.id },
      metadata: { from: workspace.slug, to: slug },
      at: now,
    }),
  ]);
  return { ok: true };
}

/** What requiring single sign-on needs: a plan with single sign-on (the pricing table's `oidcSignIn`). */
export const SSO_FEATURE = "oidcSignIn" as const;

export type SsoRefusal = "plan_limit" | "sign_in_with_sso" | "workspace_gone";
export type SsoRequirementChange = { ok: true; changed: boolean } | Refusal<SsoRefusal>;

/**
 * Turns "Require single sign-on" on or off. On: only for a plan that includes single sign-on
 * (checked inside the UPDATE, so a plan changed meanwhile still refuses), and only by someone
 * signed in with single sign-on right now — so the one who turns it on can still get in. Off: always
 * allowed (also on a plan without it); reaching the action at all already needs single sign-on while
 * it is on (app/dashboard/membership.server.ts). Docs: docs/decisions/0010-require-single-sign-on.md.
 */
export async function setRequireSso(
  db: Database,
  workspace: { id: string; plan: Plan },
  input: { required: boolean; signedInWith: SignInProvider; actor: AuditActor; now: Date },
): Promise<SsoRequirementChange> {
  const planMessage = (plan: Plan) => planFeatureMessage(plan, SSO_FEATURE, "this workspace cannot require it");
  if (input.required) {
    if (!planAllows(workspace.plan, SSO_FEATURE)) return refuse("plan_limit", planMessage(workspace.plan));
    if (input.signedInWith !== "oidc") {
      return refuse(
        "sign_in_with_sso",
        "Sign in with single sign-on first: you are signed in another way, and requiring single sign-on now would lock you out of this workspace.",
      );
    }
  }
  const [updated] = await db.batch([
    db
      .update(workspaces)
      .set({ requireSso: input.required, updatedAt: input.now })
      .where(
        and(
          eq(workspaces.id, workspace.id),
          ne(workspaces.requireSso, input.required),
          input.required ? planIncludes(SSO_FEATURE) : undefined,
        ),
      )
      .returning({ id: workspaces.id }),
    auditEventIfChanged(db, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: input.required ? "workspace.sso_required" : "workspace.sso_not_required",
      target: { type: "workspace", id: workspace.id },
      metadata: { provider: input.signedInWith },
      at: input.now,
    }),
  ]);
  if (updated.length > 0) return { ok: true, changed: true };
  // Nothing changed: already so, or the plan (read by the UPDATE) does not include it.
  const current = (
    await db
      .select({ plan: workspaces.plan, requireSso: workspaces.requireSso })
      .from(workspaces)
      .where(eq(workspaces.id, workspace.id))
      .limit(1)
  )[0];
  if (!current) return refuse("workspace_gone", "This workspace no longer exists.");
  if (current.requireSso === input.required) return { ok: true, changed: false };
  return refuse("plan_limit", planMessage(current.plan));
}

/** Deleting a workspace deletes everything it owns (foreign keys cascade), its audit log included. */
export async function deleteWorkspace(db: Database, workspaceId: string): Promise<void> {
  await db.delete(workspaces).where(eq(workspaces.id, workspaceId));
}

/** The workspace with this slug if the user is a member of it; null otherwise (callers answer 404). */
export async function findMembership(db: Database, userId: string, slug: string): Promise<WorkspaceMembership | null> {
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(workspaces)
    .innerJoin(memberships, and(eq(memberships.workspaceId, workspaces.id), eq(memberships.userId, userId)))
    .where(eq(workspaces.slug, slug))
    .limit(1);
  return rows[0] ?? null;
}

export function listWorkspacesQuery(db: Database, userId: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name, slug: workspaces.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(workspaces.name));
}

/** The workspace of `list` the user used last (`lastWorkspaceId`, read with their session), else the first. */
export function lastUsedWorkspace<T extends { id: string }>(
  list: readonly T[],
  lastWorkspaceId: string | null,
): T | undefined {
  return list.find((workspace) => workspace.id === lastWorkspaceId) ?? list[0];
}
