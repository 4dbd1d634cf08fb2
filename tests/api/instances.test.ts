/**
 * Instances: inventory uploads (upsert + removal, single and chunked) and status reports,
 * against the local D1 with the seed (Acme's 60 instances of acme/infra).
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createDatabase } from "../../db/client";
import { instances, repositories, workspaceRepositories } from "../../db/schema";
import { SEED, SEED_COMPONENTS, SEED_STACKS } from "../../db/seed";
import {
  instancesBody,
  instanceStatusBody,
  type InstancesBody,
  type InstanceStatusBody,
} from "~/domain/uploads/payloads";
import {
  expireStaleInstanceUploads,
  receiveInstances,
  reportInstanceStatus,
  statusFor,
  type ReceiveInstancesResult,
} from "~/domain/uploads/instances.server";
import { validate } from "~/validation";
import { dumpDatabase, FIXED_NOW, seedDatabase } from "../db";
import { buildInstancesBody, recordingD1 } from "./fixtures";

const db = () => createDatabase(env.DB);
const at = (minutes: number) => new Date(FIXED_NOW.getTime() + minutes * 60_000);
const OTHER_REPO = "repo_other0000000000000000000000";

function parseInventory(wire: unknown): InstancesBody {
  const result = validate(instancesBody, JSON.parse(JSON.stringify(wire)));
  if (!result.ok) throw new Error(`fixture does not validate: ${JSON.stringify(result.issues.slice(0, 3))}`);
  return result.value;
}

function parseStatus(wire: unknown): InstanceStatusBody {
  const result = validate(instanceStatusBody, wire);
  if (!result.ok) throw new Error(`fixture does not validate: ${JSON.stringify(result.issues)}`);
  return result.value;
}

async function upload(
  wire: unknown,
  now: Date = FIXED_NOW,
  repositoryId = SEED.repositoryId,
  database = db(),
): Promise<ReceiveInstancesResult> {
  return receiveInstances(database, { workspaceId: SEED.workspaceId, repositoryId, body: parseInventory(wire), now });
}

function accepted(result: ReceiveInstancesResult) {
  if (!result.ok) throw new Error(`refused: ${result.reason} (${result.message})`);
  return result;
}

type InstanceRow = typeof instances.$inferSelect;

async function instanceRows(repositoryId = SEED.repositoryId): Promise<Map<string, InstanceRow>> {
  const rows = await db().select().from(instances);
  return new Map(
    rows.filter((row) => row.repositoryId === repositoryId).map((row) => [`${row.stack} ${row.component}`, row]),
  );
}

const SEEDED = SEED_STACKS.flatMap((stack) => SEED_COMPONENTS.map((component) => ({ stack, component })));

describe("instances: inventory uploads", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("upserts what the inventory lists and marks what it no longer lists removed", async () => {
    const before = await instanceRows();
    expect(before.size).toBe(60);
    // Lists 50 of the 60 seeded instances (drift turned off on one, on another without pro settings) and 3 new ones.
    const listed = SEEDED.slice(0, 50).map((it, i) => ({ ...it, drift: i !== 1, pro: i !== 2 }));
    const added = [
      { stack: "plat-ue2-sandbox", component: "eks/cluster" },
      { stack: "plat-ue2-sandbox", component: "vpc" },
      { stack: "core-ue2-auto", component: "ecr/mirror" },
    ];
    const result = accepted(await upload(buildInstancesBody([...listed, ...added])));
    expect(result).toMatchObject({ upserted: 53, removed: 10, complete: true });

    const after = await instanceRows();
    expect(after.size).toBe(63);
    const removed = [...after.values()]
      .filter((row) => row.removedAt !== null)
      .map((row) => `${row.stack} ${row.component}`);
    expect(removed.sort()).toEqual(
      SEEDED.slice(50)
        .map((it) => `${it.stack} ${it.component}`)
        .sort(),
    );
    for (const key of removed) expect(after.get(key)).toMatchObject({ removedAt: FIXED_NOW, updatedAt: FIXED_NOW });

    // An updated instance keeps its id, status and history; its inventory fields are the upload's.
    const first = `${SEEDED[0]!.stack} ${SEEDED[0]!.component}`;
    expect(after.get(first)).toMatchObject({
      id: before.get(first)!.id,
      status: before.get(first)!.status,
      lastRunAt: before.get(first)!.lastRunAt,
      createdAt: before.get(first)!.createdAt,
      componentType: "terraform",
      driftEnabled: true,
      removedAt: null,
      updatedAt: FIXED_NOW,
    });
    expect(after.get(first)!.settingsPro).toMatchObject({ drift_detection: { enabled: true } });
    expect(after.get(`${SEEDED[1]!.stack} ${SEEDED[1]!.component}`)).toMatchObject({ driftEnabled: false });
    expect(after.get(`${SEEDED[2]!.stack} ${SEEDED[2]!.component}`)).toMatchObject({
      driftEnabled: false,
      settingsPro: null,
    });

    const created = after.get("plat-ue2-sandbox eks/cluster")!;
    expect(created.id).toMatch(/^inst_[0-9A-Za-z]{28}$/);
    expect(created).toMatchObject({
      workspaceId: SEED.workspaceId,
      componentType: "terraform",
      status: "unknown",
      lastRunAt: null,
      removedAt: null,
      driftEnabled: true,
      createdAt: FIXED_NOW,
      updatedAt: FIXED_NOW,
    });
  });

  it("a retried identical inventory changes nothing; a later one only moves updated_at", async () => {
    const wire = buildInstancesBody(SEEDED.slice(0, 40));
    accepted(await upload(wire));
    const first = await dumpDatabase();
    expect(accepted(await upload(wire))).toMatchObject({ upserted: 40, removed: 0 });
    expect(await dumpDatabase()).toEqual(first);

    accepted(await upload(wire, at(60)));
    const later = await instanceRows();
    for (const row of later.values()) {
      if (row.removedAt === null) expect(row.updatedAt).toEqual(at(60));
      else expect(row.removedAt).toEqual(FIXED_NOW);
    }
  });

  it("lists a removed instance again: it comes back", async () => {
    accepted(await upload(buildInstancesBody(SEEDED.slice(1))));
    expect((await instanceRows()).get(`${SEEDED[0]!.stack} ${SEEDED[0]!.component}`)!.removedAt).toEqual(FIXED_NOW);
    expect(accepted(await upload(buildInstancesBody(SEEDED), at(10)))).toMatchObject({ upserted: 60, removed: 0 });
    expect((await instanceRows()).get(`${SEEDED[0]!.stack} ${SEEDED[0]!.component}`)!.removedAt).toBeNull();
  });

  it("never touches another repository's instances", async () => {
    await db().batch([
      db().insert(repositories).values({ id: OTHER_REPO, owner: "acme", name: "apps" }),
      db().insert(workspaceRepositories).values({ workspaceId: SEED.workspaceId, repositoryId: OTHER_REPO }),
    ]);
    accepted(
      await upload(buildInstancesBody([{ stack: "plat-ue2-dev", component: "app/api" }]), FIXED_NOW, OTHER_REPO),
    );
    expect(accepted(await upload(buildInstancesBody(SEEDED.slice(0, 5)), at(1)))).toMatchObject({ removed: 55 });
    expect([...(await instanceRows(OTHER_REPO)).values()]).toEqual([
      expect.objectContaining({ component: "app/api", removedAt: null }),
    ]);
  });

  it("accepts Go zero values: null instances is an empty inventory, empty component_type is terraform", async () => {
    const wire = {
      repo_url: "https://github.com/org/repo",
      repo_name: "repo",
      repo_owner: "org",
      repo_host: "github.com",
      instances: [{ component: "vpc", stack: "dev-us-east-1", component_type: "", settings: null, vars: null }],
    };
    expect(accepted(await upload(wire))).toMatchObject({ upserted: 1, removed: 60 });
    expect((await instanceRows()).get("dev-us-east-1 vpc")).toMatchObject({
      componentType: "terraform",
      settingsPro: null,
      driftEnabled: false,
    });
    expect(accepted(await upload({ ...wire, instances: null }, at(1)))).toMatchObject({ upserted: 0, removed: 1 });
  });

  it("writes a large inventory in statements of at most 100 bound parameters", async () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({
      stack: `t${Math.floor(i / 12)}-ue2-prod`,
      component: `comp/${i % 12}`,
    }));
    const log: Array<{ sql: string; params: number }> = [];
    const result = accepted(
      await upload(buildInstancesBody(many), FIXED_NOW, SEED.repositoryId, createDatabase(recordingD1(env.DB, log))),
    );
    expect(result).toMatchObject({ upserted: 1200, removed: 60 });
    expect(log.length).toBe(result.statements);
    expect(Math.max(...log.map((entry) => entry.params))).toBeLessThanOrEqual(100);
    expect(result.statements).toBeLessThanOrEqual(Math.ceil(1200 / 24) + 1);
  });
});

describe("instances: chunked inventories", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  const batchId = "6f9619ff-8b86-4d01-b42d-00c04fc964ff";
  function chunks(list: Array<{ stack: string; component: string }>, size: number, id = batchId) {
    const parts: Array<Array<{ stack: string; component: string }>> = [];
    for (let i = 0; i < list.length; i += size) parts.push(list.slice(i, i + size));
    return parts.map((part, index) => ({
      ...buildInstancesBody(part),
      batch_id: id,
      batch_index: index,
      batch_total: parts.length,
    }));
  }

  it("upserts each chunk as it comes and removes only once every chunk is in, whatever the order and repeats", async () => {
    const listed = [...SEEDED.slice(0, 45), { stack: "plat-ue2-sandbox", component: "vpc" }];
    const parts = chunks(listed, 16);
    expect(parts).toHaveLength(3);

    expect(accepted(await upload(parts[2]!, FIXED_NOW))).toMatchObject({ upserted: 14, removed: 0, complete: false });
    const afterOne = await dumpDatabase();
    expect(accepted(await upload(parts[2]!, FIXED_NOW))).toMatchObject({ removed: 0, complete: false });
    expect(await dumpDatabase()).toEqual(afterOne);
    // A chunk processed on a machine whose clock is behind the first chunk's still counts as listed.
    expect(accepted(await upload(parts[0]!, at(-2)))).toMatchObject({ upserted: 16, removed: 0, complete: false });
    expect([...(await instanceRows()).values()].filter((row) => row.removedAt !== null)).toHaveLength(0);

    const last = accepted(await upload(parts[1]!, at(3)));
    expect(last).toMatchObject({ upserted: 16, removed: 15, complete: true });
    const rows = await instanceRows();
    const removed = [...rows.values()]
      .filter((row) => row.removedAt !== null)
      .map((row) => `${row.stack} ${row.component}`)
      .sort();
    expect(removed).toEqual(
      SEEDED.slice(45)
        .map((it) => `${it.stack} ${it.component}`)
        .sort(),
    );
    expect(rows.get("plat-ue2-sandbox vpc")!.removedAt).toBeNull();

    const state = await env.DB.prepare(
      "SELECT received, received_indexes, status, started_at, completed_at FROM instance_uploads",
    ).first();
    expect(state).toEqual({
      received: 3,
      received_indexes: "[2,0,1]",
      status: "complete",
      started_at: FIXED_NOW.getTime(),
      completed_at: at(3).getTime(),
    });

    // Retried after completion: nothing changes.
    const complete = await dumpDatabase();
    expect(accepted(await upload(parts[0]!, at(4)))).toMatchObject({ upserted: 0, removed: 0, complete: true });
    expect(await dumpDatabase()).toEqual(complete);
  });

  it("refuses a chunk whose batch_total disagrees, changing nothing", async () => {
    const parts = chunks(SEEDED, 25);
    accepted(await upload(parts[0]!));
    const before = await dumpDatabase();
    expect(await upload({ ...parts[1]!, batch_total: 4 })).toMatchObject({ ok: false, reason: "batch_conflict" });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("refuses a chunk of an abandoned batch (an hour after its first chunk) and never removes anything for it", async () => {
    const parts = chunks(SEEDED.slice(0, 30), 10);
    accepted(await upload(parts[0]!, FIXED_NOW));
    accepted(await upload(parts[1]!, at(30)));
    expect(await upload(parts[2]!, at(61))).toMatchObject({ ok: false, reason: "batch_expired" });
    expect(await env.DB.prepare("SELECT status FROM instance_uploads").first()).toEqual({ status: "expired" });
    expect([...(await instanceRows()).values()].filter((row) => row.removedAt !== null)).toHaveLength(0);
  });

  it("expireStaleInstanceUploads abandons stale batches and forgets old finished ones", async () => {
    const stale = chunks(SEEDED.slice(0, 20), 10, "11111111-1111-4111-8111-111111111111");
    const done = chunks(SEEDED, 60, "22222222-2222-4222-8222-222222222222");
    accepted(await upload(stale[0]!, FIXED_NOW));
    accepted(await upload(done[0]!, FIXED_NOW));
    expect(await expireStaleInstanceUploads(db(), at(59))).toEqual({ expired: 0, deleted: 0 });
    expect(await expireStaleInstanceUploads(db(), at(60))).toEqual({ expired: 1, deleted: 0 });
    expect(await expireStaleInstanceUploads(db(), at(24 * 60))).toEqual({ expired: 0, deleted: 2 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM instance_uploads").first()).toEqual({ n: 0 });
  });
});

describe("instances: status reports", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  const target = { stack: "plat-ue2-prod", component: "eks/cluster" };
  async function report(wire: unknown, now: Date = FIXED_NOW, where = target) {
    return reportInstanceStatus(db(), {
      workspaceId: SEED.workspaceId,
      repositoryId: SEED.repositoryId,
      ...where,
      body: parseStatus(wire),
      now,
    });
  }
  async function instance(where = target) {
    return (await instanceRows()).get(`${where.stack} ${where.component}`)!;
  }
  async function results(instanceId: string) {
    const rows = await env.DB.prepare(
      "SELECT command, exit_code, status, ran_at FROM instance_results WHERE instance_id = ? ORDER BY ran_at, command",
    )
      .bind(instanceId)
      .all();
    return rows.results;
  }

  it("maps command and exit code to a status", () => {
    expect(statusFor("plan", 0)).toBe("in_sync");
    expect(statusFor("plan", 2)).toBe("drifted");
    expect(statusFor("plan", 1)).toBe("error");
    expect(statusFor("detect", 2)).toBe("drifted");
    expect(statusFor("detect", 0)).toBe("in_sync");
    expect(statusFor("apply", 0)).toBe("in_sync");
    expect(statusFor("apply", 2)).toBe("error");
    expect(statusFor("remediate", 0)).toBe("in_sync");
    expect(statusFor("remediate", 1)).toBe("error");
  });

  it("writes the instance's status and last run, and a result row (a component with a slash)", async () => {
    const before = await instance();
    const resultsBefore = await results(before.id);
    expect(await report({ command: "plan", exit_code: 2 }, at(5))).toEqual({ ok: true, status: "drifted" });
    expect(await instance()).toMatchObject({
      status: "drifted",
      lastCommand: "plan",
      lastExitCode: 2,
      lastRunAt: at(5),
      updatedAt: at(5),
    });
    expect(await results(before.id)).toEqual([
      ...resultsBefore,
      { command: "plan", exit_code: 2, status: "drifted", ran_at: at(5).getTime() },
    ]);

    expect(await report({ command: "apply", exit_code: 0, atmos_version: "1.200.0", git_sha: "abc" }, at(10))).toEqual({
      ok: true,
      status: "in_sync",
    });
    expect(await instance()).toMatchObject({
      status: "in_sync",
      lastCommand: "apply",
      lastExitCode: 0,
      lastRunAt: at(10),
    });
    expect(await report({ command: "remediate", exit_code: 1 }, at(11))).toEqual({ ok: true, status: "error" });
    expect(await report({ command: "detect", exit_code: 0 }, at(12))).toEqual({ ok: true, status: "in_sync" });
    expect((await results(before.id)).length).toBe(resultsBefore.length + 4);
  });

  it("uses last_run when given; an older report is history only; a retried one adds no second row", async () => {
    const { id } = await instance();
    const ran = (minutes: number) =>
      at(minutes)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
    await report({ command: "plan", exit_code: 0, last_run: ran(30) }, at(40));
    expect(await instance()).toMatchObject({ status: "in_sync", lastRunAt: at(30) });
    // Arrives later but ran earlier: recorded, the instance keeps the newer run.
    await report({ command: "plan", exit_code: 2, last_run: ran(10) }, at(41));
    expect(await instance()).toMatchObject({ status: "in_sync", lastExitCode: 0, lastRunAt: at(30) });
    const count = (await results(id)).length;
    await report({ command: "plan", exit_code: 2, last_run: ran(10) }, at(42));
    expect((await results(id)).length).toBe(count);
  });

  it("accepts the legacy {status} body", async () => {
    const { id } = await instance();
    expect(await report({ status: "drifted" }, at(1))).toEqual({ ok: true, status: "drifted" });
    expect(await instance()).toMatchObject({
      status: "drifted",
      lastCommand: "detect",
      lastExitCode: 2,
      lastRunAt: at(1),
    });
    expect((await results(id)).at(-1)).toEqual({
      command: "detect",
      exit_code: 2,
      status: "drifted",
      ran_at: at(1).getTime(),
    });
    const count = (await results(id)).length;
    expect(await report({ status: "unknown" }, at(2))).toEqual({ ok: true, status: "unknown" });
    expect(await instance()).toMatchObject({ status: "unknown", lastCommand: "detect", lastRunAt: at(1) });
    expect((await results(id)).length).toBe(count);
  });

  it("an unknown instance is not found, and nothing is written", async () => {
    const before = await dumpDatabase();
    expect(
      await report({ command: "plan", exit_code: 0 }, FIXED_NOW, { stack: "plat-ue2-prod", component: "eks" }),
    ).toEqual({
      ok: false,
      reason: "instance_unknown",
      message:
        "No instance eks in stack plat-ue2-prod in this repository. Upload the inventory first (atmos list instances --upload).",
    });
    expect(await report({ status: "error" }, FIXED_NOW, { stack: "nope", component: "eks/cluster" })).toMatchObject({
      ok: false,
      reason: "instance_unknown",
    });
    expect(
      await reportInstanceStatus(db(), {
        workspaceId: SEED.workspaceId,
        repositoryId: OTHER_REPO,
        ...target,
        body: parseStatus({ command: "plan", exit_code: 0 }),
        now: FIXED_NOW,
      }),
    ).toEqual({
      ok: false,
      reason: "instance_unknown",
      message:
        "No instance eks/cluster in stack plat-ue2-prod in this repository. Upload the inventory first (atmos list instances --upload).",
    });
    expect(await dumpDatabase()).toEqual(before);
  });
});
