/** The audit log page: its query string and its payload. */
import { type } from "../../validation";

/** The query string (read by readQuery: a value that fails its rule is dropped, never a 500). */
export const auditLogQuery = type({
  "category?": /^[A-Za-z0-9_-]{1,64}$/,
  "actor?": /^[a-z]{1,8}_[0-9A-Za-z]{1,64}$/,
  "q?": "0 < string <= 200",
  "cursor?": /^[A-Za-z0-9_-]{1,200}$/,
});
export const AUDIT_QUERY_KEYS = ["category", "actor", "q", "cursor"] as const;

const auditEvent = type({
  id: "string",
  actorType: "'user' | 'ci' | 'system'",
  actorId: "string | null",
  actorLabel: "string",
  action: "string",
  category: "string",
  targetType: "string | null",
  targetId: "string | null",
  metadata: type("Record<string, unknown>").or("null"),
  createdAt: "string.date.iso",
});

export const auditLogPayload = type({
  workspace: { name: "string", slug: "string" },
  retention: { days: "number.integer > 0 | null", plan: "string" },
  filters: { category: "string | null", actor: "string | null", q: "string", cursor: "string | null" },
  options: {
    categories: "string[]",
    actors: type({ id: "string", label: "string" }).array(),
  },
  events: auditEvent.array(),
  nextCursor: "string | null",
});
