/**
 * The workspace audit log: newest first, keyset-paginated, filterable by category, actor and a
 * free-text search. Every query is filtered by the workspace id the caller got from
 * `requireMember` — never by an id taken from the URL.
 *
 * Ordering is (created_at DESC, id DESC), which the `audit_events_workspace_*` indexes serve; the
 * cursor is the (created_at, id) of the last row shown, so pages never overlap or skip a row, even
 * when events share a timestamp or new events arrive between pages.
 */
import { and, asc, desc, eq, gte, isNotNull, max, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { decodeCursor, encodeCursor } from "./cursor";
import { isoTime } from "./time";

export const AUDIT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export type AuditFilters = {
  /** Only events at or after this time (the plan's audit log retention). */
  since?: Date | null;
  category?: string | null;
  actorId?: string | null;
  search?: string | null;
  cursor?: string | null;
  limit?: number;
};

export type AuditLogEvent = {
  id: string;
  actorType: "user" | "ci" | "system";
  actorId: string | null;
  actorLabel: string;
  action: string;
  category: string;
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
};

export type AuditPage = { events: AuditLogEvent[]; nextCursor: string | null };
export type AuditFilterOptions = { categories: string[]; actors: Array<{ id: string; label: string }> };

// ─── Cursor ───────────────────────────────────────────────────────────────────────────────────

type Cursor = { createdAt: number; id: string };

/** The audit log's cursor: the last event's (createdAt ms, id), in the dashboard's one cursor codec. */
export function encodeAuditCursor(createdAt: Date | number, id: string): string {
  return encodeCursor([typeof createdAt === "number" ? createdAt : createdAt.getTime(), id]);
}

/** The position a cursor names, or null for anything that is not one of ours (→ first page). */
export function decodeAuditCursor(cursor: string | null | undefined): Cursor | null {
  const [createdAt, id] = decodeCursor(cursor, 2) ?? [];
  if (typeof createdAt !== "number" || !Number.isSafeInteger(createdAt) || createdAt < 0) return null;
  if (typeof id !== "string" || !/^[A-Za-z0-9_]{1,64}$/.test(id)) return null;
  return { createdAt, id };
}

// ─── Queries ──────────────────────────────────────────────────────────────────────────────────

/** `%` and `_` are LIKE wildcards and `\` is our escape character: all three match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return AUDIT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)));
}

/**
 * The page's statement, for a caller's `db.batch`. It reads one row more than the page so the
 * caller knows whether there is an older page; `toAuditPage` trims it.
 */
export function auditEventsQuery(db: Database, workspaceId: string, filters: AuditFilters = {}) {
  const limit = pageSize(filters.limit);
  const conditions: SQL[] = [eq(auditEvents.workspaceId, workspaceId)];
  if (filters.since) conditions.push(gte(auditEvents.createdAt, filters.since));
  if (filters.category) conditions.push(eq(auditEvents.category, filters.category));
  if (filters.actorId) conditions.push(eq(auditEvents.actorId, filters.actorId));

  const search = filters.search?.trim();
  if (search) {
    // SQLite's LIKE is case-insensitive (ASCII). Metadata is matched on its stored JSON text.
    const pattern = `%${escapeLike(search)}%`;
    conditions.push(sql`(
      ${auditEvents.action} LIKE ${pattern} ESCAPE '\\'
      OR ${auditEvents.actorLabel} LIKE ${pattern} ESCAPE '\\'
      OR ${auditEvents.targetId} LIKE ${pattern} ESCAPE '\\'
      OR ${auditEvents.metadata} LIKE ${pattern} ESCAPE '\\'
    )`);
  }

  const cursor = decodeAuditCursor(filters.cursor);
  if (cursor) {
    // A row-value comparison: SQLite uses it as a range on the (workspace_id, …, created_at, id) indexes.
    conditions.push(sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${cursor.createdAt}, ${cursor.id})`);
  }

  const query = db
    .select({
      id: auditEvents.id,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      actorLabel: auditEvents.actorLabel,
      action: auditEvents.action,
      category: auditEvents.category,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      // The raw text: parsed below without throwing, whatever a writer left in the column.
      metadata: sql<string | null>`${auditEvents.metadata}`,
      createdAt: auditEvents.createdAt,
    })
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit + 1);
  return { query, limit };
}

type AuditRow = Awaited<ReturnType<typeof auditEventsQuery>["query"]>[number];

/** Metadata as an object or null; a non-object JSON value or unreadable text is kept, wrapped. */
function readMetadata(text: string | null): Record<string, unknown> | null {
  if (text === null || text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { raw: String(text) };
  }
  if (value === null) return null;
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  return { value };
}

export function toAuditPage(rows: AuditRow[], limit: number): AuditPage {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map((row) => ({
      id: row.id,
      actorType: row.actorType,
      actorId: row.actorId,
      actorLabel: row.actorLabel,
      action: row.action,
      category: row.category,
      targetType: row.targetType,
      targetId: row.targetId,
      metadata: readMetadata(row.metadata),
      createdAt: isoTime(row.createdAt),
    })),
    nextCursor: rows.length > limit && last ? encodeAuditCursor(last.createdAt, last.id) : null,
  };
}

/** The distinct categories present, for the filter select. */
export function auditCategoriesQuery(db: Database, workspaceId: string) {
  return db
    .selectDistinct({ category: auditEvents.category })
    .from(auditEvents)
    .where(eq(auditEvents.workspaceId, workspaceId))
    .orderBy(asc(auditEvents.category));
}

/**
 * The distinct actors with an id, each with the label of its latest event (a renamed login shows
 * its current name). With `max()`, SQLite takes the bare column from the row holding the maximum.
 */
export function auditActorsQuery(db: Database, workspaceId: string) {
  return db
    .select({
      id: sql<string>`${auditEvents.actorId}`,
      label: auditEvents.actorLabel,
      lastAt: max(auditEvents.createdAt),
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.workspaceId, workspaceId), isNotNull(auditEvents.actorId)))
    .groupBy(auditEvents.actorId);
}

type CategoryRow = Awaited<ReturnType<typeof auditCategoriesQuery>>[number];
type ActorRow = Awaited<ReturnType<typeof auditActorsQuery>>[number];

function toFilterOptions(categoryRows: CategoryRow[], actorRows: ActorRow[]): AuditFilterOptions {
  return {
    categories: categoryRows.map((row) => row.category),
    actors: actorRows
      .map((row) => ({ id: row.id, label: row.label }))
      .sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id)),
  };
}

// ─── Entry points ─────────────────────────────────────────────────────────────────────────────

/** One page of the workspace's audit log (one D1 round trip). */
export async function listAuditEvents(
  db: Database,
  workspaceId: string,
  filters: AuditFilters = {},
): Promise<AuditPage> {
  const { query, limit } = auditEventsQuery(db, workspaceId, filters);
  return toAuditPage(await query, limit);
}

/** The categories and actors present in the workspace's audit log (one D1 round trip). */
export async function auditFilterOptions(db: Database, workspaceId: string): Promise<AuditFilterOptions> {
  const [categoryRows, actorRows] = await db.batch([
    auditCategoriesQuery(db, workspaceId),
    auditActorsQuery(db, workspaceId),
  ]);
  return toFilterOptions(categoryRows, actorRows);
}

/** What the audit log page shows: the page and the filter options, in one D1 round trip. */
export async function loadAuditLog(
  db: Database,
  workspaceId: string,
  filters: AuditFilters = {},
): Promise<AuditPage & { options: AuditFilterOptions }> {
  const { query, limit } = auditEventsQuery(db, workspaceId, filters);
  const [rows, categoryRows, actorRows] = await db.batch([
    query,
    auditCategoriesQuery(db, workspaceId),
    auditActorsQuery(db, workspaceId),
  ]);
  return { ...toAuditPage(rows, limit), options: toFilterOptions(categoryRows, actorRows) };
}
