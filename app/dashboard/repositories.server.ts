/** Repositories of a workspace and the instances table of one repository (keyset pagination). */
import { and, count, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type INSTANCE_STATUSES, instances, locks, repositories, workspaceRepositories } from "../../db/schema";
import { decodeCursor, encodeCursor } from "./cursor";

export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
export const INSTANCE_SORTS = ["component", "stack", "status", "last_run"] as const;
export type InstanceSort = (typeof INSTANCE_SORTS)[number];
export const PAGE_SIZE = 50;

export async function listRepositories(db: Database, workspaceId: string) {
  const [repos, counts] = await db.batch([
    db
      .select({ id: repositories.id, owner: repositories.owner, name: repositories.name, host: repositories.host })
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .orderBy(repositories.owner, repositories.name),
    db
      .select({ repositoryId: instances.repositoryId, status: instances.status, count: count() })
      .from(instances)
      .where(and(eq(instances.workspaceId, workspaceId), isNull(instances.removedAt)))
      .groupBy(instances.repositoryId, instances.status),
  ]);
  return repos.map((repo) => {
    const byStatus = { in_sync: 0, drifted: 0, error: 0, unknown: 0 };
    for (const row of counts) if (row.repositoryId === repo.id && row.status in byStatus) byStatus[row.status] = row.count;
    return { ...repo, byStatus, total: byStatus.in_sync + byStatus.drifted + byStatus.error + byStatus.unknown };
  });
}

export async function findRepository(db: Database, workspaceId: string, owner: string, name: string) {
  const rows = await db
    .select({ id: repositories.id, owner: repositories.owner, name: repositories.name, host: repositories.host })
    .from(workspaceRepositories)
    .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
    .where(and(eq(workspaceRepositories.workspaceId, workspaceId), eq(repositories.owner, owner), eq(repositories.name, name)))
    .limit(1);
  return rows[0] ?? null;
}

/** Sort keys, all in one direction so a row-value comparison pages through them. */
function sortColumns(sort: InstanceSort): { columns: SQL[]; direction: "asc" | "desc" } {
  switch (sort) {
    case "stack":
      return { columns: [sql`${instances.stack}`, sql`${instances.component}`], direction: "asc" };
    case "status":
      return { columns: [sql`${instances.status}`, sql`${instances.component}`, sql`${instances.stack}`], direction: "asc" };
    case "last_run":
      return { columns: [sql`coalesce(${instances.lastRunAt}, -1)`, sql`${instances.component}`, sql`${instances.stack}`], direction: "desc" };
    default:
      return { columns: [sql`${instances.component}`, sql`${instances.stack}`], direction: "asc" };
  }
}

export type InstanceFilters = { status?: InstanceStatus; stack?: string; q?: string; sort: InstanceSort; cursor?: string | null };

export async function listInstances(db: Database, input: { workspaceId: string; repository: { id: string; owner: string; name: string }; filters: InstanceFilters; now: Date }) {
  const { filters } = input;
  const { columns, direction } = sortColumns(filters.sort);
  const conditions: SQL[] = [eq(instances.workspaceId, input.workspaceId), eq(instances.repositoryId, input.repository.id), isNull(instances.removedAt)];
  if (filters.status) conditions.push(eq(instances.status, filters.status));
  if (filters.stack) conditions.push(eq(instances.stack, filters.stack));
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conditions.push(or(sql`${instances.component} LIKE ${pattern} ESCAPE '\\'`, sql`${instances.stack} LIKE ${pattern} ESCAPE '\\'`)!);
  }
  const after = decodeCursor(filters.cursor, columns.length);
  if (after) {
    const left = sql.join(columns, sql`, `);
    const right = sql.join(after.map((value) => sql`${value}`), sql`, `);
    conditions.push(direction === "asc" ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`);
  }
  const order = columns.map((column) => (direction === "asc" ? sql`${column} ASC` : sql`${column} DESC`));

  const [rows, stacks] = await db.batch([
    db
      .select({
        id: instances.id,
        stack: instances.stack,
        component: instances.component,
        componentType: instances.componentType,
        status: instances.status,
        lastRunAt: instances.lastRunAt,
        lastCommand: instances.lastCommand,
        sortValues: sql<string>`json_array(${sql.join(columns, sql`, `)})`,
        // The instance's active lock, if any (its key is owner/repo/stack/component).
        lock: sql<string | null>`(SELECT json_object('lockedBy', l.locked_by, 'expiresAt', l.expires_at) FROM ${locks} l
          WHERE l.workspace_id = ${input.workspaceId} AND l.key = ${`${input.repository.owner}/${input.repository.name}/`} || ${instances.stack} || '/' || ${instances.component}
          AND l.deleted_at IS NULL AND l.expires_at > ${input.now.getTime()} LIMIT 1)`,
      })
      .from(instances)
      .where(and(...conditions))
      .orderBy(...order)
      .limit(PAGE_SIZE + 1),
    db
      .selectDistinct({ stack: instances.stack })
      .from(instances)
      .where(and(eq(instances.workspaceId, input.workspaceId), eq(instances.repositoryId, input.repository.id), isNull(instances.removedAt)))
      .orderBy(instances.stack)
      .limit(500),
  ]);

  const page = rows.slice(0, PAGE_SIZE);
  const last = rows.length > PAGE_SIZE ? page[page.length - 1] : undefined;

  return {
    instances: page.map((row) => {
      const lock = row.lock ? (JSON.parse(row.lock) as { lockedBy: string; expiresAt: number }) : null;
      return {
        id: row.id,
        stack: row.stack,
        component: row.component,
        componentType: row.componentType,
        status: row.status,
        lastCommand: row.lastCommand,
        lastRunAt: row.lastRunAt?.toISOString() ?? null,
        lock: lock ? { lockedBy: lock.lockedBy, expiresAt: new Date(lock.expiresAt).toISOString() } : null,
      };
    }),
    stacks: stacks.map((row) => row.stack),
    nextCursor: last ? encodeCursor(JSON.parse(last.sortValues) as Array<string | number>) : null,
  };
}
