/** One instance: its history, deployments, settings.pro workflows and lock — one D1 round trip. */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { deployments, instanceResults, instances, locks, repositories } from "../../db/schema";
import { lockKey } from "../domain/locks.server";
import { isoTime, isoTimeOrNull } from "./time";

export async function loadInstance(db: Database, workspaceId: string, instanceId: string, now: Date) {
  const [rows, history, runs] = await db.batch([
    db
      .select({
        id: instances.id,
        repositoryId: instances.repositoryId,
        stack: instances.stack,
        component: instances.component,
        componentType: instances.componentType,
        status: instances.status,
        driftEnabled: instances.driftEnabled,
        // Read as stored text: it is parsed for its own panel, so a value that is not JSON fails that panel only.
        settingsPro: sql<string | null>`${instances.settingsPro}`,
        // The instance's active lock, if any (at most one per key; its key is owner/repo/stack/component).
        lockedBy: locks.lockedBy,
        lockMessage: locks.message,
        lockExpiresAt: locks.expiresAt,
        lockCreatedAt: locks.createdAt,
        lastCommand: instances.lastCommand,
        lastExitCode: instances.lastExitCode,
        lastRunAt: instances.lastRunAt,
        removedAt: instances.removedAt,
        owner: repositories.owner,
        name: repositories.name,
      })
      .from(instances)
      .innerJoin(repositories, eq(repositories.id, instances.repositoryId))
      .leftJoin(
        locks,
        and(
          eq(locks.workspaceId, workspaceId),
          eq(
            locks.key,
            sql`${repositories.owner} || '/' || ${repositories.name} || '/' || ${instances.stack} || '/' || ${instances.component}`,
          ),
          isNull(locks.deletedAt),
          gt(locks.expiresAt, now),
        ),
      )
      .where(and(eq(instances.id, instanceId), eq(instances.workspaceId, workspaceId)))
      .limit(1),
    db
      .select({
        id: instanceResults.id,
        command: instanceResults.command,
        exitCode: instanceResults.exitCode,
        status: instanceResults.status,
        ranAt: instanceResults.ranAt,
      })
      .from(instanceResults)
      .where(and(eq(instanceResults.instanceId, instanceId), eq(instanceResults.workspaceId, workspaceId)))
      .orderBy(desc(instanceResults.ranAt))
      .limit(50),
    db
      .select({
        id: deployments.id,
        kind: deployments.kind,
        status: deployments.status,
        workflow: deployments.workflow,
        githubRunUrl: deployments.githubRunUrl,
        createdAt: deployments.createdAt,
      })
      .from(deployments)
      .where(and(eq(deployments.instanceId, instanceId), eq(deployments.workspaceId, workspaceId)))
      .orderBy(desc(deployments.createdAt))
      .limit(20),
  ]);
  const row = rows[0];
  if (!row) return null;
  const key = lockKey(row);
  return {
    instance: {
      id: row.id,
      stack: row.stack,
      component: row.component,
      componentType: row.componentType,
      status: row.status,
      driftEnabled: row.driftEnabled,
      lastCommand: row.lastCommand,
      lastExitCode: row.lastExitCode,
      lastRunAt: isoTimeOrNull(row.lastRunAt),
      removed: row.removedAt !== null,
      repository: `${row.owner}/${row.name}`,
      lockKey: key,
      repositoryId: row.repositoryId,
    },
    workflows: () => describeWorkflows(row.settingsPro === null ? null : JSON.parse(row.settingsPro)),
    history: history.map((h) => ({ ...h, ranAt: isoTime(h.ranAt) })),
    deployments: runs.map((d) => ({ ...d, createdAt: isoTime(d.createdAt) })),
    lock:
      row.lockedBy !== null && row.lockExpiresAt && row.lockCreatedAt
        ? {
            lockedBy: row.lockedBy,
            message: row.lockMessage,
            expiresAt: isoTime(row.lockExpiresAt),
            createdAt: isoTime(row.lockCreatedAt),
          }
        : null,
  };
}

/** `settings.pro` in readable form: which workflow runs on which event, with its inputs. */
export function describeWorkflows(
  settingsPro: unknown,
): Array<{ event: string; workflow: string; inputs: Array<{ name: string; value: string }> }> {
  const out: Array<{ event: string; workflow: string; inputs: Array<{ name: string; value: string }> }> = [];
  if (!settingsPro || typeof settingsPro !== "object") return out;
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== "object" || path.length > 4) return;
    const record = node as Record<string, unknown>;
    if (record.workflows && typeof record.workflows === "object") {
      for (const [workflow, config] of Object.entries(record.workflows as Record<string, unknown>)) {
        const inputs =
          config &&
          typeof config === "object" &&
          "inputs" in config &&
          config.inputs &&
          typeof config.inputs === "object"
            ? (config.inputs as Record<string, unknown>)
            : {};
        out.push({
          event: path.join("."),
          workflow,
          inputs: Object.entries(inputs).map(([name, value]) => ({
            name,
            value: typeof value === "string" ? value : JSON.stringify(value),
          })),
        });
      }
      return;
    }
    for (const [key, child] of Object.entries(record)) walk(child, [...path, key]);
  };
  walk(settingsPro, []);
  return out;
}
