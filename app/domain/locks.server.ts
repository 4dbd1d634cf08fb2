/**
 * Advisory locks: while a key (`owner/repo/stack/component`) is locked, nothing is dispatched to it.
 * Taking a lock is one conditional INSERT, so two racing lockers cannot both win.
 */
import { and, eq, gt, isNull, like, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { locks } from "../../db/schema";
import { auditEventIfChanged, type AuditActor } from "./audit.server";
import { newId } from "./ids";
import { refuse, type Refusal } from "./result";

export type LockRow = typeof locks.$inferSelect;

/** The locks held now on a repository's instances (a query, to run in a batch): what dispatch holds back or skips. */
export const repositoryLocksQuery = (
  db: Database,
  workspaceId: string,
  repo: { owner: string; name: string },
  now: Date,
) =>
  db
    .select({ key: locks.key, lockedBy: locks.lockedBy, message: locks.message, properties: locks.properties })
    .from(locks)
    .where(
      and(
        eq(locks.workspaceId, workspaceId),
        isNull(locks.deletedAt),
        gt(locks.expiresAt, now),
        like(locks.key, `${repo.owner.replace(/[%_\\]/g, "")}/${repo.name.replace(/[%_\\]/g, "")}/%`),
      ),
    );

/** The key that locks one instance: `owner/repo/stack/component` (components may contain slashes). */
export const lockKey = (instance: { owner: string; name: string; stack: string; component: string }) =>
  `${instance.owner}/${instance.name}/${instance.stack}/${instance.component}`;

export type LockRefusal = "lock_held" | "lock_not_found";
export type AcquireResult =
  | { ok: true; lock: LockRow }
  | (Refusal<"lock_held"> & { lockedBy: string; lockedAt: Date; expiresAt: Date });

export async function acquireLock(
  db: Database,
  input: {
    workspaceId: string;
    key: string;
    ttlSeconds: number;
    message: string | null;
    properties: Record<string, unknown> | null;
    lockedBy: string;
    actor: AuditActor;
    now: Date;
  },
): Promise<AcquireResult> {
  const id = newId("lock");
  const nowMs = input.now.getTime();
  const expiresAt = nowMs + input.ttlSeconds * 1000;
  const [, inserted, , current] = await db.batch([
    // Expired locks of this key are over: close them so the history stays readable.
    db
      .update(locks)
      .set({ deletedAt: input.now, updatedAt: input.now })
      .where(
        and(
          eq(locks.workspaceId, input.workspaceId),
          eq(locks.key, input.key),
          isNull(locks.deletedAt),
          lte(locks.expiresAt, input.now),
        ),
      ),
    // INSERT … SELECT … WHERE NOT EXISTS (an active lock on the key): atomic inside the batch.
    db.insert(locks).select(
      db
        .select({
          id: sql<string>`${id}`.as("id"),
          workspaceId: sql<string>`${input.workspaceId}`.as("workspace_id"),
          key: sql<string>`${input.key}`.as("key"),
          message: sql<string | null>`${input.message}`.as("message"),
          lockedBy: sql<string>`${input.lockedBy}`.as("locked_by"),
          properties: sql<string | null>`${input.properties ? JSON.stringify(input.properties) : null}`.as(
            "properties",
          ),
          expiresAt: sql<number>`${expiresAt}`.as("expires_at"),
          createdAt: sql<number>`${nowMs}`.as("created_at"),
          updatedAt: sql<number>`${nowMs}`.as("updated_at"),
          deletedAt: sql<null>`NULL`.as("deleted_at"),
        })
        .from(sql`(SELECT 1)`)
        .where(
          sql`NOT EXISTS (SELECT 1 FROM ${locks} WHERE workspace_id = ${input.workspaceId} AND key = ${input.key} AND deleted_at IS NULL AND expires_at > ${nowMs})`,
        ),
    ),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "lock.created",
      target: { type: "lock", id },
      metadata: { key: input.key, ttl: input.ttlSeconds, message: input.message },
      at: input.now,
    }),
    db
      .select()
      .from(locks)
      .where(
        and(
          eq(locks.workspaceId, input.workspaceId),
          eq(locks.key, input.key),
          isNull(locks.deletedAt),
          gt(locks.expiresAt, input.now),
        ),
      )
      .limit(1),
  ]);
  void inserted;
  const lock = current[0];
  if (lock && lock.id === id) return { ok: true, lock };
  if (lock)
    return {
      ...refuse("lock_held", `Already locked by ${lock.lockedBy}.`),
      lockedBy: lock.lockedBy,
      lockedAt: lock.createdAt,
      expiresAt: lock.expiresAt,
    };
  throw new Error("Lock state could not be read back");
}

/** Force-unlock; refused when there is no active lock on the key. */
export async function releaseLock(
  db: Database,
  input: { workspaceId: string; key: string; actor: AuditActor; now: Date },
): Promise<{ ok: true } | Refusal<"lock_not_found">> {
  const [released] = await db.batch([
    db
      .update(locks)
      .set({ deletedAt: input.now, updatedAt: input.now })
      .where(
        and(
          eq(locks.workspaceId, input.workspaceId),
          eq(locks.key, input.key),
          isNull(locks.deletedAt),
          gt(locks.expiresAt, input.now),
        ),
      )
      .returning({ id: locks.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "lock.released",
      target: { type: "lock_key", id: input.key },
      metadata: { key: input.key },
      at: input.now,
    }),
  ]);
  return released.length > 0 ? { ok: true } : refuse("lock_not_found", "Lock not found or already expired.");
}
