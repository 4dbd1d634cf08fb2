/**
 * Audit events: append-only, written in the same D1 batch as the change they record, so there is
 * never a change without its event (or an event without its change).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { newId } from "./ids";

export type AuditActor = { type: "user" | "ci" | "system"; id: string | null; label: string };

export type AuditInput = {
  workspaceId: string;
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  at: Date;
};

/** The insert statement, for the caller's `db.batch([...change, auditEvent(...)])`. */
export function auditEvent(db: Database, input: AuditInput) {
  return db.insert(auditEvents).values({
    id: newId("aud"),
    workspaceId: input.workspaceId,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    action: input.action,
    category: input.action.split(".")[0] ?? input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    metadata: input.metadata ?? null,
    createdAt: input.at,
  });
}

export function userActor(user: { id: string; login: string | null; name: string }): AuditActor {
  return { type: "user", id: user.id, label: user.login ?? user.name };
}

/**
 * The audit event for a conditional change, in the same batch right after it: written only if the
 * statement before it changed a row (SQLite's `changes()`), so a refused change leaves no event and
 * an applied one always has its event.
 */
export function auditEventIfChanged(db: Database, input: AuditInput) {
  return db.insert(auditEvents).select(
    db
      .select({
        id: sql<string>`${newId("aud")}`.as("id"),
        workspaceId: sql<string>`${input.workspaceId}`.as("workspace_id"),
        actorType: sql<AuditActor["type"]>`${input.actor.type}`.as("actor_type"),
        actorId: sql<string | null>`${input.actor.id}`.as("actor_id"),
        actorLabel: sql<string>`${input.actor.label}`.as("actor_label"),
        action: sql<string>`${input.action}`.as("action"),
        category: sql<string>`${input.action.split(".")[0] ?? input.action}`.as("category"),
        targetType: sql<string | null>`${input.target?.type ?? null}`.as("target_type"),
        targetId: sql<string | null>`${input.target?.id ?? null}`.as("target_id"),
        metadata: sql<string | null>`${input.metadata ? JSON.stringify(input.metadata) : null}`.as("metadata"),
        createdAt: sql<number>`${input.at.getTime()}`.as("created_at"),
      })
      .from(sql`(SELECT 1)`)
      .where(sql`changes() > 0`),
  );
}
