/**
 * Audit events: append-only, written in the same D1 batch as the change they record, so there is
 * never a change without its event (or an event without its change).
 */
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
