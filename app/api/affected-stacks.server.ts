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
 * Refusals are returned, not thrown: `{ refused: "expired" | "conflict" | "too_large" }`. The HTTP
 * layer answers 409 for "expired" and "conflict", and 413 for "too_large" (the CLI answers a 413 by
 * starting over with smaller chunks and a fresh batch id).
 *
 * D1 limits respected: at most 100 bound parameters and < 100 KB of SQL per statement, strings
 * < 2 MB per value (a stored chunk is gzip-compressed). Only values the client sent are bound;
 * our own ids, booleans, NULLs and enum members are written as literals (ids are checked against
 * their alphabet first), so each statement carries as many rows as possible.
 */
import { asc, eq, inArray, is, SQL, sql, type SQLWrapper } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "../../db/client";
import { affectedStackEdges, affectedStackItems, affectedStacksChunks, affectedStacksUploads } from "../../db/schema";
import type { FlatEdge } from "../domain/deployment-waves";
import { newId } from "../domain/ids";
import { batchOf, type AffectedStacksBody, type StackItem } from "./dto";

/** Chunks of an unfinished batch are kept this long after its first chunk arrives. */
export const BATCH_TTL_MS = 60 * 60 * 1000;
/** D1: at most 100 bound parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;
/** D1: at most 100,000 bytes of SQL per statement; we stay well below. */
const MAX_SQL_BYTES = 60_000;
/** Rows per multi-row VALUES list, whatever their parameter count. */
const MAX_ROWS_PER_STATEMENT = 500;
/** D1: a string value is at most 2,000,000 bytes; a stored (compressed, base64) chunk must fit. */
export const MAX_STORED_CHUNK_CHARS = 1_900_000;

export type AffectedStacksRefusal = "expired" | "conflict" | "too_large";

export type ReceiveAffectedStacksResult =
  | {
      refused?: undefined;
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
  | {
      /** "expired" and "conflict" → HTTP 409; "too_large" → HTTP 413. Nothing was written for this chunk. */
      refused: AffectedStacksRefusal;
      /** For the person reading the error. */
      message: string;
      /** The batch's upload, or "" when there is none (too_large is refused before anything is stored). */
      uploadId: string;
      complete: false;
      duplicate: false;
      items: 0;
      edges: 0;
      statements: number;
    };

function refused(refusal: AffectedStacksRefusal, message: string, uploadId: string, statements: number): ReceiveAffectedStacksResult {
  return { refused: refusal, message, uploadId, complete: false, duplicate: false, items: 0, edges: 0, statements };
}

export type ReceiveAffectedStacksInput = {
  workspaceId: string;
  repositoryId: string;
  pullRequest: number | null;
  headRef: string | null;
  body: AffectedStacksBody;
  rawBody: string;
  now: Date;
};

// ─── Flattening the trees ───────────────────────────────────────────────────────────────────────

/** One row of affected_stack_items, before it is stored. */
export type FlatItem = {
  id: string;
  stack: string;
  component: string;
  componentType: string;
  componentPath: string | null;
  affected: string | null;
  affectedAll: boolean;
  includedInDependents: boolean;
  deleted: boolean;
  deletionType: "component" | "stack" | null;
  settingsPro: Record<string, unknown> | null;
};

export type { FlatEdge };

const itemKey = (stack: string, component: string) => `${stack}\u0000${component}`;
const nonEmpty = (value: string | null | undefined) => (value ? value : null);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Flattens the stack items and their nested `dependents` into items unique by (stack, component)
 * and parent → dependent edges (unique; an item is never its own dependent). An item met several
 * times (top level and as someone's dependent, or in several trees) is merged: the first non-empty
 * value of each field wins, flags are or-ed. Order: first appearance, depth first. Deterministic.
 */
export function flattenStacks(stacks: readonly StackItem[], makeId: () => string = () => newId("itm")): { items: FlatItem[]; edges: FlatEdge[] } {
  const byKey = new Map<string, FlatItem>();
  /** Items whose component_type was empty so far (defaulted): a later occurrence may still name it. */
  const typeDefaulted = new Set<FlatItem>();
  const items: FlatItem[] = [];
  const edges: FlatEdge[] = [];
  const edgeKeys = new Set<string>();

  const visit = (node: StackItem): FlatItem => {
    const key = itemKey(node.stack, node.component);
    const pro = isPlainObject(node.settings?.pro) ? (node.settings.pro as Record<string, unknown>) : null;
    const affectedAll = node.affected_all === true || (Array.isArray(node.affected_all) && node.affected_all.length > 0);
    const deletionType = node.deletion_type === "component" || node.deletion_type === "stack" ? node.deletion_type : null;
    let item = byKey.get(key);
    if (!item) {
      item = {
        id: makeId(),
        stack: node.stack,
        component: node.component,
        // Go's zero value: a CLI that did not resolve the type sends "". Atmos' default kind.
        componentType: nonEmpty(node.component_type) ?? "terraform",
        componentPath: nonEmpty(node.component_path),
        affected: nonEmpty(node.affected),
        affectedAll,
        includedInDependents: node.included_in_dependents === true,
        deleted: node.deleted === true,
        deletionType,
        settingsPro: pro,
      };
      if (!nonEmpty(node.component_type)) typeDefaulted.add(item);
      byKey.set(key, item);
      items.push(item);
    } else {
      if (typeDefaulted.has(item) && nonEmpty(node.component_type)) {
        item.componentType = node.component_type!;
        typeDefaulted.delete(item);
      }
      item.componentPath ??= nonEmpty(node.component_path);
      item.affected ??= nonEmpty(node.affected);
      item.affectedAll ||= affectedAll;
      item.includedInDependents ||= node.included_in_dependents === true;
      item.deleted ||= node.deleted === true;
      item.deletionType ??= deletionType;
      item.settingsPro ??= pro;
    }
    return item;
  };

  // Iterative depth-first walk: a deep tree must not exhaust the call stack.
  const pending: Array<{ node: StackItem; parent: FlatItem | null }> = [];
  for (let i = stacks.length - 1; i >= 0; i--) pending.push({ node: stacks[i]!, parent: null });
  while (pending.length > 0) {
    const { node, parent } = pending.pop()!;
    const item = visit(node);
    if (parent && parent !== item) {
      const edgeKey = `${parent.id} ${item.id}`;
      if (!edgeKeys.has(edgeKey)) {
        edgeKeys.add(edgeKey);
        edges.push({ itemId: parent.id, dependentItemId: item.id });
      }
    }
    const dependents = node.dependents ?? [];
    for (let i = dependents.length - 1; i >= 0; i--) pending.push({ node: dependents[i]!, parent: item });
  }
  return { items, edges };
}

// ─── Reading ────────────────────────────────────────────────────────────────────────────────────

export type UploadGraph = {
  items: Array<typeof affectedStackItems.$inferSelect>;
  edges: FlatEdge[];
};

/**
 * The two statements that read an upload's graph, for a caller's batch. `upload` is the upload's id,
 * or a query selecting it (so a page can read the graph in the same round trip that finds the upload).
 */
export function uploadGraphQueries(db: Database, upload: string | SQLWrapper) {
  const ids = typeof upload === "string" ? [upload] : upload;
  return [
    db.select().from(affectedStackItems).where(inArray(affectedStackItems.uploadId, ids)).orderBy(asc(affectedStackItems.stack), asc(affectedStackItems.component)),
    db
      .select({ itemId: affectedStackEdges.itemId, dependentItemId: affectedStackEdges.dependentItemId })
      .from(affectedStackEdges)
      .where(inArray(affectedStackEdges.uploadId, ids))
      .orderBy(asc(affectedStackEdges.itemId), asc(affectedStackEdges.dependentItemId)),
  ] as const;
}

export async function loadUploadGraph(db: Database, uploadId: string): Promise<UploadGraph> {
  const [items, edges] = await db.batch(uploadGraphQueries(db, uploadId));
  return { items, edges };
}

// ─── Writing ────────────────────────────────────────────────────────────────────────────────────

/** A statement: raw SQL, or a drizzle query builder (anything with toSQL()). */
export type Query = SQL | { toSQL(): { sql: string; params: unknown[] } };

const dialect = new SQLiteAsyncDialect();

/**
 * Runs statements as one D1 batch (one transaction), counting them. Straight on the D1 binding:
 * drizzle's batch() cannot take raw SQL with parameters (db.run(sql`…${x}`) has no prepared
 * statement to bind), and we want D1's own results (rows, meta.changes) anyway.
 */
export async function runBatch(db: Database, counter: { statements: number }, queries: Query[]): Promise<D1Result[]> {
  if (queries.length === 0) return [];
  const statements = queries.map((query) => {
    const built = is(query, SQL) ? dialect.sqlToQuery(query) : query.toSQL();
    return db.$client.prepare(built.sql).bind(...built.params);
  });
  counter.statements += statements.length;
  return db.$client.batch(statements);
}

const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];
const changes = (result: D1Result | undefined) => result?.meta?.changes ?? 0;

const ID_LITERAL = /^[a-z]{2,4}_[0-9A-Za-z]{28}$/;
/** One of our own ids as an SQL literal (never a client value). */
function idLiteral(id: string): SQL {
  if (!ID_LITERAL.test(id)) throw new Error("Refusing to inline a value that is not one of our ids");
  return sql.raw(`'${id}'`);
}
const boolLiteral = (value: boolean) => sql.raw(value ? "1" : "0");
const NULL = sql.raw("NULL");

/** A client string: bound (one parameter), or NULL written as a literal. */
function bound(value: string | null): { sql: SQL; params: number } {
  return value === null ? { sql: NULL, params: 0 } : { sql: sql`${value}`, params: 1 };
}

type Row = { sql: SQL; params: number; bytes: number };

/**
 * Packs rows into as few statements as the limits allow: each statement gets `fixedParams` of its
 * own plus its rows' parameters (≤ 100 in all), ≤ MAX_ROWS_PER_STATEMENT rows and ≤ MAX_SQL_BYTES.
 */
function packRows(rows: Row[], fixedParams: number, build: (values: SQL) => SQL): SQL[] {
  const statements: SQL[] = [];
  let current: SQL[] = [];
  let params = fixedParams;
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    statements.push(build(sql.join(current, sql.raw(", "))));
    current = [];
    params = fixedParams;
    bytes = 0;
  };
  for (const row of rows) {
    if (current.length > 0 && (params + row.params > MAX_BOUND_PARAMETERS || bytes + row.bytes > MAX_SQL_BYTES || current.length >= MAX_ROWS_PER_STATEMENT)) flush();
    current.push(row.sql);
    params += row.params;
    bytes += row.bytes;
  }
  flush();
  return statements;
}

/** The upload row a statement acts on, found by (workspace, batch id): usable before we know its id. */
const uploadMatch = (workspaceId: string, batchId: string) =>
  sql`u.workspace_id = ${workspaceId} AND u.batch_id = ${batchId} AND u.status = 'receiving' AND u.batch_received = u.batch_total`;

/**
 * The statements that store an assembled upload: items, edges (each insert a no-op unless the
 * upload is still 'receiving' with every chunk in), deletion of its chunks, and last the claim.
 */
function assemblyStatements(workspaceId: string, batchId: string, items: FlatItem[], edges: FlatEdge[], now: Date): Query[] {
  const itemRows: Row[] = items.map((item) => {
    const parts = [bound(item.stack), bound(item.component), bound(item.componentType), bound(item.componentPath), bound(item.affected), bound(item.settingsPro ? JSON.stringify(item.settingsPro) : null)];
    const rowSql = sql`(${idLiteral(item.id)}, ${parts[0]!.sql}, ${parts[1]!.sql}, ${parts[2]!.sql}, ${parts[3]!.sql}, ${parts[4]!.sql}, ${boolLiteral(item.affectedAll)}, ${boolLiteral(item.includedInDependents)}, ${boolLiteral(item.deleted)}, ${item.deletionType ? sql.raw(`'${item.deletionType}'`) : NULL}, ${parts[5]!.sql})`;
    return { sql: rowSql, params: parts.reduce((sum, part) => sum + part.params, 0), bytes: 80 };
  });
  const itemInserts = packRows(itemRows, 2, (values) => sql`
    INSERT INTO affected_stack_items (id, upload_id, stack, component, component_type, component_path, affected, affected_all, included_in_dependents, deleted, deletion_type, settings_pro)
    SELECT v.column1, u.id, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10, v.column11
    FROM (VALUES ${values}) AS v, affected_stacks_uploads AS u
    WHERE ${uploadMatch(workspaceId, batchId)}`);

  const edgeRows: Row[] = edges.map((edge) => ({ sql: sql`(${idLiteral(edge.itemId)}, ${idLiteral(edge.dependentItemId)})`, params: 0, bytes: 72 }));
  const edgeInserts = packRows(edgeRows, 2, (values) => sql`
    INSERT INTO affected_stack_edges (upload_id, item_id, dependent_item_id)
    SELECT u.id, v.column1, v.column2
    FROM (VALUES ${values}) AS v, affected_stacks_uploads AS u
    WHERE ${uploadMatch(workspaceId, batchId)}`);

  return [
    ...itemInserts,
    ...edgeInserts,
    sql`DELETE FROM affected_stacks_chunks WHERE upload_id IN (SELECT u.id FROM affected_stacks_uploads AS u WHERE ${uploadMatch(workspaceId, batchId)})`,
    // The claim, last: it returns the upload's id only to the request that completed it.
    sql`UPDATE affected_stacks_uploads AS u SET status = 'complete', completed_at = ${now.getTime()} WHERE ${uploadMatch(workspaceId, batchId)} RETURNING id`,
  ];
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Chunk bodies are stored gzip-compressed (base64, "gz:" prefix): a 3 MiB chunk must fit D1's 2 MB value limit. */
export async function encodeChunk(stacks: readonly StackItem[]): Promise<string> {
  const stream = new Blob([JSON.stringify(stacks)]).stream().pipeThrough(new CompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `gz:${btoa(binary)}`;
}

export async function decodeChunk(stored: string): Promise<StackItem[]> {
  if (!stored.startsWith("gz:")) return JSON.parse(stored) as StackItem[];
  const binary = atob(stored.slice(3));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  // Our own stored data, validated by the DTO when it arrived.
  return JSON.parse(await new Response(stream).text()) as StackItem[];
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

export async function receiveAffectedStacks(db: Database, input: ReceiveAffectedStacksInput): Promise<ReceiveAffectedStacksResult> {
  const batch = batchOf(input.body);
  return batch ? receiveChunk(db, input, batch) : receiveSingle(db, input);
}

/** A whole upload in one request: one transaction, keyed by its content. */
async function receiveSingle(db: Database, input: ReceiveAffectedStacksInput): Promise<ReceiveAffectedStacksResult> {
  const counter = { statements: 0 };
  const batchId = `single:${await sha256Hex(input.rawBody)}`;
  const { items, edges } = flattenStacks(input.body.stacks ?? []);
  // Created with batch_received = batch_total = 1 so the assembly's conditions hold at once.
  const upload = { ...uploadValues(input, batchId, 1), batchReceived: 1 };
  const results = await runBatch(db, counter, [
    db.insert(affectedStacksUploads).values(upload).onConflictDoNothing(),
    ...assemblyStatements(input.workspaceId, batchId, items, edges, input.now),
    sql`SELECT id, status FROM affected_stacks_uploads WHERE workspace_id = ${input.workspaceId} AND batch_id = ${batchId}`,
  ]);
  const claimed = rows<{ id: string }>(results[results.length - 2]);
  const [row] = rows<{ id: string; status: string }>(results[results.length - 1]);
  if (claimed.length > 0) {
    return { uploadId: claimed[0]!.id, complete: true, duplicate: false, items: items.length, edges: edges.length, statements: counter.statements };
  }
  return { uploadId: row!.id, complete: row!.status === "complete", duplicate: true, items: 0, edges: 0, statements: counter.statements };
}

type UploadState = { id: string; repository_id: string; status: "receiving" | "complete" | "expired"; batch_total: number; batch_received: number; expires_at: number | null };

/** One chunk of a batched upload: stored; the batch assembled when its last distinct chunk is in. */
async function receiveChunk(db: Database, input: ReceiveAffectedStacksInput, batch: { id: string; index: number; total: number }): Promise<ReceiveAffectedStacksResult> {
  const counter = { statements: 0 };
  const { workspaceId, now } = input;
  const body = await encodeChunk(input.body.stacks ?? []);
  if (body.length > MAX_STORED_CHUNK_CHARS) {
    return refused("too_large", "This chunk is too large to store even compressed. Send smaller chunks.", "", 0);
  }

  const [, stored, updated] = await runBatch(db, counter, [
    db.insert(affectedStacksUploads).values(uploadValues(input, batch.id, batch.total)).onConflictDoNothing(),
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
  const upload = rows<UploadState>(updated)[0]!;
  const chunkStored = changes(stored) > 0;

  if (upload.repository_id !== input.repositoryId || upload.batch_total !== batch.total) {
    const message = upload.repository_id !== input.repositoryId ? "This batch_id belongs to another repository's upload." : `This batch has batch_total ${upload.batch_total}, not ${batch.total}.`;
    return refused("conflict", message, upload.id, counter.statements);
  }
  if (upload.status === "expired" || (upload.status === "receiving" && upload.expires_at !== null && upload.expires_at <= now.getTime())) {
    if (upload.status === "receiving") await expireUploads(db, counter, now, upload.id);
    return refused("expired", "This batch expired before all its chunks arrived. Upload again with a new batch_id.", upload.id, counter.statements);
  }
  const base = { uploadId: upload.id, items: 0, edges: 0 };
  if (upload.status === "complete") return { ...base, complete: true, duplicate: true, statements: counter.statements };
  if (upload.batch_received < upload.batch_total) return { ...base, complete: false, duplicate: !chunkStored, statements: counter.statements };

  // Every chunk is in: assemble (unless a racing request already did and deleted the chunks).
  counter.statements++;
  const chunks = await db
    .select({ index: affectedStacksChunks.batchIndex, body: affectedStacksChunks.body })
    .from(affectedStacksChunks)
    .where(eq(affectedStacksChunks.uploadId, upload.id))
    .orderBy(asc(affectedStacksChunks.batchIndex));
  if (chunks.length !== upload.batch_total) return { ...base, complete: true, duplicate: !chunkStored, statements: counter.statements };

  const stacks: StackItem[] = [];
  for (const chunk of chunks) stacks.push(...(await decodeChunk(chunk.body)));
  const { items, edges } = flattenStacks(stacks);
  const results = await runBatch(db, counter, assemblyStatements(workspaceId, batch.id, items, edges, now));
  const claimed = rows<{ id: string }>(results[results.length - 1]);
  if (claimed.length === 0) return { ...base, complete: true, duplicate: !chunkStored, statements: counter.statements };
  return { ...base, complete: true, duplicate: false, items: items.length, edges: edges.length, statements: counter.statements };
}

/** Marks unfinished uploads past their expiry 'expired' and deletes their chunks (one upload, or all of them). */
async function expireUploads(db: Database, counter: { statements: number }, now: Date, uploadId?: string): Promise<number> {
  const stale = sql`status = 'receiving' AND expires_at <= ${now.getTime()}${uploadId ? sql` AND id = ${uploadId}` : sql``}`;
  const [, expired] = await runBatch(db, counter, [
    sql`DELETE FROM affected_stacks_chunks WHERE upload_id IN (SELECT id FROM affected_stacks_uploads WHERE ${stale})`,
    sql`UPDATE affected_stacks_uploads SET status = 'expired' WHERE ${stale} RETURNING id`,
  ]);
  return rows(expired).length;
}

/**
 * Housekeeping (a scheduled job): uploads still 'receiving' whose expires_at (first chunk + 1 hour)
 * has passed become 'expired' and lose their chunks. A later chunk of such a batch is refused.
 */
export async function expireStaleUploads(db: Database, now: Date): Promise<{ expired: number; statements: number }> {
  const counter = { statements: 0 };
  const expired = await expireUploads(db, counter, now);
  return { expired, statements: counter.statements };
}
