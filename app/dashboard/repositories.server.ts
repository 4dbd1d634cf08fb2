/** Repositories of a workspace, and one repository's page: its instances (keyset pagination) and permissions. */
import { and, eq, gt, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  connectedInstallationsQuery,
  githubIdentitiesQuery,
  githubIdsOf,
  importableRepositoriesQuery,
  installationSummary,
  waitingInstallationsQuery,
} from "../domain/installations.server";
import { importedRepositoryQuery, repositoryColumns } from "../domain/repository-permissions.server";
import { recentDeliveriesQuery } from "../domain/webhook-deliveries.server";
import type { Database } from "../../db/client";
import {
  instances,
  instanceStatusCounts,
  locks,
  repositories,
  repositoryPermissions,
  workspaceRepositories,
} from "../../db/schema";
import type { INSTANCE_SORTS, InstanceStatus } from "../domain/vocabulary";
import { decodeCursor, encodeCursor } from "./cursor";
import { isoTime, isoTimeOrNull } from "./time";

export type InstanceSort = (typeof INSTANCE_SORTS)[number];
export const PAGE_SIZE = 50;
/** More permissions than anyone writes by hand; the page shows at most these. */
const MAX_PERMISSIONS_SHOWN = 200;

/**
 * The Repositories page in one batch: the imported repositories with their instance counts, and for
 * someone who manages repositories (`managerId`), the GitHub App's installations (connected, and
 * installed by them but not connected yet) and the repositories they offer to import.
 */
export async function loadRepositoriesPage(db: Database, workspaceId: string, managerId: string | null) {
  const [repos, counts, connected, waiting, importable, deliveries, githubIdentities] = await db.batch([
    db
      .select(repositoryColumns())
      .from(workspaceRepositories)
      .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
      .where(eq(workspaceRepositories.workspaceId, workspaceId))
      .orderBy(repositories.owner, repositories.name),
    // The kept counts (db/schema.ts instanceStatusCounts), not a count of every instance.
    db
      .select({
        repositoryId: instanceStatusCounts.repositoryId,
        status: instanceStatusCounts.status,
        count: instanceStatusCounts.count,
      })
      .from(instanceStatusCounts)
      .where(eq(instanceStatusCounts.workspaceId, workspaceId)),
    connectedInstallationsQuery(db, workspaceId),
    waitingInstallationsQuery(db, managerId ?? ""),
    importableRepositoriesQuery(db, managerId ? workspaceId : ""),
    recentDeliveriesQuery(db, managerId ? workspaceId : ""),
    githubIdentitiesQuery(db, managerId ?? ""),
  ]);
  const repositoryRows = repos.map((repo) => {
    const byStatus = { in_sync: 0, drifted: 0, error: 0, unknown: 0 };
    for (const row of counts)
      if (row.repositoryId === repo.id && row.status in byStatus) byStatus[row.status] = row.count;
    return {
      ...repo,
      installed: Boolean(repo.installed),
      byStatus,
      total: byStatus.in_sync + byStatus.drifted + byStatus.error + byStatus.unknown,
    };
  });
  return {
    repositories: repositoryRows,
    connected: connected.map(installationSummary),
    waiting: waiting.map(installationSummary),
    importable: importable.map(({ id, owner, name }) => ({ id, owner, name })),
    deliveries: deliveries.map((delivery) => ({ ...delivery, receivedAt: delivery.receivedAt.toISOString() })),
    /** Whether the manager has signed in with GitHub: only then can they prove they installed the App. */
    githubIdentity: githubIdsOf(githubIdentities).length > 0,
  };
}

/** The repository `owner/name` imported into the workspace: its columns, for a caller's batch. */

type InstancesTable = Record<"stack" | "component" | "status" | "lastRunAt", AnySQLiteColumn>;

/**
 * Sort keys, all in one direction so a row-value comparison pages through them. (component, stack)
 * is unique within a repository, so every order is total. `table` is `instances` or an alias of it.
 */
function sortColumns(sort: InstanceSort, table: InstancesTable): { columns: SQL[]; direction: "asc" | "desc" } {
  switch (sort) {
    case "stack":
      return { columns: [sql`${table.stack}`, sql`${table.component}`], direction: "asc" };
    case "status":
      return { columns: [sql`${table.status}`, sql`${table.component}`, sql`${table.stack}`], direction: "asc" };
    case "last_run":
      return {
        columns: [sql`coalesce(${table.lastRunAt}, -1)`, sql`${table.component}`, sql`${table.stack}`],
        direction: "desc",
      };
    default:
      return { columns: [sql`${table.component}`, sql`${table.stack}`], direction: "asc" };
  }
}

export type InstanceFilters = {
  status?: InstanceStatus;
  stack?: string;
  q?: string;
  sort: InstanceSort;
  cursor?: string | null;
};

/**
 * One repository's page: the repository (null when it is not imported into the workspace), a page of
 * its instances and its permissions, in one D1 round trip — the other queries find the repository by
 * owner/name themselves instead of waiting for its id.
 */
export async function loadRepositoryPage(
  db: Database,
  input: { workspaceId: string; owner: string; name: string; filters: InstanceFilters; now: Date },
) {
  const { filters } = input;
  const { columns, direction } = sortColumns(filters.sort, instances);
  const repositoryId = db
    .select({ id: repositories.id })
    .from(workspaceRepositories)
    .innerJoin(repositories, eq(repositories.id, workspaceRepositories.repositoryId))
    .where(
      and(
        eq(workspaceRepositories.workspaceId, input.workspaceId),
        eq(repositories.owner, input.owner),
        eq(repositories.name, input.name),
      ),
    );
  // Equality with a scalar subquery (not IN): the planner then walks the page index in sort order.
  const ofRepository = and(
    eq(instances.workspaceId, input.workspaceId),
    sql`${instances.repositoryId} = (${repositoryId.limit(1)})`,
    isNull(instances.removedAt),
  )!;
  const conditions: SQL[] = [ofRepository];
  if (filters.status) conditions.push(eq(instances.status, filters.status));
  if (filters.stack) conditions.push(eq(instances.stack, filters.stack));
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conditions.push(
      or(sql`${instances.component} LIKE ${pattern} ESCAPE '\\'`, sql`${instances.stack} LIKE ${pattern} ESCAPE '\\'`)!,
    );
  }
  // The cursor names the last row shown (its id), not its sort values: component and stack names have
  // no length limit, and a cursor must stay a short URL parameter. The row's current sort values are
  // read in the same statement; a cursor naming no row of this repository reads as the first page.
  const after = decodeCursor(filters.cursor, 1)?.[0];
  if (typeof after === "string") {
    const previous = alias(instances, "previous");
    const where = sql`${previous.id} = ${after} AND ${previous.workspaceId} = ${input.workspaceId} AND ${previous.repositoryId} = (${repositoryId.limit(1)})`;
    const left = sql.join(columns, sql`, `);
    const right = sql`(SELECT ${sql.join(sortColumns(filters.sort, previous).columns, sql`, `)} FROM ${instances} AS previous WHERE ${where})`;
    const comparison = direction === "asc" ? sql`(${left}) > ${right}` : sql`(${left}) < ${right}`;
    conditions.push(
      sql`(CASE WHEN EXISTS (SELECT 1 FROM ${instances} AS previous WHERE ${where}) THEN ${comparison} ELSE 1 END)`,
    );
  }
  const order = columns.map((column) => (direction === "asc" ? sql`${column} ASC` : sql`${column} DESC`));

  const [found, rows, stacks, permissions] = await db.batch([
    importedRepositoryQuery(db, input.workspaceId, input.owner, input.name),
    db
      .select({
        id: instances.id,
        stack: instances.stack,
        component: instances.component,
        componentType: instances.componentType,
        status: instances.status,
        lastRunAt: instances.lastRunAt,
        lastCommand: instances.lastCommand,
        // The instance's active lock, if any (at most one per key; its key is owner/repo/stack/component).
        lockedBy: locks.lockedBy,
        lockExpiresAt: locks.expiresAt,
      })
      .from(instances)
      .leftJoin(
        locks,
        and(
          eq(locks.workspaceId, input.workspaceId),
          eq(locks.key, sql`${`${input.owner}/${input.name}/`} || ${instances.stack} || '/' || ${instances.component}`),
          isNull(locks.deletedAt),
          gt(locks.expiresAt, input.now),
        ),
      )
      .where(and(...conditions))
      .orderBy(...order)
      .limit(PAGE_SIZE + 1),
    db
      .selectDistinct({ stack: instances.stack })
      .from(instances)
      .where(ofRepository)
      .orderBy(instances.stack)
      .limit(500),
    db
      .select({
        id: repositoryPermissions.id,
        type: repositoryPermissions.type,
        workflow: repositoryPermissions.workflowPattern,
        branch: repositoryPermissions.branchPattern,
        environment: repositoryPermissions.environmentPattern,
        createdAt: repositoryPermissions.createdAt,
      })
      .from(repositoryPermissions)
      .where(
        and(
          eq(repositoryPermissions.workspaceId, input.workspaceId),
          sql`${repositoryPermissions.repositoryId} = (${repositoryId.limit(1)})`,
        ),
      )
      .orderBy(repositoryPermissions.type, repositoryPermissions.createdAt, repositoryPermissions.id)
      .limit(MAX_PERMISSIONS_SHOWN),
  ]);

  const repository = found[0];
  if (!repository) return null;
  const page = rows.slice(0, PAGE_SIZE);
  const last = rows.length > PAGE_SIZE ? page[page.length - 1] : undefined;

  const table = {
    instances: page.map((row) => {
      return {
        id: row.id,
        stack: row.stack,
        component: row.component,
        componentType: row.componentType,
        status: row.status,
        lastCommand: row.lastCommand,
        lastRunAt: isoTimeOrNull(row.lastRunAt),
        lock:
          row.lockedBy !== null && row.lockExpiresAt
            ? { lockedBy: row.lockedBy, expiresAt: isoTime(row.lockExpiresAt) }
            : null,
      };
    }),
    stacks: stacks.map((row) => row.stack),
    nextCursor: last ? encodeCursor([last.id]) : null,
  };
  return {
    repository: { ...repository, installed: Boolean(repository.installed) },
    table,
    permissions: permissions.map((row) => ({ ...row, createdAt: isoTime(row.createdAt) })),
  };
}
