import { describe, expect, it } from "vitest";
import { SEED, SEED_COMPONENTS, SEED_STACKS } from "../db/seed";
import { dumpDatabase, seedDatabase } from "./db";

describe("seed", () => {
  it("is idempotent: running it twice leaves exactly the same rows", async () => {
    await seedDatabase();
    const first = await dumpDatabase();
    await seedDatabase();
    const second = await dumpDatabase();
    expect(second).toEqual(first);
    expect(first.instances).toHaveLength(SEED_STACKS.length * SEED_COMPONENTS.length);
  });

  it("carries what local dev and the docs rely on", async () => {
    await seedDatabase();
    const rows = await dumpDatabase();
    expect(SEED.workspaceId).toBe("ws_acme000000000000000000000000");
    expect(rows.workspaces).toEqual([expect.objectContaining({ id: SEED.workspaceId, slug: "acme", name: "Acme" })]);
    expect(rows.repositories).toEqual([expect.objectContaining({ owner: "acme", name: "infra", host: "github.com" })]);
    const permissions = rows.repository_permissions as Array<Record<string, unknown>>;
    expect(permissions.map((p) => p.type).sort()).toEqual([
      "Affected Stacks Create",
      "Deployments Create",
      "Instances Upload",
      "Locks Manage",
    ]);
    expect(
      permissions.every((p) => p.workflow_pattern === "*" && p.branch_pattern === "*" && p.environment_pattern === "*"),
    ).toBe(true);

    const statuses = new Set((rows.instances as Array<{ status: string }>).map((i) => i.status));
    expect([...statuses].sort()).toEqual(["drifted", "error", "in_sync", "unknown"]);

    const deployments = rows.deployments as Array<{ kind: string; status: string }>;
    const combos = new Set(deployments.map((d) => `${d.kind}:${d.status}`));
    expect(combos.size).toBe(4 * 5);

    expect(rows.locks).toHaveLength(1);
    expect(rows.drift_schedules).toHaveLength(1);
    expect((rows.audit_events as unknown[]).length).toBeGreaterThanOrEqual(3);
    const roles = (rows.memberships as Array<{ role: string }>).map((m) => m.role).sort();
    expect(roles).toEqual(["member", "owner"]);
  });
});
