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
  return db.run(sql`
    INSERT INTO ${auditEvents} (id, workspace_id, actor_type, actor_id, actor_label, action, category, target_type, target_id, metadata, created_at)
    SELECT ${newId("aud")}, ${input.workspaceId}, ${input.actor.type}, ${input.actor.id}, ${input.actor.label}, ${input.action},
           ${input.action.split(".")[0] ?? input.action}, ${input.target?.type ?? null}, ${input.target?.id ?? null},
           ${input.metadata ? JSON.stringify(input.metadata) : null}, ${input.at.getTime()}
    WHERE changes() > 0`);
}
