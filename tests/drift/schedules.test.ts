/**
 * Drift schedules as admins write them (app/domain/drift/schedules.server.ts), on the seeded Acme
 * workspace (Team plan, one schedule): the next run the expression gives, the plan's limit inside
 * the write (racing creates included), bad input refused naming the field with nothing written, and
 * one audit event per change.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { userActor } from "~/domain/audit.server";
import { nextRunAfter } from "~/domain/drift/schedule-time";
import {
  createSchedule,
  deleteSchedule,
  setScheduleEnabled,
  updateSchedule,
  type ScheduleInput,
} from "~/domain/drift/schedules.server";
import { SEED } from "../../db/seed";
import { db, dumpDatabase, FIXED_NOW, seedDatabase } from "../db";

const actor = userActor({ id: SEED.ownerId, login: SEED.ownerLogin, name: "Ada Owner" });
const base = { workspaceId: SEED.workspaceId, actor, now: FIXED_NOW };
const weekly: ScheduleInput = {
  name: "Weekly, Berlin",
  repositoryId: SEED.repositoryId,
  cron: "0 6 * * MON",
  timezone: "Europe/Berlin",
  remediate: true,
};

type Row = { id: string; name: string; cron: string; enabled: number; remediate: number; nextRunAt: number | null };
const schedules = async () =>
  (
    await db()
      .$client.prepare(
        "SELECT id, name, cron, enabled, remediate, next_run_at AS nextRunAt FROM drift_schedules WHERE workspace_id = ? ORDER BY created_at, id",
      )
      .bind(SEED.workspaceId)
      .all<Row>()
  ).results;
const audited = async () =>
  (
    await db()
      .$client.prepare("SELECT action, target_id AS target FROM audit_events WHERE action LIKE 'schedule.%'")
      .all<{ action: string; target: string }>()
  ).results;
const setPlan = (plan: string) =>
  db().$client.prepare("UPDATE workspaces SET plan = ? WHERE id = ?").bind(plan, SEED.workspaceId).run();

beforeEach(async () => {
  await seedDatabase();
});

describe("drift schedules", () => {
  it("creates a schedule whose next run is the one its expression gives, with its audit event", async () => {
    const created = await createSchedule(db(), { ...base, ...weekly });
    expect(created.ok).toBe(true);
    const id = created.ok ? created.scheduleId : "";
    const row = (await schedules()).find((schedule) => schedule.id === id);
    expect(row).toMatchObject({ name: "Weekly, Berlin", cron: "0 6 * * MON", enabled: 1, remediate: 1 });
    expect(row!.nextRunAt).toBe(nextRunAfter("0 6 * * MON", "Europe/Berlin", FIXED_NOW)!.getTime());
    expect(await audited()).toEqual([{ action: "schedule.created", target: id }]);
  });

  it.each([
    [{ cron: "0 6 * *" }, "cron"],
    [{ cron: "99 * * * *" }, "cron"],
    [{ timezone: "Europe/Atlantis" }, "timezone"],
    [{ name: "  " }, "name"],
    [{ name: "x".repeat(101) }, "name"],
    [{ repositoryId: "repo_not_in_this_workspace" }, "repositoryId"],
  ])("refuses %j, naming %s, and writes nothing", async (change, field) => {
    const before = await dumpDatabase();
    const refused = await createSchedule(db(), { ...base, ...weekly, ...change });
    expect(refused).toMatchObject({ ok: false, reason: "invalid", field });
    expect(refused.ok ? "" : refused.message.length).toBeGreaterThan(10);
    expect(await dumpDatabase()).toEqual(before);
  });

  it("keeps to the plan's limit inside the write, even when creates race", async () => {
    // Free allows one schedule, and Acme has one already.
    await setPlan("free");
    const refused = await createSchedule(db(), { ...base, ...weekly });
    expect(refused).toMatchObject({ ok: false, reason: "plan_limit" });
    expect(refused.ok ? "" : refused.message).toMatch(
      /^The Free plan includes up to 1 schedules, and this workspace has 1\. Delete one/,
    );
    expect(await schedules()).toHaveLength(1);

    await db().$client.prepare("DELETE FROM drift_schedules").run();
    const raced = await Promise.all(
      ["one", "two", "three"].map((name) => createSchedule(db(), { ...base, ...weekly, name })),
    );
    expect(raced.filter((result) => result.ok)).toHaveLength(1);
    expect(await schedules()).toHaveLength(1);
    expect((await audited()).filter((event) => event.action === "schedule.created")).toHaveLength(1);
  });

  it("edits a schedule and moves its next run; pauses it (no next run) and resumes it from now", async () => {
    const created = await createSchedule(db(), { ...base, ...weekly });
    const scheduleId = created.ok ? created.scheduleId : "";
    const edited = await updateSchedule(db(), { ...base, ...weekly, scheduleId, cron: "30 1 * * *", timezone: "UTC" });
    expect(edited.ok).toBe(true);
    let row = (await schedules()).find((schedule) => schedule.id === scheduleId)!;
    expect(row).toMatchObject({ cron: "30 1 * * *" });
    expect(row.nextRunAt).toBe(nextRunAfter("30 1 * * *", "UTC", FIXED_NOW)!.getTime());

    await setScheduleEnabled(db(), { ...base, scheduleId, enabled: false });
    row = (await schedules()).find((schedule) => schedule.id === scheduleId)!;
    expect(row).toMatchObject({ enabled: 0, nextRunAt: null });
    // Edited while paused: still no next run.
    await updateSchedule(db(), { ...base, ...weekly, scheduleId, cron: "0 2 * * *", timezone: "UTC" });
    expect((await schedules()).find((schedule) => schedule.id === scheduleId)!.nextRunAt).toBeNull();

    const later = new Date(FIXED_NOW.getTime() + 3 * 24 * 60 * 60_000);
    await setScheduleEnabled(db(), { ...base, now: later, scheduleId, enabled: true });
    row = (await schedules()).find((schedule) => schedule.id === scheduleId)!;
    expect(row).toMatchObject({ enabled: 1, nextRunAt: nextRunAfter("0 2 * * *", "UTC", later)!.getTime() });
    // Resuming a running schedule changes nothing and says nothing.
    await setScheduleEnabled(db(), { ...base, now: later, scheduleId, enabled: true });
    expect((await audited()).map((event) => event.action)).toEqual([
      "schedule.created",
      "schedule.updated",
      "schedule.updated",
      "schedule.updated",
      "schedule.updated",
    ]);
  });

  it("deletes a schedule once; another workspace's schedule is not found and untouched", async () => {
    const created = await createSchedule(db(), { ...base, ...weekly });
    const scheduleId = created.ok ? created.scheduleId : "";
    expect(await deleteSchedule(db(), { ...base, scheduleId })).toEqual({ ok: true, scheduleId });
    expect(await deleteSchedule(db(), { ...base, scheduleId })).toMatchObject({ ok: false, reason: "not_found" });
    expect((await audited()).map((event) => event.action)).toEqual(["schedule.created", "schedule.deleted"]);

    const [seeded] = await schedules();
    const before = await dumpDatabase();
    const elsewhere = { ...base, workspaceId: "ws_someoneelse000000000000000000" };
    expect(await deleteSchedule(db(), { ...elsewhere, scheduleId: seeded!.id })).toMatchObject({
      reason: "not_found",
    });
    expect(
      await updateSchedule(db(), { ...elsewhere, ...weekly, repositoryId: null, scheduleId: seeded!.id }),
    ).toMatchObject({ reason: "not_found" });
    expect(await setScheduleEnabled(db(), { ...elsewhere, scheduleId: seeded!.id, enabled: false })).toMatchObject({
      reason: "not_found",
    });
    expect(await dumpDatabase()).toEqual(before);
  });
});
