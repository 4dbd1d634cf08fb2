/**
 * Members, roles and invitations of a workspace. The rules that protect a workspace live here:
 * only owners touch owners, and the last owner can neither leave, nor be demoted, nor be removed —
 * enforced inside the write itself (a conditional UPDATE/DELETE), so two racing requests cannot both
 * succeed in leaving a workspace without an owner.
 */
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { invitations, memberships, users, workspaces } from "../../db/schema";
import { auditEvent, auditEventIfChanged, type AuditActor } from "./audit.server";
import {
  identitiesOfUserQuery,
  provesEmail,
  provesLogin,
  type IdentityFacts,
  type LoginTrust,
} from "./identities.server";
import { randomToken, sha256Hex } from "../encoding";
import { newId } from "./ids";
import { refuse, type Refusal } from "./result";
import { belowPlanLimit, planLimitMessage } from "./plan-limits.server";
import { withinPlanLimit } from "./plans";
import { assignableRoles, type Role } from "./roles";

export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

export type MemberRow = {
  userId: string;
  name: string;
  login: string | null;
  email: string | null;
  role: Role;
  joinedAt: Date;
};

export function listMembersQuery(db: Database, workspaceId: string) {
  return db
    .select({
      userId: users.id,
      name: users.name,
      login: users.login,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(sql`case ${memberships.role} when 'owner' then 0 when 'admin' then 1 else 2 end`, asc(users.name));
}

export function pendingInvitationsQuery(db: Database, workspaceId: string, now: Date) {
  return db
    .select({
      id: invitations.id,
      invitee: invitations.invitee,
      role: invitations.role,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      invitedBy: users.name,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    )
    .orderBy(desc(invitations.createdAt));
}

export type MemberRefusal =
  | "owners_only"
  | "plan_limit"
  | "member_unknown"
  | "last_owner"
  | "role_changed_meanwhile"
  | "invitation_unknown"
  | "invitation_revoked"
  | "invitation_used"
  | "invitation_expired"
  | "invitation_for_someone_else"
  | "already_member"
  | "workspace_full";
export type MemberChange = { ok: true } | Refusal<MemberRefusal>;

/** Creates a single-use invitation; returns the token for the link (only its hash is stored). */
export async function inviteMember(
  db: Database,
  input: {
    workspaceId: string;
    actorRole: Role;
    actor: AuditActor;
    actorId: string;
    invitee: string;
    role: Role;
    now: Date;
  },
): Promise<{ ok: true; token: string; invitationId: string } | Refusal<MemberRefusal>> {
  if (!assignableRoles(input.actorRole).includes(input.role))
    return refuse("owners_only", "Only owners can invite owners.");
  // The plan's member limit counts members and pending invitations: every invitation can become a member.
  const usage = await db
    .select({
      plan: workspaces.plan,
      members: sql<number>`(SELECT count(*) FROM ${memberships} WHERE ${memberships.workspaceId} = ${input.workspaceId})`,
      pending: sql<number>`(SELECT count(*) FROM ${invitations} WHERE ${invitations.workspaceId} = ${input.workspaceId} AND ${invitations.acceptedAt} IS NULL AND ${invitations.revokedAt} IS NULL AND ${invitations.expiresAt} > ${input.now.getTime()})`,
    })
    .from(workspaces)
    .where(eq(workspaces.id, input.workspaceId))
    .limit(1);
  const current = usage[0];
  if (current && !withinPlanLimit(current.plan, "members", current.members + current.pending)) {
    return refuse(
      "plan_limit",
      planLimitMessage(
        current.plan,
        "members",
        `this workspace has ${current.members} members and ${current.pending} pending invitations. Revoke an invitation or remove a member first`,
      ),
    );
  }
  const token = randomToken();
  const id = newId("inv");
  await db.batch([
    db.insert(invitations).values({
      id,
      workspaceId: input.workspaceId,
      invitee: input.invitee,
      role: input.role,
      tokenHash: await sha256Hex(token),
      invitedBy: input.actorId,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + INVITATION_TTL_MS),
    }),
    auditEvent(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "team_member.invited",
      target: { type: "invitation", id },
      metadata: { invitee: input.invitee, role: input.role },
      at: input.now,
    }),
  ]);
  return { ok: true, token, invitationId: id };
}

export async function revokeInvitation(
  db: Database,
  input: { workspaceId: string; invitationId: string; actor: AuditActor; now: Date },
): Promise<MemberChange> {
  const [updated] = await db.batch([
    db
      .update(invitations)
      .set({ revokedAt: input.now })
      .where(
        and(
          eq(invitations.id, input.invitationId),
          eq(invitations.workspaceId, input.workspaceId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "team_member.invitation_revoked",
      target: { type: "invitation", id: input.invitationId },
      at: input.now,
    }),
  ]);
  if (updated.length === 0) return refuse("invitation_unknown", "That invitation no longer exists.");
  return { ok: true };
}

export type InvitationView = {
  id: string;
  workspaceId: string;
  workspaceName: string;
  workspaceSlug: string;
  invitee: string;
  role: Role;
  state: "pending" | "expired" | "accepted" | "revoked";
};

function invitationByTokenHashQuery(db: Database, tokenHash: string) {
  return db
    .select({
      id: invitations.id,
      workspaceId: invitations.workspaceId,
      workspaceName: workspaces.name,
      workspaceSlug: workspaces.slug,
      invitee: invitations.invitee,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, tokenHash))
    .limit(1);
}

function invitationView(
  rows: Awaited<ReturnType<typeof invitationByTokenHashQuery>>,
  now: Date,
): InvitationView | null {
  const row = rows[0];
  if (!row) return null;
  const state = row.revokedAt ? "revoked" : row.acceptedAt ? "accepted" : row.expiresAt <= now ? "expired" : "pending";
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    workspaceName: row.workspaceName,
    workspaceSlug: row.workspaceSlug,
    invitee: row.invitee,
    role: row.role,
    state,
  };
}

export async function findInvitation(db: Database, token: string, now: Date): Promise<InvitationView | null> {
  return invitationView(await invitationByTokenHashQuery(db, await sha256Hex(token)), now);
}

/**
 * Does the person with these identities own whom the invitation was for? A GitHub login matches only
 * a GitHub account with that login (or, in development, a dev login); an email matches only an email
 * the person's provider verified. Never `users.login`/`users.email`: see identities.server.ts.
 */
export function invitationMatches(invitee: string, identityList: readonly IdentityFacts[], trust: LoginTrust): boolean {
  const wanted = invitee.trim();
  return wanted.includes("@") ? provesEmail(identityList, wanted, trust) : provesLogin(identityList, wanted, trust);
}

/** What to tell someone whose account is not the invitee: whom it is for, and how to sign in as them. */
export function invitationMismatchMessage(invitee: string): string {
  const wanted = invitee.trim();
  return wanted.includes("@")
    ? `This invitation is for ${wanted}. To accept it, sign in with an account whose provider has verified ${wanted}.`
    : `This invitation is for the GitHub account ${wanted}. Sign in with GitHub as ${wanted} to accept it.`;
}

/** The invitation behind a link and whether this user may accept it: one round trip (invitation and identities). */
export async function invitationForUser(
  db: Database,
  input: { token: string; userId: string; now: Date; trust: LoginTrust },
): Promise<{ invitation: InvitationView; matches: boolean; identities: IdentityFacts[] } | null> {
  const [rows, identityList] = await db.batch([
    invitationByTokenHashQuery(db, await sha256Hex(input.token)),
    identitiesOfUserQuery(db, input.userId),
  ]);
  const invitation = invitationView(rows, input.now);
  if (!invitation) return null;
  return {
    invitation,
    matches: invitationMatches(invitation.invitee, identityList, input.trust),
    identities: identityList,
  };
}

export async function acceptInvitation(
  db: Database,
  input: { token: string; user: { id: string; login: string | null; name: string }; now: Date; trust: LoginTrust },
): Promise<{ ok: true; workspaceSlug: string } | Refusal<MemberRefusal>> {
  const found = await invitationForUser(db, {
    token: input.token,
    userId: input.user.id,
    now: input.now,
    trust: input.trust,
  });
  if (!found) return refuse("invitation_unknown", "This invitation link is not valid.");
  const { invitation } = found;
  if (invitation.state === "revoked")
    return refuse("invitation_revoked", "This invitation was revoked. Ask for a new one.");
  if (invitation.state === "accepted") return refuse("invitation_used", "This invitation has already been used.");
  if (invitation.state === "expired")
    return refuse("invitation_expired", "This invitation has expired. Ask for a new one.");
  if (!found.matches) return refuse("invitation_for_someone_else", invitationMismatchMessage(invitation.invitee));
  const actor = { type: "user" as const, id: input.user.id, label: input.user.login ?? input.user.name };
  // Single use, enforced by the write: only the first acceptance flips accepted_at.
  const [claimed] = await db.batch([
    db
      .update(invitations)
      .set({ acceptedAt: input.now, acceptedBy: input.user.id })
      .where(
        and(
          eq(invitations.id, invitation.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, input.now),
          // A member cannot use up an invitation: it stays pending (and revocable).
          sql`NOT EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.workspaceId} = ${invitation.workspaceId} AND ${memberships.userId} = ${input.user.id})`,
          // The plan's member limit, checked in the write (the plan may have changed since the invitation).
          belowPlanLimit(
            "members",
            invitation.workspaceId,
            sql`(SELECT count(*) FROM ${memberships} WHERE ${memberships.workspaceId} = ${invitation.workspaceId})`,
          ),
        ),
      )
      .returning({ id: invitations.id }),
    // Membership and event only if this request claimed the invitation (changes() of the UPDATE).
    db
      .insert(memberships)
      .select(
        db
          .select({
            workspaceId: sql<string>`${invitation.workspaceId}`.as("workspace_id"),
            userId: sql<string>`${input.user.id}`.as("user_id"),
            role: sql<Role>`${invitation.role}`.as("role"),
            createdAt: sql<number>`${input.now.getTime()}`.as("created_at"),
            updatedAt: sql<number>`${input.now.getTime()}`.as("updated_at"),
          })
          .from(sql`(SELECT 1)`)
          .where(sql`changes() > 0`),
      )
      .onConflictDoNothing(),
    auditEventIfChanged(db, {
      workspaceId: invitation.workspaceId,
      actor,
      action: "team_member.joined",
      target: { type: "user", id: input.user.id },
      metadata: { role: invitation.role, invitee: invitation.invitee },
      at: input.now,
    }),
  ]);
  if (claimed.length === 0) {
    const member = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, invitation.workspaceId), eq(memberships.userId, input.user.id)))
      .limit(1);
    if (member[0]) return refuse("already_member", `You are already a member of ${invitation.workspaceName}.`);
    const again = await findInvitation(db, input.token, input.now);
    if (again?.state === "pending") {
      return refuse(
        "workspace_full",
        `${invitation.workspaceName} has as many members as its plan includes. Ask an owner to remove a member or change plans; this invitation stays valid until it expires.`,
      );
    }
    return refuse("invitation_used", "This invitation has already been used.");
  }
  return { ok: true, workspaceSlug: invitation.workspaceSlug };
}

/** SQL: "the workspace keeps another owner besides this user". */
const anotherOwnerRemains = (workspaceId: string, userId: string) =>
  sql`exists (select 1 from ${memberships} m2 where m2.workspace_id = ${workspaceId} and m2.role = 'owner' and m2.user_id <> ${userId})`;

export async function changeRole(
  db: Database,
  input: { workspaceId: string; actorRole: Role; actor: AuditActor; targetUserId: string; role: Role; now: Date },
): Promise<MemberChange> {
  const [current] = await db.batch([
    db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.targetUserId)))
      .limit(1),
  ]);
  const target = current[0];
  if (!target) return refuse("member_unknown", "That person is not a member of this workspace.");
  const allowed = assignableRoles(input.actorRole);
  if (!allowed.includes(target.role) || !allowed.includes(input.role))
    return refuse("owners_only", "Only owners can change an owner's role or make someone an owner.");
  if (target.role === input.role) return { ok: true };

  const demotingOwner = target.role === "owner";
  const [updated] = await db.batch([
    db
      .update(memberships)
      .set({ role: input.role, updatedAt: input.now })
      .where(
        and(
          eq(memberships.workspaceId, input.workspaceId),
          eq(memberships.userId, input.targetUserId),
          eq(memberships.role, target.role),
          demotingOwner ? anotherOwnerRemains(input.workspaceId, input.targetUserId) : undefined,
        ),
      )
      .returning({ userId: memberships.userId }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "team_member.role_changed",
      target: { type: "user", id: input.targetUserId },
      metadata: { from: target.role, to: input.role },
      at: input.now,
    }),
  ]);
  if (updated.length === 0) {
    return demotingOwner
      ? refuse("last_owner", "A workspace needs at least one owner. Make someone else an owner first.")
      : refuse("role_changed_meanwhile", "That member's role changed meanwhile. Reload and try again.");
  }
  return { ok: true };
}

/** Removing someone, or leaving (actor = target). The last owner stays. */
export async function removeMember(
  db: Database,
  input: { workspaceId: string; actorRole: Role; actorId: string; actor: AuditActor; targetUserId: string; now: Date },
): Promise<MemberChange> {
  const leaving = input.actorId === input.targetUserId;
  const rows = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.targetUserId)))
    .limit(1);
  const target = rows[0];
  if (!target) return refuse("member_unknown", "That person is not a member of this workspace.");
  if (!leaving && !assignableRoles(input.actorRole).includes(target.role))
    return refuse("owners_only", "Only owners can remove an owner.");

  const [deleted] = await db.batch([
    db
      .delete(memberships)
      .where(
        and(
          eq(memberships.workspaceId, input.workspaceId),
          eq(memberships.userId, input.targetUserId),
          eq(memberships.role, target.role),
          target.role === "owner" ? anotherOwnerRemains(input.workspaceId, input.targetUserId) : undefined,
        ),
      )
      .returning({ userId: memberships.userId }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: leaving ? "team_member.left" : "team_member.removed",
      target: { type: "user", id: input.targetUserId },
      metadata: { role: target.role },
      at: input.now,
    }),
  ]);
  if (deleted.length === 0) {
    return refuse(
      "last_owner",
      leaving
        ? "You are the last owner. Make someone else an owner before you leave."
        : "A workspace needs at least one owner. Make someone else an owner first.",
    );
  }
  return { ok: true };
}
