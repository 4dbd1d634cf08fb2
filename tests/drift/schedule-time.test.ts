/**
 * When drift schedules run (app/domain/drift/schedule-time.ts), on fixed instants: due and not due,
 * time zones, both daylight-saving changes, and bad input refused with a message naming the field.
 */
import { describe, expect, it } from "vitest";
import { lastRunAtOrBefore, nextRunAfter, scheduleProblem } from "~/domain/drift/schedule-time";
import { SEED, SEED_SCHEDULE } from "../../db/seed";
import { db, FIXED_NOW, seedDatabase } from "../db";

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

describe("drift schedule times", () => {
  it("runs strictly after the instant given, and was last due at or before it", () => {
    expect(iso(nextRunAfter("0 3 * * *", "UTC", at("2026-11-01T02:59:59Z")))).toBe("2026-11-01T03:00:00.000Z");
    // Due at 03:00: the next run after 03:00 is tomorrow's, and 03:00 itself was the last due.
    expect(iso(nextRunAfter("0 3 * * *", "UTC", at("2026-11-01T03:00:00Z")))).toBe("2026-11-02T03:00:00.000Z");
    expect(iso(lastRunAtOrBefore("0 3 * * *", "UTC", at("2026-11-01T03:00:00Z")))).toBe("2026-11-01T03:00:00.000Z");
    expect(iso(lastRunAtOrBefore("0 3 * * *", "UTC", at("2026-11-01T02:59:00Z")))).toBe("2026-10-31T03:00:00.000Z");
    expect(iso(nextRunAfter("*/15 * * * 1-5", "UTC", at("2026-11-06T23:50:00Z")))).toBe("2026-11-09T00:00:00.000Z");
    expect(iso(nextRunAfter("@hourly", "UTC", at("2026-11-01T10:30:00Z")))).toBe("2026-11-01T11:00:00.000Z");
  });

  it("reads the expression in its time zone", () => {
    expect(iso(nextRunAfter("0 9 * * *", "America/New_York", at("2026-11-10T12:00:00Z")))).toBe(
      "2026-11-10T14:00:00.000Z",
    );
    expect(iso(nextRunAfter("0 9 * * *", "Asia/Kolkata", at("2026-11-10T12:00:00Z")))).toBe("2026-11-11T03:30:00.000Z");
  });

  it("keeps local time across daylight saving: a missing time runs after the gap, a repeated one once", () => {
    // Europe/Berlin springs forward on 2026-03-29 at 02:00 (to 03:00): 02:30 does not exist that day.
    const spring = [at("2026-03-28T12:00:00Z")];
    for (let i = 0; i < 2; i++) spring.push(nextRunAfter("30 2 * * *", "Europe/Berlin", spring[i]!)!);
    expect(spring.slice(1).map(iso)).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
    // It falls back on 2026-10-25 at 03:00 (to 02:00): 02:30 happens twice, the schedule runs once.
    const autumn = [at("2026-10-24T12:00:00Z")];
    for (let i = 0; i < 2; i++) autumn.push(nextRunAfter("30 2 * * *", "Europe/Berlin", autumn[i]!)!);
    expect(autumn.slice(1).map(iso)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    // Before and after the change, 03:00 local is an hour apart in UTC.
    expect(iso(nextRunAfter("0 3 * * *", "Europe/Berlin", at("2026-10-24T12:00:00Z")))).toBe(
      "2026-10-25T02:00:00.000Z",
    );
    expect(iso(nextRunAfter("0 3 * * *", "Europe/Berlin", at("2026-10-23T12:00:00Z")))).toBe(
      "2026-10-24T01:00:00.000Z",
    );
  });

  it("accepts five fields and nicknames", () => {
    for (const cron of ["0 3 * * *", "*/5 * * * *", "0 0 1 1 *", "15 6 * * MON-FRI", "@daily", " 0 3 * * * "])
      expect(scheduleProblem(cron, "UTC"), cron).toBeNull();
    expect(scheduleProblem("0 3 * * *", "Europe/Berlin")).toBeNull();
  });

  it.each([
    ["", "UTC", "cron", /^Enter a cron expression/],
    ["0 3 * *", "UTC", "cron", /has five fields .* "0 3 \* \*" has 4\.$/],
    ["0 0 3 * * *", "UTC", "cron", /has 6\.$/],
    ["61 * * * *", "UTC", "cron", /^"61 \* \* \* \*" is not a cron expression: .*minute/],
    ["0 3 * * *", "Mars/Olympus_Mons", "timezone", /^"Mars\/Olympus_Mons" is not an IANA time zone/],
    ["0 3 * * *", "", "timezone", /^Choose a time zone/],
    ["0 0 30 2 *", "UTC", "cron", /never runs|is not a cron expression/],
  ])("refuses %j in %j, naming the %s", (cron, timezone, field, message) => {
    const problem = scheduleProblem(cron, timezone);
    expect(problem?.field).toBe(field);
    expect(problem?.message).toMatch(message);
  });

  it("seeds its schedule with the times its expression gives", async () => {
    await seedDatabase();
    const row = await db()
      .$client.prepare(
        "SELECT last_run_at AS lastRunAt, next_run_at AS nextRunAt FROM drift_schedules WHERE workspace_id = ?",
      )
      .bind(SEED.workspaceId)
      .first<{ lastRunAt: number; nextRunAt: number }>();
    expect(row!.nextRunAt).toBe(nextRunAfter(SEED_SCHEDULE.cron, SEED_SCHEDULE.timezone, FIXED_NOW)!.getTime());
    expect(row!.lastRunAt).toBe(lastRunAtOrBefore(SEED_SCHEDULE.cron, SEED_SCHEDULE.timezone, FIXED_NOW)!.getTime());
    expect(new Date(row!.nextRunAt).getUTCHours()).toBe(3);
    expect(row!.nextRunAt - row!.lastRunAt).toBe(24 * 60 * 60_000);
  });
});
