/** One instance: its history, deployments, settings.pro workflows and lock — one D1 round trip. */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { deployments, instanceResults, instances, locks, repositories } from "../../db/schema";

export async function loadInstance(db: Database, workspaceId: string, instanceId: string, now: Date) {
  const [rows, history, runs] = await db.batch([
    db
      .select({
        id: instances.id,
        stack: instances.stack,
        component: instances.component,
        componentType: instances.componentType,
        status: instances.status,
        driftEnabled: instances.driftEnabled,
        settingsPro: instances.settingsPro,
        lastCommand: instances.lastCommand,
        lastExitCode: instances.lastExitCode,
        lastRunAt: instances.lastRunAt,
        removedAt: instances.removedAt,
        owner: repositories.owner,
        name: repositories.name,
      })
      .from(instances)
      .innerJoin(repositories, eq(repositories.id, instances.repositoryId))
      .where(and(eq(instances.id, instanceId), eq(instances.workspaceId, workspaceId)))
      .limit(1),
    db
      .select({ id: instanceResults.id, command: instanceResults.command, exitCode: instanceResults.exitCode, status: instanceResults.status, ranAt: instanceResults.ranAt })
      .from(instanceResults)
      .where(and(eq(instanceResults.instanceId, instanceId), eq(instanceResults.workspaceId, workspaceId)))
      .orderBy(desc(instanceResults.ranAt))
      .limit(50),
    db
      .select({ id: deployments.id, kind: deployments.kind, status: deployments.status, workflow: deployments.workflow, githubRunUrl: deployments.githubRunUrl, createdAt: deployments.createdAt })
      .from(deployments)
      .where(and(eq(deployments.instanceId, instanceId), eq(deployments.workspaceId, workspaceId)))
      .orderBy(desc(deployments.createdAt))
      .limit(20),
  ]);
  const row = rows[0];
  if (!row) return null;
  const key = `${row.owner}/${row.name}/${row.stack}/${row.component}`;
  const lockRows = await db
    .select({ lockedBy: locks.lockedBy, message: locks.message, expiresAt: locks.expiresAt, createdAt: locks.createdAt })
    .from(locks)
    .where(and(eq(locks.workspaceId, workspaceId), eq(locks.key, key), isNull(locks.deletedAt), gt(locks.expiresAt, now)))
    .limit(1);
  const lock = lockRows[0];
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
      lastRunAt: row.lastRunAt?.toISOString() ?? null,
      removed: row.removedAt !== null,
      repository: `${row.owner}/${row.name}`,
      lockKey: key,
    },
    workflows: describeWorkflows(row.settingsPro),
    history: history.map((h) => ({ ...h, ranAt: h.ranAt.toISOString() })),
    deployments: runs.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })),
    lock: lock ? { lockedBy: lock.lockedBy, message: lock.message, expiresAt: lock.expiresAt.toISOString(), createdAt: lock.createdAt.toISOString() } : null,
  };
}

/** `settings.pro` in readable form: which workflow runs on which event, with its inputs. */
export function describeWorkflows(settingsPro: unknown): Array<{ event: string; workflow: string; inputs: Array<{ name: string; value: string }> }> {
  const out: Array<{ event: string; workflow: string; inputs: Array<{ name: string; value: string }> }> = [];
  if (!settingsPro || typeof settingsPro !== "object") return out;
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== "object" || path.length > 4) return;
    const record = node as Record<string, unknown>;
    if (record.workflows && typeof record.workflows === "object") {
      for (const [workflow, config] of Object.entries(record.workflows as Record<string, unknown>)) {
        const inputs = config && typeof config === "object" && "inputs" in config && config.inputs && typeof config.inputs === "object" ? (config.inputs as Record<string, unknown>) : {};
        out.push({ event: path.join("."), workflow, inputs: Object.entries(inputs).map(([name, value]) => ({ name, value: typeof value === "string" ? value : JSON.stringify(value) })) });
      }
      return;
    }
    for (const [key, child] of Object.entries(record)) walk(child, [...path, key]);
  };
  walk(settingsPro, []);
  return out;
}
