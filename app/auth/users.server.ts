/** Turning a checked provider profile into our user: find by identity, else create both. */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditEvents, identities, memberships, users } from "../../db/schema";
import { newId } from "../domain/ids";
import type { ProviderProfile } from "./providers/profile";

async function findIdentity(db: Database, profile: ProviderProfile) {
  const rows = await db
    .select({ id: identities.id, userId: identities.userId })
    .from(identities)
    .where(
      and(
        eq(identities.provider, profile.provider),
        eq(identities.issuer, profile.issuer),
        eq(identities.subject, profile.subject),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

export async function upsertUser(
  db: Database,
  profile: ProviderProfile,
  now: Date,
): Promise<{ userId: string; identityId: string }> {
  const existing = await findIdentity(db, profile);
  if (existing) {
    await db.batch([
      db
        .update(users)
        .set({
          name: profile.name,
          email: profile.email,
          login: profile.login,
          avatarUrl: profile.avatarUrl,
          updatedAt: now,
        })
        .where(eq(users.id, existing.userId)),
      db
        .update(identities)
        .set({ email: profile.email, emailVerified: profile.emailVerified, login: profile.login })
        .where(eq(identities.id, existing.id)),
    ]);
    return { userId: existing.userId, identityId: existing.id };
  }

  const userId = newId("usr");
  const identityId = newId("idn");
  try {
    await db.batch([
      db.insert(users).values({
        id: userId,
        name: profile.name,
        email: profile.email,
        login: profile.login,
        avatarUrl: profile.avatarUrl,
        createdAt: now,
        updatedAt: now,
      }),
      db.insert(identities).values({
        id: identityId,
        userId,
        provider: profile.provider,
        issuer: profile.issuer,
        subject: profile.subject,
        email: profile.email,
        emailVerified: profile.emailVerified,
        login: profile.login,
        createdAt: now,
      }),
    ]);
  } catch (error) {
    // Two first sign-ins raced: the other one created the identity (the batch rolled back ours).
    const raced = await findIdentity(db, profile);
    if (raced) return { userId: raced.userId, identityId: raced.id };
    throw error;
  }
  return { userId, identityId };
}

/**
 * Non-essential bookkeeping after a sign-in (last use, an audit event per workspace). Callers run it
 * through `waitUntil` with a time bound: it never blocks or fails a sign-in.
 */
export async function recordSignIn(
  db: Database,
  input: { userId: string; identityId: string; provider: string; now: Date },
) {
  await db.batch([
    db.update(identities).set({ lastUsedAt: input.now }).where(eq(identities.id, input.identityId)),
    db.insert(auditEvents).select(
      db
        .select({
          id: sql<string>`'aud_' || lower(hex(randomblob(14)))`.as("id"),
          workspaceId: memberships.workspaceId,
          actorType: sql<"user">`'user'`.as("actor_type"),
          actorId: sql<string>`${input.userId}`.as("actor_id"),
          actorLabel: sql<string>`coalesce(${users.login}, ${users.name})`.as("actor_label"),
          action: sql<string>`'user.signed_in'`.as("action"),
          category: sql<string>`'user'`.as("category"),
          targetType: sql<string>`'user'`.as("target_type"),
          targetId: sql<string>`${input.userId}`.as("target_id"),
          metadata: sql<string>`json_object('provider', ${input.provider})`.as("metadata"),
          createdAt: sql<number>`${input.now.getTime()}`.as("created_at"),
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.userId, input.userId)),
    ),
  ]);
}
