/**
 * When a drift schedule runs: a five-field cron expression (minute hour day-of-month month
 * day-of-week, or a nickname such as `@daily`) read in an IANA time zone, parsed by croner. The
 * every-minute Cron Trigger is the finest grain there is, so a sixth (seconds) field is refused.
 * Across daylight-saving changes a time that does not exist runs at the first one after the gap, and
 * a time that happens twice runs once. Pure: every instant comes from the caller's clock.
 */
import { Cron } from "croner";

export type ScheduleField = "cron" | "timezone";
export type ScheduleProblem = { field: ScheduleField; message: string };

const NICKNAMES = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

function timezoneProblem(timezone: string): string | null {
  if (timezone.trim() === "" || timezone.length > 64) return "Choose a time zone, such as UTC or Europe/Berlin.";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return null;
  } catch {
    return `"${timezone.slice(0, 64)}" is not an IANA time zone (such as UTC, America/New_York or Europe/Berlin).`;
  }
}

function pattern(cron: string, timezone: string): Cron {
  return new Cron(cron.trim(), { timezone, paused: true });
}

/** Why `cron` in `timezone` is not a schedule we can run, naming the field; null when it is one. */
export function scheduleProblem(cron: string, timezone: string): ScheduleProblem | null {
  const zone = timezoneProblem(timezone);
  if (zone) return { field: "timezone", message: zone };
  const expression = cron.trim();
  const fields = expression.split(/\s+/);
  if (expression === "" || expression.length > 100)
    return { field: "cron", message: "Enter a cron expression, such as 0 3 * * * (every day at 03:00)." };
  if (!(fields.length === 5 || (fields.length === 1 && NICKNAMES.has(fields[0]!.toLowerCase()))))
    return {
      field: "cron",
      message: `A cron expression has five fields (minute hour day-of-month month day-of-week); "${expression}" has ${fields.length}.`,
    };
  try {
    if (!pattern(expression, timezone).nextRun(new Date(0)))
      return { field: "cron", message: `"${expression}" never runs.` };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Cron\w*:\s*/, "") : "it cannot be read";
    return { field: "cron", message: `"${expression}" is not a cron expression: ${reason}.` };
  }
  return null;
}

/** The first run strictly after `after`, or null when the schedule never runs again. Assumes no scheduleProblem. */
export function nextRunAfter(cron: string, timezone: string, after: Date): Date | null {
  return pattern(cron, timezone).nextRun(after);
}

/** The last run at or before `at` (what should have run most recently), or null. Assumes no scheduleProblem. */
export function lastRunAtOrBefore(cron: string, timezone: string, at: Date): Date | null {
  const [previous] = pattern(cron, timezone).previousRuns(1, new Date(at.getTime() + 1));
  return previous ?? null;
}
