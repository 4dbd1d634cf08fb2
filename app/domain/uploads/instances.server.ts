/**
 * Instances (a component in a stack): the inventory `atmos list instances --upload` sends
 * (POST /api/v1/instances) and the status each plan/apply/detect/remediate reports
 * (PATCH /api/v1/repos/{owner}/{repo}/instances).
 *
 * An inventory upload is the COMPLETE list of a repository's instances:
 * - what it lists is upserted on (workspace_id, repository_id, stack, component): component_type,
 *   settings_pro (the item's `settings.pro` or null), drift_enabled (`settings.pro.drift_detection.enabled
 *   === true`), removed_at cleared, updated_at = the upload's time;
 * - what it no longer lists is marked removed (removed_at = now): the instances of the repository
 *   not written since the upload began (updated_at older than its start).
 * A single upload does both in one D1 batch (one transaction). A chunked one (batch fields) upserts
 * each chunk as it comes and marks removals only in the batch of its last distinct chunk; its state
 * is kept in `instance_uploads` (distinct chunk indexes, so a retried chunk is not counted twice; the
 * first chunk's time as the "not written since" mark; every later chunk writes updated_at ≥ that mark
 * even on a machine whose clock is behind). A retried identical upload leaves the same rows (only
 * updated_at moves).
 *
 * Refusals are returned (app/domain/result.ts): "batch_conflict" and "batch_expired" (the API answers
 * 409), "instance_unknown" for a status report (404). D1's limits are kept by db/batch.ts.
 */
import { and, eq, lte, ne, sql, type SQL } from "drizzle-orm";
import {
  boolLiteral,
  changedRows,
  returnedRows,
  idLiteral,
  NULL,
  packRows,
  resultRows,
  runBatch,
  type Query,
  type Row,
} from "../../../db/batch";
import type { Database } from "../../../db/client";
import { instanceUploads } from "../../../db/schema";
import { newId } from "../ids";
import { refuse, type Refusal } from "../result";
import { batchOf, type InstanceItem, type InstancesBody, type InstanceStatusBody } from "./payloads";

/** A chunked inventory whose last chunk has not arrived this long after its first is abandoned. */
export const INSTANCE_BATCH_TTL_MS = 60 * 60 * 1000;

export type InstanceStatus = "in_sync" | "drifted" | "error" | "unknown";

export type ReceiveInstancesResult =
  | {
      ok: true;
      /** Instances this request inserted or updated. */
      upserted: number;
      /** Instances this request marked removed (only when the inventory is complete). */
      removed: number;
      /** The whole inventory is in (a single upload, or the last chunk of a batch). */
      complete: boolean;
      statements: number;
    }
  /** Nothing was written for this chunk. */
  | (Refusal<InventoryRefusal> & { statements: number });

export type InventoryRefusal = "batch_conflict" | "batch_expired";

/** plan/detect: 0 → in_sync, 2 → drifted (terraform's -detailed-exitcode), other → error; apply/remediate: 0 → in_sync, other → error. */
export function statusFor(command: string, exitCode: number): "in_sync" | "drifted" | "error" {
  if (exitCode === 0) return "in_sync";
  if ((command === "plan" || command === "detect") && exitCode === 2) return "drifted";
  return "error";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type InventoryRow = {
  stack: string;
  component: string;
  componentType: string;
  settingsPro: Record<string, unknown> | null;
  driftEnabled: boolean;
};

/** The listed instances, one per (stack, component) — the last listing wins. */
function inventoryRows(instances: readonly InstanceItem[]): InventoryRow[] {
  const rows = new Map<string, InventoryRow>();
  for (const item of instances) {
    const pro = isPlainObject(item.settings?.pro) ? (item.settings.pro as Record<string, unknown>) : null;
    const drift = pro && isPlainObject(pro.drift_detection) ? pro.drift_detection.enabled === true : false;
    rows.set(`${item.stack}\u0000${item.component}`, {
      stack: item.stack,
      component: item.component,
      componentType: item.component_type ? item.component_type : "terraform",
      settingsPro: pro,
      driftEnabled: drift,
    });
  }
  return [...rows.values()];
}

/**
 * Multi-row upserts. `source` supplies the FROM/WHERE after the VALUES list (and `fixedParams`
 * bound parameters), `stamp` the updated_at expression.
 */
function upsertStatements(
  rows: InventoryRow[],
  options: { workspaceId: string; repositoryId: string; now: Date; stamp: SQL; source: SQL; fixedParams: number },
): Query[] {
  const values: Row[] = rows.map((row) => ({
    sql: sql`(${idLiteral(newId("inst"))}, ${row.stack}, ${row.component}, ${row.componentType}, ${row.settingsPro ? sql`${JSON.stringify(row.settingsPro)}` : NULL}, ${boolLiteral(row.driftEnabled)})`,
    params: row.settingsPro ? 4 : 3,
    bytes: 60,
  }));
  return packRows(
    values,
    options.fixedParams,
    (list) => sql`
    INSERT INTO instances (id, workspace_id, repository_id, stack, component, component_type, settings_pro, drift_enabled, removed_at, created_at, updated_at)
    SELECT v.column1, ${options.workspaceId}, ${options.repositoryId}, v.column2, v.column3, v.column4, v.column5, v.column6, NULL, ${options.now.getTime()}, ${options.stamp}
    FROM (VALUES ${list}) AS v ${options.source}
    ON CONFLICT (workspace_id, repository_id, stack, component) DO UPDATE SET
      component_type = excluded.component_type,
      settings_pro = excluded.settings_pro,
      drift_enabled = excluded.drift_enabled,
      removed_at = NULL,
      updated_at = excluded.updated_at
    RETURNING 1`,
  );
}

export async function receiveInstances(
  db: Database,
  input: { workspaceId: string; repositoryId: string; body: InstancesBody; now: Date },
): Promise<ReceiveInstancesResult> {
  const batch = batchOf(input.body);
  const rows = inventoryRows(input.body.instances ?? []);
  return batch ? receiveInventoryChunk(db, input, rows, batch) : receiveInventory(db, input, rows);
}

/** A whole inventory in one request: upserts and removals in one transaction. */
async function receiveInventory(
  db: Database,
  input: { workspaceId: string; repositoryId: string; now: Date },
  rows: InventoryRow[],
): Promise<ReceiveInstancesResult> {
  const counter = { statements: 0 };
  const { workspaceId, repositoryId, now } = input;
  const upserts = upsertStatements(rows, {
    workspaceId,
    repositoryId,
    now,
    stamp: sql`${now.getTime()}`,
    source: sql.raw("WHERE true"),
    fixedParams: 4,
  });
  const results = await runBatch(db, counter, [
    ...upserts,
    sql`
      UPDATE instances SET removed_at = ${now.getTime()}, updated_at = ${now.getTime()}
      WHERE workspace_id = ${workspaceId} AND repository_id = ${repositoryId} AND removed_at IS NULL AND updated_at < ${now.getTime()}
      RETURNING 1`,
  ]);
  // RETURNING rows, not D1's change count: that one includes the kept counts' trigger writes.
  const upserted = results.slice(0, upserts.length).reduce<number>((sum, result) => sum + returnedRows(result), 0);
  return {
    ok: true,
    upserted,
    removed: returnedRows(results[results.length - 1]),
    complete: true,
    statements: counter.statements,
  };
}

type InstanceUploadRow = typeof instanceUploads.$inferSelect;

/** One chunk of a chunked inventory. */
async function receiveInventoryChunk(
  db: Database,
  input: { workspaceId: string; repositoryId: string; now: Date },
  rows: InventoryRow[],
  batch: { id: string; index: number; total: number },
): Promise<ReceiveInstancesResult> {
  const counter = { statements: 0 };
  const { workspaceId, repositoryId, now } = input;
  const thisBatch = and(eq(instanceUploads.workspaceId, workspaceId), eq(instanceUploads.batchId, batch.id));

  counter.statements++;
  const [existing] = await db.select().from(instanceUploads).where(thisBatch);
  const refusal = existing ? checkBatch(existing, input, batch) : null;
  if (refusal) {
    if (refusal.reason === "batch_expired" && existing!.status === "receiving") {
      counter.statements++;
      await db
        .update(instanceUploads)
        .set({ status: "expired" })
        .where(and(thisBatch, eq(instanceUploads.status, "receiving")));
    }
    return { ...refusal, statements: counter.statements };
  }
  if (existing?.status === "complete")
    return { ok: true, upserted: 0, removed: 0, complete: true, statements: counter.statements };

  // Every statement below acts only while the batch is receiving, of this repository and this total.
  const receiving = sql`iu.workspace_id = ${workspaceId} AND iu.batch_id = ${batch.id} AND iu.repository_id = ${repositoryId} AND iu.batch_total = ${batch.total} AND iu.status = 'receiving'`;
  const upserts = upsertStatements(rows, {
    workspaceId,
    repositoryId,
    now,
    // Never older than the batch's start, whatever this machine's clock says.
    stamp: sql`MAX(${now.getTime()}, iu.started_at)`,
    source: sql`, instance_uploads AS iu WHERE ${receiving}`,
    fixedParams: 9,
  });
  const complete = sql`SELECT iu.started_at FROM instance_uploads AS iu WHERE ${receiving} AND iu.received = iu.batch_total`;
  const results = await runBatch(db, counter, [
    db
      .insert(instanceUploads)
      .values({
        workspaceId,
        batchId: batch.id,
        repositoryId,
        batchTotal: batch.total,
        received: 0,
        receivedIndexes: "[]",
        status: "receiving",
        startedAt: now,
      })
      .onConflictDoNothing(),
    sql`
      UPDATE instance_uploads AS iu
      SET received = received + 1, received_indexes = json_insert(received_indexes, '$[#]', CAST(${batch.index} AS INTEGER))
      WHERE ${receiving} AND NOT EXISTS (SELECT 1 FROM json_each(iu.received_indexes) WHERE value = ${batch.index})`,
    ...upserts,
    // The inventory is whole: what no chunk wrote since the batch began is no longer listed.
    sql`
      UPDATE instances SET removed_at = ${now.getTime()}, updated_at = ${now.getTime()}
      WHERE workspace_id = ${workspaceId} AND repository_id = ${repositoryId} AND removed_at IS NULL AND updated_at < (${complete})
      RETURNING 1`,
    sql`UPDATE instance_uploads AS iu SET status = 'complete', completed_at = ${now.getTime()} WHERE ${receiving} AND iu.received = iu.batch_total`,
    sql`SELECT repository_id, batch_total, status, started_at FROM instance_uploads WHERE workspace_id = ${workspaceId} AND batch_id = ${batch.id}`,
  ]);
  const [raw] = resultRows<{
    repository_id: string;
    batch_total: number;
    status: InstanceUploadRow["status"];
    started_at: number;
  }>(results[results.length - 1]);
  const state = raw
    ? {
        repositoryId: raw.repository_id,
        batchTotal: raw.batch_total,
        status: raw.status,
        startedAt: new Date(raw.started_at),
      }
    : null;
  const raced = state ? checkBatch(state, input, batch) : null;
  if (raced) return { ...raced, statements: counter.statements };
  const upserted = results.slice(2, 2 + upserts.length).reduce<number>((sum, result) => sum + returnedRows(result), 0);
  const claimed = changedRows(results[results.length - 2]) > 0;
  return {
    ok: true,
    upserted,
    removed: claimed ? returnedRows(results[results.length - 3]) : 0,
    complete: state?.status === "complete",
    statements: counter.statements,
  };
}

function checkBatch(
  upload: Pick<InstanceUploadRow, "repositoryId" | "batchTotal" | "status" | "startedAt">,
  input: { repositoryId: string; now: Date },
  batch: { total: number },
): Refusal<InventoryRefusal> | null {
  if (upload.repositoryId !== input.repositoryId)
    return refuse(
      "batch_conflict",
      "This batch_id belongs to another repository's inventory. Upload again with a new batch_id.",
    );
  if (upload.batchTotal !== batch.total)
    return refuse(
      "batch_conflict",
      `This batch has batch_total ${upload.batchTotal}, not ${batch.total}. Upload again with a new batch_id.`,
    );
  if (
    upload.status === "expired" ||
    (upload.status === "receiving" && upload.startedAt.getTime() + INSTANCE_BATCH_TTL_MS <= input.now.getTime())
  ) {
    return refuse(
      "batch_expired",
      "This inventory batch expired before all its chunks arrived. Upload it again with a new batch_id.",
    );
  }
  return null;
}

/** Housekeeping: abandoned chunked inventories become 'expired'; finished ones are forgotten after a day. */
export async function expireStaleInstanceUploads(
  db: Database,
  now: Date,
  limit = 500,
): Promise<{ expired: number; deleted: number }> {
  // By rowid: batch ids are the client's, and two workspaces may use the same one.
  const abandoned = db
    .select({ rowid: sql<number>`rowid` })
    .from(instanceUploads)
    .where(
      and(
        eq(instanceUploads.status, "receiving"),
        lte(instanceUploads.startedAt, new Date(now.getTime() - INSTANCE_BATCH_TTL_MS)),
      ),
    )
    .limit(limit);
  const finished = db
    .select({ rowid: sql<number>`rowid` })
    .from(instanceUploads)
    .where(
      and(
        ne(instanceUploads.status, "receiving"),
        lte(instanceUploads.startedAt, new Date(now.getTime() - 24 * INSTANCE_BATCH_TTL_MS)),
      ),
    )
    .limit(limit);
  const [expired, deleted] = await db.batch([
    db
      .update(instanceUploads)
      .set({ status: "expired" })
      .where(and(eq(instanceUploads.status, "receiving"), sql`rowid IN ${abandoned}`))
      .returning({ batchId: instanceUploads.batchId }),
    db
      .delete(instanceUploads)
      .where(and(ne(instanceUploads.status, "receiving"), sql`rowid IN ${finished}`))
      .returning({ batchId: instanceUploads.batchId }),
  ]);
  return { expired: expired.length, deleted: deleted.length };
}

// ─── Status reports ─────────────────────────────────────────────────────────────────────────────

const LEGACY_EXIT_CODES = { in_sync: 0, drifted: 2, error: 1 } as const;

/**
 * A plan/apply/detect/remediate result for one instance: the instance's status, last_command,
 * last_exit_code and last_run_at, and an instance_results row, in one batch. A report older than the
 * instance's last run (reports can arrive out of order) is kept in the history but does not change
 * the instance. A retried report with the same last_run adds no second result row.
 * The legacy body `{status}` sets the status directly; it is recorded as a `detect` result with the
 * matching exit code (in_sync 0, drifted 2, error 1); `unknown` only resets the status.
 */
export async function reportInstanceStatus(
  db: Database,
  input: {
    workspaceId: string;
    repositoryId: string;
    stack: string;
    component: string;
    body: InstanceStatusBody;
    /** The drift run whose detect this reports, if one is checking the instance. */
    driftRunId?: string | null;
    now: Date;
  },
): Promise<{ ok: true; status: InstanceStatus } | Refusal<"instance_unknown">> {
  const { workspaceId, repositoryId, stack, component, body, now } = input;
  const driftRunId = input.driftRunId ?? null;
  let status: InstanceStatus;
  let result: { command: "plan" | "apply" | "remediate" | "detect"; exitCode: number; ranAt: Date } | null;
  if ("command" in body) {
    status = statusFor(body.command, body.exit_code);
    const lastRun = body.last_run ? new Date(body.last_run) : null;
    result = {
      command: body.command,
      exitCode: body.exit_code,
      ranAt: lastRun && !Number.isNaN(lastRun.getTime()) ? lastRun : now,
    };
  } else {
    status = body.status;
    result =
      body.status === "unknown" ? null : { command: "detect", exitCode: LEGACY_EXIT_CODES[body.status], ranAt: now };
  }

  const instance = sql`i.workspace_id = ${workspaceId} AND i.repository_id = ${repositoryId} AND i.stack = ${stack} AND i.component = ${component}`;
  const statements: Query[] = [];
  if (result) {
    const ranAt = result.ranAt.getTime();
    statements.push(
      sql`
        INSERT INTO instance_results (id, workspace_id, instance_id, command, exit_code, status, ran_at, drift_run_id)
        SELECT ${newId("res")}, i.workspace_id, i.id, ${result.command}, ${result.exitCode}, ${status}, ${ranAt}, ${driftRunId}
        FROM instances AS i
        WHERE ${instance} AND NOT EXISTS (
          SELECT 1 FROM instance_results AS r WHERE r.instance_id = i.id AND r.command = ${result.command} AND r.exit_code = ${result.exitCode} AND r.ran_at = ${ranAt})`,
      sql`
        UPDATE instances AS i SET status = ${status}, last_command = ${result.command}, last_exit_code = ${result.exitCode}, last_run_at = ${ranAt}, updated_at = ${now.getTime()}
        WHERE ${instance} AND (i.last_run_at IS NULL OR i.last_run_at <= ${ranAt})`,
    );
  } else {
    statements.push(sql`UPDATE instances AS i SET status = ${status}, updated_at = ${now.getTime()} WHERE ${instance}`);
  }
  statements.push(sql`SELECT i.id FROM instances AS i WHERE ${instance}`);
  const results = await runBatch(db, { statements: 0 }, statements);
  if (resultRows(results[results.length - 1]).length > 0) return { ok: true, status };
  return refuse(
    "instance_unknown",
    `No instance ${component} in stack ${stack} in this repository. Upload the inventory first (atmos list instances --upload).`,
  );
}
