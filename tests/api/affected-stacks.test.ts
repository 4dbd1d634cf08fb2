/**
 * Affected-stacks uploads, against the local D1: single and chunked uploads, retries, races,
 * expiry, conflicts, D1's statement limits, and the deployment waves the dashboard shows.
 */
import { deploymentWaves } from "~/domain/deployment-waves";
import { env } from "cloudflare:test";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { repositories, repositoryPermissions, workspaceRepositories } from "../../db/schema";
import { SEED } from "../../db/seed";
import {
  expireStaleUploads,
  receiveAffectedStacks,
  type ReceiveAffectedStacksResult,
} from "~/domain/uploads/affected-stacks.server";
import { decodeChunk, encodeChunk, MAX_STORED_CHUNK_CHARS } from "~/domain/uploads/chunks";
import { flattenStacks } from "~/domain/uploads/flatten";
import { loadUploadGraph } from "~/domain/uploads/graph.server";
import { affectedStacksBody, type AffectedStacksBody } from "~/domain/uploads/payloads";
import { validate } from "~/validation";
import { MAX_BODY_BYTES } from "~/api/body.server";
import { dumpDatabase, FIXED_NOW, seedDatabase } from "../db";
import { api, apiToken } from "./client";
import {
  buildAffectedStacksPayload,
  chunkAffectedStacks,
  expectedGraph,
  recordingD1,
  REPO,
  type WireAffectedStacksBody,
  type WireStackItem,
} from "./fixtures";

/** A D1 binding whose statements matching `pattern` pause, once they have run, until `gate` opens; `reached` resolves when one has. */
function gatedD1(d1: D1Database, pattern: RegExp, gate: Promise<void>): { d1: D1Database; reached: Promise<void> } {
  let signal: () => void = () => {};
  const reached = new Promise<void>((resolve) => (signal = resolve));
  const wrapBound = (bound: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(bound, {
      get(s, p) {
        const value = Reflect.get(s, p);
        if (typeof value !== "function") return value;
        if (p === "all" || p === "raw" || p === "first" || p === "run") {
          return async (...args: unknown[]) => {
            const out = await (value as (...a: unknown[]) => Promise<unknown>).apply(s, args);
            signal();
            await gate;
            return out;
          };
        }
        return value.bind(s);
      },
    });
  const proxy = new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") {
        return (query: string) => {
          const statement = target.prepare(query);
          if (!pattern.test(query)) return statement;
          return new Proxy(statement, {
            get(s, p) {
              if (p === "bind") return (...params: unknown[]) => wrapBound(s.bind(...params));
              const value = Reflect.get(s, p);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1: proxy, reached };
}

const db = () => createDatabase(env.DB);
const at = (minutes: number) => new Date(FIXED_NOW.getTime() + minutes * 60_000);

/** What the HTTP layer does: validate the JSON it read, then call the domain. */
function parse(wire: WireAffectedStacksBody): { body: AffectedStacksBody; rawBody: string } {
  const rawBody = JSON.stringify(wire);
  const result = validate(affectedStacksBody, JSON.parse(rawBody));
  if (!result.ok) throw new Error(`fixture does not validate: ${JSON.stringify(result.issues.slice(0, 3))}`);
  return { body: result.value, rawBody };
}

async function send(
  wire: WireAffectedStacksBody,
  now: Date = FIXED_NOW,
  database = db(),
  repositoryId: string = SEED.repositoryId,
): Promise<ReceiveAffectedStacksResult> {
  const { body, rawBody } = parse(wire);
  return receiveAffectedStacks(database, {
    workspaceId: SEED.workspaceId,
    repositoryId,
    pullRequest: 42,
    headRef: "feature/eks-upgrade",
    body,
    rawBody,
    now,
  });
}

function accepted(result: ReceiveAffectedStacksResult) {
  if (!result.ok) throw new Error(`refused: ${result.reason} (${result.message})`);
  return result;
}

/** The stored graph of an upload as readable keys: items "stack/component", edges "a -> b". */
async function storedGraph(uploadId: string) {
  const { items, edges } = await loadUploadGraph(db(), uploadId);
  const keyOf = new Map(items.map((item) => [item.id, `${item.stack}\u0000${item.component}`]));
  return {
    rows: items,
    items: new Set(items.map((item) => `${item.stack}\u0000${item.component}`)),
    edges: new Set(edges.map((edge) => `${keyOf.get(edge.itemId)} -> ${keyOf.get(edge.dependentItemId)}`)),
  };
}

const readable = (keys: Set<string>) => [...keys].map((key) => key.split("\u0000").join(" / ")).sort();

async function rowCount(table: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
  return row!.n;
}

function item(stack: string, component: string, extra: Partial<WireStackItem> = {}): WireStackItem {
  return {
    component,
    component_type: "terraform",
    component_path: `components/terraform/${component}`,
    stack,
    stack_slug: "",
    dependents: [],
    included_in_dependents: false,
    settings: null,
    ...extra,
  };
}

function upload(stacks: WireStackItem[] | null, extra: Partial<WireAffectedStacksBody> = {}): WireAffectedStacksBody {
  return { head_sha: "abc123def456", base_sha: "111222333444", ...REPO, stacks, ...extra };
}

/** A small, deep, realistic upload: nested dependents 4 levels deep, `/` in names, a deletion, a repeat. */
function smallUpload(): WireAffectedStacksBody {
  const pro = {
    pull_request: {
      synchronize: { workflows: { "atmos-terraform-plan.yaml": { inputs: { component: "{{ .atmos_component }}" } } } },
    },
  };
  return upload([
    item("plat-ue2-dev", "vpc", {
      affected: "stack.vars",
      affected_all: ["stack.vars"],
      settings: { pro },
      dependents: [
        item("plat-ue2-dev", "eks/cluster", {
          included_in_dependents: true,
          dependents: [
            item("plat-ue2-dev", "eks/karpenter", {
              included_in_dependents: true,
              dependents: [item("plat-ue2-dev", "app/api", { included_in_dependents: true, dependents: null })],
            }),
          ],
        }),
        item("plat-ue2-dev", "rds/aurora-postgres", {
          included_in_dependents: true,
          dependents: [item("plat-ue2-dev", "app/api", { included_in_dependents: true, dependents: null })],
        }),
      ],
    }),
    // Also a top-level item of its own (its affected reason is kept), with the same subtree again.
    item("plat-ue2-dev", "eks/cluster", {
      affected: "component",
      affected_all: null,
      component_type: "",
      dependents: [item("plat-ue2-dev", "eks/karpenter", { dependents: [item("plat-ue2-dev", "app/api")] })],
    }),
    item("plat-ue2-prod", "s3-bucket/legacy", {
      affected: "deleted",
      deleted: true,
      deletion_type: "component",
      dependents: null,
    }),
    item("core-gbl-dns", "dns-primary", {
      affected: "component",
      dependents: [item("plat-ue2-dev", "dns-delegated", { dependents: [item("plat-ue2-dev", "alb/public")] })],
    }),
  ]);
}

describe("affected stacks: single uploads", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("stores the flattened items (deduplicated, merged) and the parent → dependent edges exactly", async () => {
    const result = accepted(await send(smallUpload()));
    expect(result).toMatchObject({ complete: true, duplicate: false, items: 9, edges: 7 });

    const graph = await storedGraph(result.uploadId);
    expect(readable(graph.items)).toEqual([
      "core-gbl-dns / dns-primary",
      "plat-ue2-dev / alb/public",
      "plat-ue2-dev / app/api",
      "plat-ue2-dev / dns-delegated",
      "plat-ue2-dev / eks/cluster",
      "plat-ue2-dev / eks/karpenter",
      "plat-ue2-dev / rds/aurora-postgres",
      "plat-ue2-dev / vpc",
      "plat-ue2-prod / s3-bucket/legacy",
    ]);
    expect(readable(graph.edges)).toEqual([
      "core-gbl-dns / dns-primary -> plat-ue2-dev / dns-delegated",
      "plat-ue2-dev / dns-delegated -> plat-ue2-dev / alb/public",
      "plat-ue2-dev / eks/cluster -> plat-ue2-dev / eks/karpenter",
      "plat-ue2-dev / eks/karpenter -> plat-ue2-dev / app/api",
      "plat-ue2-dev / rds/aurora-postgres -> plat-ue2-dev / app/api",
      "plat-ue2-dev / vpc -> plat-ue2-dev / eks/cluster",
      "plat-ue2-dev / vpc -> plat-ue2-dev / rds/aurora-postgres",
    ]);

    const byKey = new Map(graph.rows.map((row) => [`${row.stack} / ${row.component}`, row]));
    expect(byKey.get("plat-ue2-dev / vpc")).toMatchObject({
      componentType: "terraform",
      componentPath: "components/terraform/vpc",
      affected: "stack.vars",
      affectedAll: true,
      includedInDependents: false,
      deleted: false,
      deletionType: null,
      settingsPro: {
        pull_request: {
          synchronize: {
            workflows: { "atmos-terraform-plan.yaml": { inputs: { component: "{{ .atmos_component }}" } } },
          },
        },
      },
      planStatus: null,
      applyStatus: null,
    });
    // Met as a dependent first, then at the top level: one item, the top-level reason kept, flags or-ed.
    expect(byKey.get("plat-ue2-dev / eks/cluster")).toMatchObject({
      affected: "component",
      affectedAll: false,
      includedInDependents: true,
      componentType: "terraform",
    });
    expect(byKey.get("plat-ue2-prod / s3-bucket/legacy")).toMatchObject({
      deleted: true,
      deletionType: "component",
      affected: "deleted",
    });
    expect(byKey.get("plat-ue2-dev / app/api")).toMatchObject({
      affected: null,
      settingsPro: null,
      includedInDependents: true,
    });

    const [uploadRow] = (await dumpDatabase()).affected_stacks_uploads as Array<Record<string, unknown>>;
    expect(uploadRow).toMatchObject({
      id: result.uploadId,
      workspace_id: SEED.workspaceId,
      repository_id: SEED.repositoryId,
      head_sha: "abc123def456",
      base_sha: "111222333444",
      pull_request: 42,
      head_ref: "feature/eks-upgrade",
      batch_total: 1,
      batch_received: 1,
      status: "complete",
      completed_at: FIXED_NOW.getTime(),
    });
    expect(uploadRow!.batch_id).toMatch(/^single:[0-9a-f]{64}$/);
    expect(await rowCount("affected_stacks_chunks")).toBe(0);
  });

  it("keys a single upload by the SHA-256 of its raw body", async () => {
    const wire = smallUpload();
    const { uploadId } = accepted(await send(wire));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(wire)));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const row = await env.DB.prepare("SELECT batch_id FROM affected_stacks_uploads WHERE id = ?")
      .bind(uploadId)
      .first<{ batch_id: string }>();
    expect(row!.batch_id).toBe(`single:${hex}`);
  });

  it("a retried identical upload changes nothing", async () => {
    const first = accepted(await send(smallUpload()));
    const before = await dumpDatabase();
    const again = accepted(await send(smallUpload(), at(5)));
    expect(again).toMatchObject({ uploadId: first.uploadId, complete: true, duplicate: true, items: 0, edges: 0 });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("a different body (another head commit) is another upload", async () => {
    const first = accepted(await send(smallUpload()));
    const second = accepted(await send({ ...smallUpload(), head_sha: "fedcba987654" }));
    expect(second.uploadId).not.toBe(first.uploadId);
    expect(second).toMatchObject({ duplicate: false, items: 9 });
    expect(await rowCount("affected_stack_items")).toBe(18);
  });

  it("two identical uploads racing store one upload", async () => {
    const results = await Promise.all([send(smallUpload()), send(smallUpload()), send(smallUpload())]);
    const ok = results.map(accepted);
    expect(new Set(ok.map((r) => r.uploadId)).size).toBe(1);
    expect(ok.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await rowCount("affected_stacks_uploads")).toBe(1);
    expect(await rowCount("affected_stack_items")).toBe(9);
    expect(await rowCount("affected_stack_edges")).toBe(7);
  });

  it("accepts what the Go CLI sends for an empty or zero-valued upload (the Pact example)", async () => {
    const pact = upload(
      [
        {
          affected: "",
          affected_all: null,
          component: "vpc",
          component_path: "",
          component_type: "",
          dependents: [],
          included_in_dependents: false,
          settings: null,
          stack: "dev-us-east-1",
          stack_slug: "",
        } as unknown as WireStackItem,
      ],
      {
        repo_url: "https://github.com/org/repo",
        repo_name: "repo",
        repo_owner: "org",
      },
    );
    const result = accepted(await send(pact));
    const { rows } = await storedGraph(result.uploadId);
    expect(rows).toEqual([
      expect.objectContaining({
        stack: "dev-us-east-1",
        component: "vpc",
        componentType: "terraform",
        componentPath: null,
        affected: null,
        affectedAll: false,
        settingsPro: null,
        deleted: false,
      }),
    ]);

    const empty = accepted(await send(upload(null, { head_sha: "0000" })));
    expect(empty).toMatchObject({ complete: true, items: 0, edges: 0 });
  });
});

describe("affected stacks: chunked uploads", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("stores chunks in any order, ignores repeats, assembles when the last distinct chunk is in", async () => {
    const wire = smallUpload();
    const batchId = "3f1c2a4e-8b7d-4c3a-9f2e-1a2b3c4d5e6f";
    const chunks = wire.stacks!.map((stack, index, all) => ({
      ...wire,
      stacks: [stack],
      batch_id: batchId,
      batch_index: index,
      batch_total: all.length,
    }));

    const r2 = accepted(await send(chunks[2]!));
    expect(r2).toMatchObject({ complete: false, duplicate: false, items: 0 });
    const before = await dumpDatabase();
    expect(accepted(await send(chunks[2]!, at(1)))).toMatchObject({ complete: false, duplicate: true });
    expect(await dumpDatabase()).toEqual(before);

    expect(accepted(await send(chunks[0]!, at(2)))).toMatchObject({ complete: false, duplicate: false });
    expect(accepted(await send(chunks[3]!, at(3)))).toMatchObject({ complete: false });
    const row = await env.DB.prepare("SELECT batch_received, status, expires_at FROM affected_stacks_uploads").first();
    expect(row).toEqual({ batch_received: 3, status: "receiving", expires_at: at(60).getTime() });

    const last = accepted(await send(chunks[1]!, at(4)));
    expect(last).toMatchObject({ uploadId: r2.uploadId, complete: true, duplicate: false, items: 9, edges: 7 });
    expect(await rowCount("affected_stacks_chunks")).toBe(0);

    // Same graph as the single upload of the same stacks.
    const graph = await storedGraph(last.uploadId);
    const expected = expectedGraph(wire.stacks!);
    expect(readable(graph.items)).toEqual(readable(expected.items));
    expect(readable(graph.edges)).toEqual(readable(expected.edges));

    // A chunk retried after completion changes nothing.
    const complete = await dumpDatabase();
    expect(accepted(await send(chunks[0]!, at(5)))).toMatchObject({ complete: true, duplicate: true, items: 0 });
    expect(await dumpDatabase()).toEqual(complete);
  });

  it("stores each chunk compressed, and reads back exactly what was sent", async () => {
    const wire = buildAffectedStacksPayload(200_000);
    const { body } = parse(wire);
    const stored = await encodeChunk(body.stacks!);
    expect(stored.startsWith("gz:")).toBe(true);
    expect(stored.length).toBeLessThan(JSON.stringify(body.stacks).length / 5);
    expect(await decodeChunk(stored)).toEqual(body.stacks);
  });

  it("refuses a chunk whose batch_total disagrees with the batch's, changing nothing", async () => {
    const chunks = chunkAffectedStacks(smallUpload(), 900);
    expect(chunks.length).toBeGreaterThan(2);
    accepted(await send(chunks[0]!));
    const before = await dumpDatabase();
    const conflicting = await send({ ...chunks[1]!, batch_total: chunks.length + 1 });
    expect(conflicting).toMatchObject({ ok: false, reason: "batch_conflict" });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("refuses a chunk of a batch that belongs to another repository", async () => {
    await db().batch([
      db().insert(repositories).values({ id: "repo_other0000000000000000000000", owner: "acme", name: "apps" }),
      db()
        .insert(workspaceRepositories)
        .values({ workspaceId: SEED.workspaceId, repositoryId: "repo_other0000000000000000000000" }),
    ]);
    const chunks = chunkAffectedStacks(smallUpload(), 900);
    accepted(await send(chunks[0]!));
    const before = await dumpDatabase();
    expect(await send(chunks[1]!, FIXED_NOW, db(), "repo_other0000000000000000000000")).toMatchObject({
      ok: false,
      reason: "batch_conflict",
    });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("an unfinished batch expires an hour after its first chunk: later chunks are refused", async () => {
    const chunks = chunkAffectedStacks(smallUpload(), 900);
    accepted(await send(chunks[0]!, FIXED_NOW));
    accepted(await send(chunks[1]!, at(59)));
    const late = await send(chunks[2]!, at(61));
    expect(late).toMatchObject({ ok: false, reason: "batch_expired" });
    const row = await env.DB.prepare("SELECT status, batch_received FROM affected_stacks_uploads").first();
    expect(row).toEqual({ status: "expired", batch_received: 2 });
    expect(await rowCount("affected_stacks_chunks")).toBe(0);
    expect(await rowCount("affected_stack_items")).toBe(0);
    // Still refused on retry, and nothing changes.
    const before = await dumpDatabase();
    expect(await send(chunks[2]!, at(62))).toMatchObject({ ok: false, reason: "batch_expired" });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("expireStaleUploads expires only stale unfinished batches and deletes their chunks", async () => {
    const stale = chunkAffectedStacks(smallUpload(), 900, "11111111-1111-4111-8111-111111111111");
    const fresh = chunkAffectedStacks(
      { ...smallUpload(), head_sha: "f00d" },
      900,
      "22222222-2222-4222-8222-222222222222",
    );
    accepted(await send(stale[0]!, FIXED_NOW));
    accepted(await send(fresh[0]!, at(30)));
    const done = accepted(await send(smallUpload(), FIXED_NOW));

    expect(await expireStaleUploads(db(), at(60))).toMatchObject({ expired: 1 });
    const statuses = await env.DB.prepare(
      "SELECT batch_id, status FROM affected_stacks_uploads ORDER BY batch_id",
    ).all<{ batch_id: string; status: string }>();
    expect(statuses.results).toEqual([
      { batch_id: "11111111-1111-4111-8111-111111111111", status: "expired" },
      { batch_id: "22222222-2222-4222-8222-222222222222", status: "receiving" },
      { batch_id: expect.stringMatching(/^single:/), status: "complete" },
    ]);
    const chunkOwners = await env.DB.prepare(
      "SELECT DISTINCT u.batch_id FROM affected_stacks_chunks c JOIN affected_stacks_uploads u ON u.id = c.upload_id",
    ).all();
    expect(chunkOwners.results).toEqual([{ batch_id: "22222222-2222-4222-8222-222222222222" }]);
    expect((await loadUploadGraph(db(), done.uploadId)).items).toHaveLength(9);

    expect(await send(stale[1]!, at(61))).toMatchObject({ ok: false, reason: "batch_expired" });
    expect(await expireStaleUploads(db(), at(61))).toMatchObject({ expired: 0 });
  });

  it("two last chunks racing assemble the upload exactly once", async () => {
    for (let round = 0; round < 4; round++) {
      const wire = { ...smallUpload(), head_sha: `race${round}` };
      const chunks = chunkAffectedStacks(wire, 900, crypto.randomUUID());
      for (const chunk of chunks.slice(0, -2)) accepted(await send(chunk));
      const results = (await Promise.all(chunks.slice(-2).map((chunk) => send(chunk)))).map(accepted);
      // Exactly one request assembles; the other either saw its chunk first (not yet complete) or lost the claim.
      expect(results.filter((r) => r.items > 0)).toHaveLength(1);
      expect(results.some((r) => r.complete)).toBe(true);
      const graph = await storedGraph(results[0]!.uploadId);
      expect(graph.rows).toHaveLength(9);
      expect(graph.edges.size).toBe(7);
    }
  });
});

/** Text gzip cannot shrink (base64url letters from a fixed-seed xorshift): the same bytes every run. */
function incompressible(length: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let x = seed >>> 0 || 1;
  let out = "";
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x & 63];
  }
  return out;
}

describe("affected stacks over HTTP: a chunk too large to store", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("answers 413 PayloadTooLarge for a chunk under the 5 MiB body limit whose stored (gzip, base64) form is over D1's, and stores nothing", async () => {
    // 1,500 items with 2,000 incompressible characters each: ~3.1 MB of JSON, which stays ~4 MB stored.
    const stacks = Array.from({ length: 1500 }, (_, n) =>
      item(`plat-ue2-dev${n}`, "vpc", { component_path: incompressible(2000, n + 1) }),
    );
    const chunk = upload(stacks, { batch_id: "5d0c6f2e-1b3a-4c5d-8e9f-0a1b2c3d4e5f", batch_index: 0, batch_total: 2 });
    const raw = JSON.stringify(chunk);
    expect(new TextEncoder().encode(raw).length).toBeLessThan(MAX_BODY_BYTES);
    expect((await encodeChunk(parse(chunk).body.stacks!)).length).toBeGreaterThan(MAX_STORED_CHUNK_CHARS);

    const token = await apiToken();
    const before = await dumpDatabase();
    const { response, envelope } = await api("POST", "/api/v1/affected-stacks", {
      token,
      raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(response.status).toBe(413);
    expect(envelope).toMatchObject({
      status: 413,
      success: false,
      errorTag: "PayloadTooLarge",
      errorMessage:
        "This chunk is too large to store even compressed. Upload it in smaller chunks with a new batch_id.",
    });
    expect(envelope.traceId).toBe(envelope.request);
    expect(await dumpDatabase()).toEqual(before);
  });
});

describe("affected stacks over HTTP: a batch_id another repository started", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("answers 409 BatchConflict with the domain's sentence, and stores nothing", async () => {
    const other = "repo_other0000000000000000000000";
    await db().batch([
      db().insert(repositories).values({ id: other, owner: "acme", name: "apps", installationId: SEED.installationId }),
      db().insert(workspaceRepositories).values({ workspaceId: SEED.workspaceId, repositoryId: other }),
      db().insert(repositoryPermissions).values({
        id: "perm_otherapps000000000000000000",
        workspaceId: SEED.workspaceId,
        repositoryId: other,
        type: "Affected Stacks Create",
        workflowPattern: "*",
        branchPattern: "*",
        environmentPattern: "*",
      }),
    ]);
    const chunks = chunkAffectedStacks(smallUpload(), 900);
    const first = await api("POST", "/api/v1/affected-stacks", { token: await apiToken(), body: chunks[0] });
    expect(first.response.status, JSON.stringify(first.envelope)).toBe(200);

    const otherToken = await apiToken({ repository: "acme/apps", repository_owner: "acme" });
    const before = await dumpDatabase();
    const { response, envelope } = await api("POST", "/api/v1/affected-stacks", {
      token: otherToken,
      body: { ...chunks[1]!, repo_url: "https://github.com/acme/apps", repo_name: "apps" },
    });
    expect(response.status).toBe(409);
    expect(envelope).toMatchObject({
      status: 409,
      success: false,
      errorTag: "BatchConflict",
      errorMessage: "This batch_id belongs to another repository's upload. Upload again with a new batch_id.",
    });
    expect(await dumpDatabase()).toEqual(before);
  });
});

describe("affected stacks: the assembly race, step by step", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("a request that read the chunks but lost the claim to another writes nothing", async () => {
    const chunks = chunkAffectedStacks(smallUpload(), 900);
    for (const chunk of chunks.slice(0, -1)) accepted(await send(chunk));
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Request A pauses right after reading the chunks (every chunk is in) …
    const gated = gatedD1(env.DB, /^select .* from "affected_stacks_chunks"/i, gate);
    const a = send(chunks[chunks.length - 1]!, FIXED_NOW, createDatabase(gated.d1));
    await gated.reached;
    // … while request B (the same last chunk, retried) assembles and claims the upload.
    const b = accepted(await send(chunks[chunks.length - 1]!));
    expect(b).toMatchObject({ complete: true, items: 9, edges: 7 });
    const afterB = await dumpDatabase();
    open();
    const resultA = accepted(await a);
    expect(resultA).toMatchObject({ uploadId: b.uploadId, complete: true, items: 0, edges: 0 });
    expect(await dumpDatabase()).toEqual(afterB);
  });
});

describe("affected stacks: a 4 MiB upload", () => {
  const figures: string[] = [];
  afterAll(() => {
    // After the console capture of the last test is undone: goes to the test output.
    for (const line of figures) console.log(line);
  });

  beforeEach(async () => {
    await seedDatabase();
  });

  it("arrives in chunks out of order and repeated, and is stored exactly, within D1's statement limits", async () => {
    const wire = buildAffectedStacksPayload(4 * 1024 * 1024);
    const rawSize = JSON.stringify(wire).length;
    expect(rawSize).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(wire.stacks!.length).toBeGreaterThan(2500);
    const expected = expectedGraph(wire.stacks!);

    const chunks = chunkAffectedStacks(wire, 1024 * 1024);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const parsed = chunks.map((chunk) => parse(chunk));
    const order = [3, 0, 0, 4, 2, 3];
    const log: Array<{ sql: string; params: number }> = [];
    const recording = createDatabase(recordingD1(env.DB, log));

    let statements = 0;
    const started = performance.now();
    for (const index of order.filter((i) => i < chunks.length)) {
      const { body, rawBody } = parsed[index]!;
      const result = accepted(
        await receiveAffectedStacks(recording, {
          workspaceId: SEED.workspaceId,
          repositoryId: SEED.repositoryId,
          pullRequest: 7,
          headRef: "big",
          body,
          rawBody,
          now: FIXED_NOW,
        }),
      );
      expect(result.complete).toBe(false);
      statements += result.statements;
    }
    const missing = chunks.map((_, i) => i).filter((i) => !order.includes(i));
    expect(missing.length).toBeGreaterThan(0);
    for (const index of missing.slice(0, -1))
      statements += accepted(
        await receiveAffectedStacks(recording, {
          workspaceId: SEED.workspaceId,
          repositoryId: SEED.repositoryId,
          pullRequest: 7,
          headRef: "big",
          ...parsed[index]!,
          now: FIXED_NOW,
        }),
      ).statements;
    const lastStarted = performance.now();
    const last = accepted(
      await receiveAffectedStacks(recording, {
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        pullRequest: 7,
        headRef: "big",
        ...parsed[missing[missing.length - 1]!]!,
        now: FIXED_NOW,
      }),
    );
    const lastMs = performance.now() - lastStarted;
    const totalMs = performance.now() - started;
    statements += last.statements;

    expect(last).toMatchObject({
      complete: true,
      duplicate: false,
      items: expected.items.size,
      edges: expected.edges.size,
    });
    expect(log.length).toBe(statements);
    expect(Math.max(...log.map((entry) => entry.params))).toBeLessThanOrEqual(100);
    expect(Math.max(...log.map((entry) => new TextEncoder().encode(entry.sql).length))).toBeLessThan(100_000);

    const graph = await storedGraph(last.uploadId);
    expect(graph.items).toEqual(expected.items);
    expect(graph.edges).toEqual(expected.edges);
    expect(graph.rows.filter((row) => row.deleted).length).toBeGreaterThan(10);
    expect(graph.rows.some((row) => row.deletionType === "stack")).toBe(true);
    expect(await rowCount("affected_stacks_chunks")).toBe(0);

    // Every chunk retried after completion: nothing changes.
    const before = await dumpDatabase();
    for (const { body, rawBody } of parsed) {
      expect(
        accepted(
          await receiveAffectedStacks(db(), {
            workspaceId: SEED.workspaceId,
            repositoryId: SEED.repositoryId,
            pullRequest: 7,
            headRef: "big",
            body,
            rawBody,
            now: FIXED_NOW,
          }),
        ),
      ).toMatchObject({ duplicate: true, complete: true });
    }
    expect(await dumpDatabase()).toEqual(before);

    // The dashboard's waves over the stored graph: every edge goes forward, nothing is dropped.
    const { items, edges } = await loadUploadGraph(db(), last.uploadId);
    const { waves, brokenEdges } = deploymentWaves(items, edges);
    expect(brokenEdges).toEqual([]);
    const waveOf = new Map(waves.flatMap((wave, n) => wave.map((it) => [it.id, n] as const)));
    expect(waveOf.size).toBe(items.length);
    expect(edges.every((edge) => waveOf.get(edge.itemId)! < waveOf.get(edge.dependentItemId)!)).toBe(true);
    expect(waves.length).toBe(5);

    const validateStarted = performance.now();
    expect(validate(affectedStacksBody, JSON.parse(JSON.stringify(wire))).ok).toBe(true);
    const validateMs = performance.now() - validateStarted;

    figures.push(
      `[4 MiB affected-stacks upload] ${rawSize} bytes, ${wire.stacks!.length} top-level stack items, ${expected.items.size} items, ${expected.edges.size} edges, ${chunks.length} chunks (+${order.length - new Set(order).size} repeats): ` +
        `${statements} statements, ${totalMs.toFixed(0)} ms for all chunk requests; the assembling (last) chunk ${last.statements} statements, ${lastMs.toFixed(0)} ms; ` +
        `max ${Math.max(...log.map((entry) => entry.params))} bound parameters per statement; DTO validation of the whole body ${validateMs.toFixed(0)} ms`,
    );
  });

  it("as one single (unchunked) body: one batch", async () => {
    const wire = buildAffectedStacksPayload(4 * 1024 * 1024);
    const expected = expectedGraph(wire.stacks!);
    const { body, rawBody } = parse(wire);
    const log: Array<{ sql: string; params: number }> = [];
    const started = performance.now();
    const result = accepted(
      await receiveAffectedStacks(createDatabase(recordingD1(env.DB, log)), {
        workspaceId: SEED.workspaceId,
        repositoryId: SEED.repositoryId,
        pullRequest: 7,
        headRef: "big",
        body,
        rawBody,
        now: FIXED_NOW,
      }),
    );
    const ms = performance.now() - started;
    expect(result).toMatchObject({ complete: true, items: expected.items.size, edges: expected.edges.size });
    expect(log.length).toBe(result.statements);
    expect(Math.max(...log.map((entry) => entry.params))).toBeLessThanOrEqual(100);
    figures.push(`[4 MiB affected-stacks upload, single body] ${result.statements} statements, ${ms.toFixed(0)} ms`);
  });
});

describe("flattenStacks", () => {
  const flat = (stacks: WireStackItem[]) => flattenStacks(parse(upload(stacks)).body.stacks ?? []);

  it("merges an item met several times: first non-empty value wins, flags are or-ed", () => {
    const { items } = flat([
      item("s", "a", {
        component_type: "",
        component_path: "",
        dependents: [item("s", "b", { component_type: "helmfile" })],
      }),
      item("s", "a", {
        component_type: "helmfile",
        component_path: "components/helmfile/a",
        affected_all: true as unknown as string[],
        deleted: true,
        deletion_type: "component",
      }),
      item("s", "b", { component_type: "terraform", included_in_dependents: true }),
    ]);
    expect(items.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        stack: "s",
        component: "a",
        componentType: "helmfile",
        componentPath: "components/helmfile/a",
        affected: null,
        affectedAll: true,
        includedInDependents: false,
        deleted: true,
        deletionType: "component",
        settingsPro: null,
      },
      {
        stack: "s",
        component: "b",
        componentType: "helmfile",
        componentPath: "components/terraform/b",
        affected: null,
        affectedAll: false,
        includedInDependents: true,
        deleted: false,
        deletionType: null,
        settingsPro: null,
      },
    ]);
  });

  it("drops self-dependencies and repeated edges; keeps cross-stack edges", () => {
    const { items, edges } = flat([
      item("s", "a", { dependents: [item("s", "a"), item("t", "a"), item("t", "a")] }),
      item("t", "a", { dependents: [item("s", "a")] }),
    ]);
    const key = new Map(items.map((it) => [it.id, `${it.stack}/${it.component}`]));
    expect(edges.map((e) => `${key.get(e.itemId)} -> ${key.get(e.dependentItemId)}`)).toEqual([
      "s/a -> t/a",
      "t/a -> s/a",
    ]);
    // A cycle: the waves still place everything, and say which edge they dropped.
    const { waves, brokenEdges } = deploymentWaves(items, edges);
    expect(waves.map((w) => w.map((it) => `${it.stack}/${it.component}`))).toEqual([["s/a"], ["t/a"]]);
    expect(brokenEdges.map((e) => `${key.get(e.itemId)} -> ${key.get(e.dependentItemId)}`)).toEqual(["t/a -> s/a"]);
  });

  it("keeps settings.pro only when it is an object (the DTO refuses arrays; the domain defends too)", () => {
    const stacks = [
      item("s", "a", { settings: { pro: ["not", "an", "object"] } as unknown as { pro: Record<string, unknown> } }),
      item("s", "b", { settings: { pro: { enabled: true } } }),
    ];
    const { items } = flattenStacks(stacks as unknown as Parameters<typeof flattenStacks>[0]);
    expect(items.map((it) => it.settingsPro)).toEqual([null, { enabled: true }]);
  });
});

describe("deployment waves", () => {
  const node = (stack: string, component: string) => ({
    id: `itm_${(stack + component)
      .replace(/[^0-9A-Za-z]/g, "")
      .padEnd(28, "0")
      .slice(0, 28)}`,
    stack,
    component,
  });
  const vpc = node("dev", "vpc");
  const eks = node("dev", "eks/cluster");
  const rds = node("dev", "rds");
  const app = node("dev", "app/api");
  const dns = node("core", "dns");
  const edge = (a: { id: string }, b: { id: string }) => ({ itemId: a.id, dependentItemId: b.id });
  const names = (waves: Array<Array<{ stack: string; component: string }>>) =>
    waves.map((wave) => wave.map((it) => `${it.stack}/${it.component}`));

  it("layers a diamond: an item waits for every item it depends on", () => {
    const { waves, brokenEdges } = deploymentWaves(
      [app, rds, eks, vpc, dns],
      [edge(vpc, eks), edge(vpc, rds), edge(eks, app), edge(rds, app), edge(vpc, app)],
    );
    expect(names(waves)).toEqual([["core/dns", "dev/vpc"], ["dev/eks/cluster", "dev/rds"], ["dev/app/api"]]);
    expect(brokenEdges).toEqual([]);
  });

  it("breaks a cycle deterministically at its smallest item and reports the dropped edge", () => {
    // vpc → eks → app → vpc is a cycle; rds waits for app (downstream of the cycle, not part of it).
    const edges = [edge(vpc, eks), edge(eks, app), edge(app, vpc), edge(app, rds)];
    const first = deploymentWaves([vpc, eks, app, rds], edges);
    const second = deploymentWaves([rds, app, eks, vpc], [...edges].reverse());
    expect(first).toEqual(second);
    // Smallest of the cycle by (stack, component): dev/app/api — its incoming edge from eks is dropped.
    expect(first.brokenEdges).toEqual([edge(eks, app)]);
    expect(names(first.waves)).toEqual([["dev/app/api"], ["dev/rds", "dev/vpc"], ["dev/eks/cluster"]]);
  });

  it("breaks only cycles, never an edge into a cycle's downstream", () => {
    const a = node("s", "a");
    const b = node("s", "b");
    const c = node("s", "c");
    const z = node("s", "z");
    // a ⇄ z is a cycle; c waits for a; b waits for c. Smallest item of the cycle: a.
    const { waves, brokenEdges } = deploymentWaves([a, b, c, z], [edge(a, z), edge(z, a), edge(a, c), edge(c, b)]);
    expect(brokenEdges).toEqual([edge(z, a)]);
    expect(names(waves)).toEqual([["s/a"], ["s/c", "s/z"], ["s/b"]]);
  });

  it("matches what flattenStacks produces for a nested upload", () => {
    const { items, edges } = flattenStacks(parse(smallUpload()).body.stacks!);
    const { waves } = deploymentWaves(items, edges);
    expect(names(waves)).toEqual([
      ["core-gbl-dns/dns-primary", "plat-ue2-dev/vpc", "plat-ue2-prod/s3-bucket/legacy"],
      ["plat-ue2-dev/dns-delegated", "plat-ue2-dev/eks/cluster", "plat-ue2-dev/rds/aurora-postgres"],
      ["plat-ue2-dev/alb/public", "plat-ue2-dev/eks/karpenter"],
      ["plat-ue2-dev/app/api"],
    ]);
  });
});
