/**
 * The kept per-status counts (instance_status_counts, maintained by triggers on `instances`) always
 * equal a count of the live instances: for the seed, after any sequence of inserts, status changes,
 * removals, restorations, moves and deletes (single rows and many at once), and after a workspace or
 * repository is deleted. The overview reads them, for the repositories in the workspace now.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { loadOverview } from "~/dashboard/overview.server";
import { SEED } from "../../db/seed";
import { db, FIXED_NOW, seedDatabase } from "../db";

const STATUSES = ["in_sync", "drifted", "error", "unknown"] as const;
const REPOS = [SEED.repositoryId, `repo_${"countsa".padEnd(28, "0")}`, `repo_${"countsb".padEnd(28, "0")}`];
const IDS = Array.from({ length: 6 }, (_, i) => `inst_${`counts${i}`.padEnd(28, "0")}`);

type Row = { workspace_id: string; repository_id: string; status: string; count: number };

/** The kept counts and a fresh count of the live instances, both without zero rows, in one order. */
async function keptAndCounted() {
  const [kept, counted] = await env.DB.batch<Row>([
    env.DB.prepare(
      "SELECT workspace_id, repository_id, status, count FROM instance_status_counts WHERE count != 0 ORDER BY 1, 2, 3",
    ),
    env.DB.prepare(
      "SELECT workspace_id, repository_id, status, count(*) AS count FROM instances WHERE removed_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    ),
  ]);
  return { kept: kept!.results, counted: counted!.results };
}

const operation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    id: fc.constantFrom(...IDS),
    repo: fc.constantFrom(...REPOS),
    status: fc.constantFrom(...STATUSES),
    removed: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("status" as const),
    id: fc.constantFrom(...IDS),
    status: fc.constantFrom(...STATUSES),
  }),
  fc.record({ kind: fc.constant("remove" as const), id: fc.constantFrom(...IDS) }),
  fc.record({ kind: fc.constant("restore" as const), id: fc.constantFrom(...IDS) }),
  fc.record({ kind: fc.constant("move" as const), id: fc.constantFrom(...IDS), repo: fc.constantFrom(...REPOS) }),
  fc.record({ kind: fc.constant("delete" as const), id: fc.constantFrom(...IDS) }),
  fc.record({ kind: fc.constant("bulk" as const), status: fc.constantFrom(...STATUSES) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function statementOf(op: Operation): D1PreparedStatement {
  const now = FIXED_NOW.getTime();
  switch (op.kind) {
    case "insert":
      return env.DB.prepare(
        "INSERT OR IGNORE INTO instances (id, workspace_id, repository_id, stack, component, status, removed_at) VALUES (?, ?, ?, 'counts', ?, ?, ?)",
      ).bind(op.id, SEED.workspaceId, op.repo, op.id, op.status, op.removed ? now : null);
    case "status":
      return env.DB.prepare("UPDATE instances SET status = ? WHERE id = ?").bind(op.status, op.id);
    case "remove":
      return env.DB.prepare("UPDATE instances SET removed_at = ? WHERE id = ?").bind(now, op.id);
    case "restore":
      return env.DB.prepare("UPDATE instances SET removed_at = NULL WHERE id = ?").bind(op.id);
    case "move":
      return env.DB.prepare("UPDATE OR IGNORE instances SET repository_id = ? WHERE id = ?").bind(op.repo, op.id);
    case "delete":
      return env.DB.prepare("DELETE FROM instances WHERE id = ?").bind(op.id);
    case "bulk":
      // One statement touching many rows, as an inventory upload's updates do.
      return env.DB.prepare("UPDATE instances SET status = ? WHERE stack = 'counts'").bind(op.status);
  }
}

describe("the kept per-status counts", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
    await env.DB.batch(
      REPOS.slice(1).flatMap((id) => [
        env.DB.prepare("INSERT INTO repositories (id, host, owner, name) VALUES (?, 'github.com', 'acme', ?)").bind(
          id,
          id,
        ),
        env.DB.prepare("INSERT INTO workspace_repositories (workspace_id, repository_id) VALUES (?, ?)").bind(
          SEED.workspaceId,
          id,
        ),
      ]),
    );
  });

  it("hold the seed's instances, and the overview shows them", async () => {
    const { kept, counted } = await keptAndCounted();
    expect(counted.length).toBeGreaterThan(0);
    expect(kept).toEqual(counted);
    const overview = await loadOverview(db(), SEED.workspaceId, FIXED_NOW);
    const total = counted.filter((row) => row.workspace_id === SEED.workspaceId).reduce((n, row) => n + row.count, 0);
    expect(Object.values(overview.instancesByStatus).reduce((n, count) => n + count, 0)).toBe(total);
    for (const status of STATUSES) {
      expect(overview.instancesByStatus[status]).toBe(
        counted
          .filter((row) => row.workspace_id === SEED.workspaceId && row.status === status)
          .reduce((n, row) => n + row.count, 0),
      );
    }
  });

  it("equal a fresh count after any sequence of writes to instances", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        await env.DB.batch(operations.map(statementOf));
        const { kept, counted } = await keptAndCounted();
        expect(kept).toEqual(counted);
        await env.DB.prepare("DELETE FROM instances WHERE stack = 'counts'").run();
        const after = await keptAndCounted();
        expect(after.kept).toEqual(after.counted);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it("count only the repositories in the workspace now on the overview", async () => {
    const before = await loadOverview(db(), SEED.workspaceId, FIXED_NOW);
    await env.DB.batch(
      IDS.slice(0, 3).map((id) =>
        env.DB.prepare(
          "INSERT INTO instances (id, workspace_id, repository_id, stack, component, status) VALUES (?, ?, ?, 'counts', ?, 'error')",
        ).bind(id, SEED.workspaceId, REPOS[1], id),
      ),
    );
    const added = await loadOverview(db(), SEED.workspaceId, FIXED_NOW);
    expect(added.instancesByStatus.error).toBe(before.instancesByStatus.error + 3);
    await env.DB.prepare("DELETE FROM workspace_repositories WHERE repository_id = ?").bind(REPOS[1]).run();
    const removed = await loadOverview(db(), SEED.workspaceId, FIXED_NOW);
    expect(removed.instancesByStatus).toEqual(before.instancesByStatus);
  });

  it("go with their workspace or repository when it is deleted", async () => {
    await env.DB.prepare("DELETE FROM repositories WHERE id = ?").bind(SEED.repositoryId).run();
    let { kept, counted } = await keptAndCounted();
    expect(kept).toEqual(counted);
    await env.DB.prepare("DELETE FROM workspaces WHERE id = ?").bind(SEED.workspaceId).run();
    ({ kept, counted } = await keptAndCounted());
    expect(kept).toEqual(counted);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM instance_status_counts WHERE workspace_id = ?")
      .bind(SEED.workspaceId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
