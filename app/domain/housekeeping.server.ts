/**
 * Housekeeping, run by the every-minute Cron Trigger (app/worker/scheduled.server.ts). Each job does a
 * bounded amount of work per run (the next run takes the rest) and is a conditional write, so two runs
 * at once do the work once.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { pruneDeliveries } from "./webhook-deliveries.server";
import { PLAN_DEFINITIONS, PLANS } from "./plans";
import { expireStaleUploads } from "./uploads/affected-stacks.server";
import { expireStaleInstanceUploads } from "./uploads/instances.server";

const DAY_MS = 86_400_000;
/** Rows each job touches at most per run. */
export const HOUSEKEEPING_BATCH = 500;
/** How long webhook deliveries are kept (their status is shown to admins meanwhile). */
export const DELIVERY_RETENTION_DAYS = 30;

/** Deletes audit events older than their workspace's plan keeps them, at most `limit` per run. */
export async function pruneAuditEvents(db: Database, now: Date, limit = HOUSEKEEPING_BATCH): Promise<number> {
  const cutoff = sql.join(
    [
      sql`CASE w.plan`,
      ...PLANS.map((plan) => {
        const days = PLAN_DEFINITIONS[plan].limits.auditRetentionDays;
        // No limit: kept for ever (a cutoff before every event).
        return sql`WHEN ${plan} THEN ${days === null ? 0 : now.getTime() - days * DAY_MS}`;
      }),
      sql`ELSE 0 END`,
    ],
    sql` `,
  );
  const result = await db.run(
    sql`DELETE FROM audit_events WHERE id IN (
      SELECT a.id FROM audit_events a JOIN workspaces w ON w.id = a.workspace_id
      WHERE a.created_at < ${cutoff} ORDER BY a.created_at LIMIT ${limit})`,
  );
  return result.meta.changes ?? 0;
}

export type HousekeepingReport = Record<string, number | string>;

/** Every job, each on its own: one that fails is reported and the others still run. */
export async function runHousekeeping(
  db: Database,
  now: Date,
  onError: (job: string, error: unknown) => void,
): Promise<HousekeepingReport> {
  const jobs: Record<string, () => Promise<number>> = {
    uploads_expired: async () => (await expireStaleUploads(db, now, HOUSEKEEPING_BATCH)).expired,
    inventories_expired: async () => {
      const result = await expireStaleInstanceUploads(db, now, HOUSEKEEPING_BATCH);
      return result.expired + result.deleted;
    },
    audit_events_pruned: () => pruneAuditEvents(db, now),
    deliveries_pruned: () =>
      pruneDeliveries(db, new Date(now.getTime() - DELIVERY_RETENTION_DAYS * DAY_MS), HOUSEKEEPING_BATCH),
  };
  const report: HousekeepingReport = {};
  for (const [job, run] of Object.entries(jobs)) {
    try {
      report[job] = await run();
    } catch (error) {
      onError(job, error);
      report[job] = "failed";
    }
  }
  return report;
}
