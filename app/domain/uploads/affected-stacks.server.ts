/**
 * Affected-stacks uploads (POST /api/v1/affected-stacks): what `atmos describe affected --upload`
 * sends for a pull request, stored as the upload's items (one per stack × component) and the
 * dependency edges between them, for the dashboard and for dispatching workflows in waves.
 *
 * Idempotency (the CLI retries on 5xx and network errors, so every request may arrive twice):
 * - A single upload (no batch fields) is keyed by the SHA-256 of its raw body (`single:<hex>` as
 *   its batch id) and written in ONE D1 batch, which is one transaction: a retry of an identical
 *   upload finds it complete and changes nothing; a crash leaves nothing behind.
 * - A chunk of a batched upload is stored as it comes, in any order; a repeated chunk is ignored
 *   ((upload, index) is the chunks' primary key). `batch_received` counts distinct chunks.
 * - When the last distinct chunk is in, the upload is assembled in one D1 batch whose every insert
 *   is conditional on the upload still being 'receiving', and whose last statement claims it
 *   (`UPDATE … SET status='complete' WHERE status='receiving' RETURNING`). Two requests racing to
 *   assemble are serialised by D1: the second finds the upload complete and its batch changes
 *   nothing. Inserting and claiming in the same transaction means a crash can never leave an upload
 *   marked complete with half its items.
 *
 * Refusals are returned (app/domain/result.ts): "batch_conflict", "batch_expired", "chunk_too_large"
 * (the API answers 409, 409 and 413; the CLI answers a 413 by starting over with smaller chunks and
 * a fresh batch id).
 *
 * D1's limits are kept by db/batch.ts; a stored chunk is gzip-compressed (./chunks.ts).
 */
import { and, asc, eq, sql } from "drizzle-orm";
import {
  bound,
  boolLiteral,
  changedRows,
  idLiteral,
  NULL,
  packRows,
  resultRows,
  runBatch,
  type Query,
  type Row,
  type StatementCounter,
} from "../../../db/batch";
import type { Database } from "../../../db/client";
import { affectedStacksChunks, affectedStacksUploads, deploymentBatches } from "../../../db/schema";
import { sha256Hex } from "../../encoding";
import type { FlatEdge } from "../deployment-waves";
import { newId } from "../ids";
import { refuse, type Refusal } from "../result";
import { decodeChunk, encodeChunk, MAX_STORED_CHUNK_CHARS } from "./chunks";
import { flattenStacks, type FlatItem } from "./flatten";
import { batchOf, type AffectedStacksBody, type StackItem } from "./payloads";

/** Chunks of an unfinished batch are kept this long after its first chunk arrives. */
export const BATCH_TTL_MS = 60 * 60 * 1000;
export type AffectedStacksRefusal = "batch_conflict" | "batch_expired" | "chunk_too_large";

export type ReceiveAffectedStacksResult =
  | {
      ok: true;
      uploadId: string;
      /** All chunks are in and the items are stored (now or by an earlier request). */
      complete: boolean;
      /** This request changed nothing (a retried upload or chunk). */
      duplicate: boolean;
      /** Items and edges this request inserted. */
      items: number;
      edges: number;
      /** SQL statements this request executed. */
      statements: number;
    }
  /** Nothing was written for this chunk. */
  | (Refusal<AffectedStacksRefusal> & { statements: number });

export type ReceiveAffectedStacksInput = {
  workspaceId: string;
  repositoryId: string;
  pullRequest: number | null;
  headRef: string | null;
  body: AffectedStacksBody;
  rawBody: string;
  now: Date;
};

/** The upload row a statement acts on, found by (workspace, batch id): usable before we know its id. */
const uploadMatch = (workspaceId: string, batchId: string) =>
  sql`u.workspace_id = ${workspaceId} AND u.batch_id = ${batchId} AND u.status = 'receiving' AND u.batch_received = u.batch_total`;

/**
 * The statements that store an assembled upload: items, edges (each insert a no-op unless the
 * upload is still 'receiving' with every chunk in), deletion of its chunks, and last the claim.
 */
function assemblyStatements(
  workspaceId: string,
  batchId: string,
  items: FlatItem[],
  edges: FlatEdge[],
  now: Date,
): Query[] {
  const itemRows: Row[] = items.map((item) => {
    const parts = [
      bound(item.stack),
      bound(item.component),
      bound(item.componentType),
      bound(item.componentPath),
      bound(item.affected),
      bound(item.settingsPro ? JSON.stringify(item.settingsPro) : null),
    ];
    const rowSql = sql`(${idLiteral(item.id)}, ${parts[0]!.sql}, ${parts[1]!.sql}, ${parts[2]!.sql}, ${parts[3]!.sql}, ${parts[4]!.sql}, ${boolLiteral(item.affectedAll)}, ${boolLiteral(item.includedInDependents)}, ${boolLiteral(item.deleted)}, ${item.deletionType ? sql.raw(`'${item.deletionType}'`) : NULL}, ${parts[5]!.sql})`;
    return { sql: rowSql, params: parts.reduce((sum, part) => sum + part.params, 0), bytes: 80 };
  });
  const itemInserts = packRows(
    itemRows,
    2,
    (values) => sql`
    INSERT INTO affected_stack_items (id, upload_id, stack, component, component_type, component_path, affected, affected_all, included_in_dependents, deleted, deletion_type, settings_pro)
    SELECT v.column1, u.id, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10, v.column11
    FROM (VALUES ${values}) AS v, affected_stacks_uploads AS u
    WHERE ${uploadMatch(workspaceId, batchId)}`,
  );

  const edgeRows: Row[] = edges.map((edge) => ({
    sql: sql`(${idLiteral(edge.itemId)}, ${idLiteral(edge.dependentItemId)})`,
    params: 0,
    bytes: 72,
  }));
  const edgeInserts = packRows(
    edgeRows,
    2,
    (values) => sql`
    INSERT INTO affected_stack_edges (upload_id, item_id, dependent_item_id)
    SELECT u.id, v.column1, v.column2
    FROM (VALUES ${values}) AS v, affected_stacks_uploads AS u
    WHERE ${uploadMatch(workspaceId, batchId)}`,
  );

  return [
    ...itemInserts,
    ...edgeInserts,
    sql`DELETE FROM affected_stacks_chunks WHERE upload_id IN (SELECT u.id FROM affected_stacks_uploads AS u WHERE ${uploadMatch(workspaceId, batchId)})`,
    // The claim, last: it returns the upload's id only to the request that completed it.
    sql`UPDATE affected_stacks_uploads AS u SET status = 'complete', completed_at = ${now.getTime()} WHERE ${uploadMatch(workspaceId, batchId)} RETURNING id`,
  ];
}

function uploadValues(input: ReceiveAffectedStacksInput, batchId: string, total: number) {
  return {
    id: newId("upl"),
    workspaceId: input.workspaceId,
    repositoryId: input.repositoryId,
    headSha: input.body.head_sha,
    baseSha: input.body.base_sha,
    pullRequest: input.pullRequest,
    headRef: input.headRef,
    batchId,
    batchTotal: total,
    batchReceived: 0,
    status: "receiving" as const,
    expiresAt: new Date(input.now.getTime() + BATCH_TTL_MS),
    createdAt: input.now,
  };
}

export async function receiveAffectedStacks(
  db: Database,
  input: ReceiveAffectedStacksInput,
): Promise<ReceiveAffectedStacksResult> {
  const batch = batchOf(input.body);
  return batch ? receiveChunk(db, input, batch) : receiveSingle(db, input);
}

/** A whole upload in one request: one transaction, keyed by its content. */
async function receiveSingle(db: Database, input: ReceiveAffectedStacksInput): Promise<ReceiveAffectedStacksResult> {
  const counter = { statements: 0 };
  // Keyed by its content, so a retried request stores nothing twice — within one use of its head sha:
  // the merge upload of a pull request may repeat its plan upload byte for byte, and must still count
  // as a second upload once the first one became a batch.
  const [used] = await db
    .select({ batches: sql<number>`count(*)` })
    .from(deploymentBatches)
    .where(
      and(
        eq(deploymentBatches.workspaceId, input.workspaceId),
        eq(deploymentBatches.repositoryId, input.repositoryId),
        eq(deploymentBatches.headSha, input.body.head_sha),
      ),
    );
  counter.statements += 1;
  const batchId = `single:${await sha256Hex(input.rawBody)}${used?.batches ? `:${used.batches}` : ""}`;
  const { items, edges } = flattenStacks(input.body.stacks ?? []);
  // Created with batch_received = batch_total = 1 so the assembly's conditions hold at once.
  const upload = { ...uploadValues(input, batchId, 1), batchReceived: 1 };
  const results = await runBatch(db, counter, [
    db.insert(affectedStacksUploads).values(upload).onConflictDoNothing(),
    ...assemblyStatements(input.workspaceId, batchId, items, edges, input.now),
    sql`SELECT id, status FROM affected_stacks_uploads WHERE workspace_id = ${input.workspaceId} AND batch_id = ${batchId}`,
  ]);
  const claimed = resultRows<{ id: string }>(results[results.length - 2]);
  const [row] = resultRows<{ id: string; status: string }>(results[results.length - 1]);
  if (claimed.length > 0) {
    return {
      ok: true,
      uploadId: claimed[0]!.id,
      complete: true,
      duplicate: false,
      items: items.length,
      edges: edges.length,
      statements: counter.statements,
    };
  }
  return {
    ok: true,
    uploadId: row!.id,
    complete: row!.status === "complete",
    duplicate: true,
    items: 0,
    edges: 0,
    statements: counter.statements,
  };
}

type UploadState = {
  id: string;
  repository_id: string;
  status: "receiving" | "complete" | "expired";
  batch_total: number;
  batch_received: number;
  expires_at: number | null;
};

/** One chunk of a batched upload: stored; the batch assembled when its last distinct chunk is in. */
async function receiveChunk(
  db: Database,
  input: ReceiveAffectedStacksInput,
  batch: { id: string; index: number; total: number },
): Promise<ReceiveAffectedStacksResult> {
  const counter = { statements: 0 };
  const { workspaceId, now } = input;
  const body = await encodeChunk(input.body.stacks ?? []);
  if (body.length > MAX_STORED_CHUNK_CHARS) {
    return {
      ...refuse(
        "chunk_too_large",
        "This chunk is too large to store even compressed. Upload it in smaller chunks with a new batch_id.",
      ),
      statements: 0,
    };
  }

  const [, stored, updated] = await runBatch(db, counter, [
    db
      .insert(affectedStacksUploads)
      .values(uploadValues(input, batch.id, batch.total))
      .onConflictDoNothing(),
    // Stored only into an upload that is still receiving, unexpired, of this repository and this total.
    sql`
      INSERT INTO affected_stacks_chunks (upload_id, batch_index, body, created_at)
      SELECT u.id, ${batch.index}, ${body}, ${now.getTime()}
      FROM affected_stacks_uploads AS u
      WHERE u.workspace_id = ${workspaceId} AND u.batch_id = ${batch.id} AND u.repository_id = ${input.repositoryId}
        AND u.batch_total = ${batch.total} AND u.status = 'receiving' AND u.expires_at > ${now.getTime()}
      ON CONFLICT DO NOTHING`,
    // Distinct chunks in, recounted (a repeated chunk was not stored again); the upload's state either way.
    sql`
      UPDATE affected_stacks_uploads AS u
      SET batch_received = CASE WHEN u.status = 'receiving' THEN (SELECT count(*) FROM affected_stacks_chunks AS c WHERE c.upload_id = u.id) ELSE u.batch_received END
      WHERE u.workspace_id = ${workspaceId} AND u.batch_id = ${batch.id}
      RETURNING id, repository_id, status, batch_total, batch_received, expires_at`,
  ]);
  const upload = resultRows<UploadState>(updated)[0]!;
  const chunkStored = changedRows(stored) > 0;

  if (upload.repository_id !== input.repositoryId || upload.batch_total !== batch.total) {
    const message =
      upload.repository_id !== input.repositoryId
        ? "This batch_id belongs to another repository's upload. Upload again with a new batch_id."
        : `This batch has batch_total ${upload.batch_total}, not ${batch.total}. Upload again with a new batch_id.`;
    return { ...refuse("batch_conflict", message), statements: counter.statements };
  }
  if (
    upload.status === "expired" ||
    (upload.status === "receiving" && upload.expires_at !== null && upload.expires_at <= now.getTime())
  ) {
    if (upload.status === "receiving") await expireUploads(db, counter, now, { uploadId: upload.id });
    return {
      ...refuse(
        "batch_expired",
        "This batch expired before all its chunks arrived. Upload it again with a new batch_id.",
      ),
      statements: counter.statements,
    };
  }
  const base = { ok: true as const, uploadId: upload.id, items: 0, edges: 0 };
  if (upload.status === "complete") return { ...base, complete: true, duplicate: true, statements: counter.statements };
  if (upload.batch_received < upload.batch_total)
    return { ...base, complete: false, duplicate: !chunkStored, statements: counter.statements };

  // Every chunk is in: assemble (unless a racing request already did and deleted the chunks).
  counter.statements++;
  const chunks = await db
    .select({ index: affectedStacksChunks.batchIndex, body: affectedStacksChunks.body })
    .from(affectedStacksChunks)
    .where(eq(affectedStacksChunks.uploadId, upload.id))
    .orderBy(asc(affectedStacksChunks.batchIndex));
  if (chunks.length !== upload.batch_total)
    return { ...base, complete: true, duplicate: !chunkStored, statements: counter.statements };

  const stacks: StackItem[] = [];
  for (const chunk of chunks) stacks.push(...(await decodeChunk(chunk.body)));
  const { items, edges } = flattenStacks(stacks);
  const results = await runBatch(db, counter, assemblyStatements(workspaceId, batch.id, items, edges, now));
  const claimed = resultRows<{ id: string }>(results[results.length - 1]);
  if (claimed.length === 0) return { ...base, complete: true, duplicate: !chunkStored, statements: counter.statements };
  return {
    ...base,
    complete: true,
    duplicate: false,
    items: items.length,
    edges: edges.length,
    statements: counter.statements,
  };
}

/** Marks unfinished uploads past their expiry 'expired' and deletes their chunks (one upload, or all of them). */
async function expireUploads(
  db: Database,
  counter: StatementCounter,
  now: Date,
  which: { uploadId: string } | { limit: number },
): Promise<number> {
  const stale =
    "uploadId" in which
      ? sql`status = 'receiving' AND expires_at <= ${now.getTime()} AND id = ${which.uploadId}`
      : sql`id IN (SELECT id FROM affected_stacks_uploads WHERE status = 'receiving' AND expires_at <= ${now.getTime()} ORDER BY expires_at LIMIT ${which.limit})`;
  const [, expired] = await runBatch(db, counter, [
    sql`DELETE FROM affected_stacks_chunks WHERE upload_id IN (SELECT id FROM affected_stacks_uploads WHERE ${stale})`,
    sql`UPDATE affected_stacks_uploads SET status = 'expired' WHERE ${stale} RETURNING id`,
  ]);
  return resultRows(expired).length;
}

/**
 * Housekeeping (a scheduled job): uploads still 'receiving' whose expires_at (first chunk + 1 hour)
 * has passed become 'expired' and lose their chunks. A later chunk of such a batch is refused.
 */
export async function expireStaleUploads(
  db: Database,
  now: Date,
  limit = 500,
): Promise<{ expired: number; statements: number }> {
  const counter = { statements: 0 };
  const expired = await expireUploads(db, counter, now, { limit });
  return { expired, statements: counter.statements };
}
