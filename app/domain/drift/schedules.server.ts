/**
 * A workspace's drift schedules, as admins write them: create (within the plan's `driftSchedules`
 * limit, checked inside the insert, so racing creates cannot pass it), edit, pause and resume, delete.
 * Every change is written with its audit event (`schedule.created|updated|deleted`) in one batch, and
 * the next run is always the one the expression gives in its time zone (schedule-time.ts) from the
 * caller's clock: none while paused.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { driftSchedules, workspaceRepositories, workspaces } from "../../../db/schema";
import { auditEventIfChanged, type AuditActor } from "../audit.server";
import { newId } from "../ids";
import { belowPlanLimit, planLimitMessage } from "../plan-limits.server";
import { refuse, type Refusal } from "../result";
import { nextRunAfter, scheduleProblem, type ScheduleField } from "./schedule-time";

export const MAX_SCHEDULE_NAME = 100;

export type ScheduleInput = {
  name: string;
  /** Null: every repository of the workspace. */
  repositoryId: string | null;
  cron: string;
  timezone: string;
  remediate: boolean;
};

export type ScheduleRefusal =
  | (Refusal<"invalid"> & { field: ScheduleField | "name" | "repositoryId" })
  | Refusal<"plan_limit">
  | Refusal<"not_found">;

type Written = { ok: true; scheduleId: string };

/** What is wrong with the input as a whole (name, expression, time zone), or null. */
function inputProblem(input: ScheduleInput): ScheduleRefusal | null {
  const name = input.name.trim();
  if (name === "" || name.length > MAX_SCHEDULE_NAME)
    return { ...refuse("invalid", `Give the schedule a name of 1 to ${MAX_SCHEDULE_NAME} characters.`), field: "name" };
  const problem = scheduleProblem(input.cron, input.timezone);
  return problem ? { ...refuse("invalid", problem.message), field: problem.field } : null;
}

/** The repository condition: none, or imported into the workspace (read in the same statement). */
const repositoryImported = (workspaceId: string, repositoryId: string | null) =>
  repositoryId === null
    ? sql`1`
    : sql`EXISTS (SELECT 1 FROM ${workspaceRepositories} WHERE ${workspaceRepositories.workspaceId} = ${workspaceId} AND ${workspaceRepositories.repositoryId} = ${repositoryId})`;

const notImported = (): ScheduleRefusal => ({
  ...refuse("invalid", "Choose a repository of this workspace, or all of them."),
  field: "repositoryId",
});

export async function createSchedule(
  db: Database,
  input: ScheduleInput & { workspaceId: string; actor: AuditActor; now: Date },
): Promise<Written | ScheduleRefusal> {
  const problem = inputProblem(input);
  if (problem) return problem;
  const id = newId("drs");
  const cron = input.cron.trim();
  const nextRunAt = nextRunAfter(cron, input.timezone, input.now);
  const current = sql`(SELECT count(*) FROM ${driftSchedules} WHERE ${driftSchedules.workspaceId} = ${input.workspaceId})`;
  const [inserted, , usage, imported] = await db.batch([
    db
      .insert(driftSchedules)
      .select(
        db
          .select({
            id: sql<string>`${id}`.as("id"),
            workspaceId: sql<string>`${input.workspaceId}`.as("workspace_id"),
            repositoryId: sql<string | null>`${input.repositoryId}`.as("repository_id"),
            name: sql<string>`${input.name.trim()}`.as("name"),
            cron: sql<string>`${cron}`.as("cron"),
            timezone: sql<string>`${input.timezone}`.as("timezone"),
            enabled: sql<number>`1`.as("enabled"),
            remediate: sql<number>`${input.remediate ? 1 : 0}`.as("remediate"),
            lastRunAt: sql<number | null>`NULL`.as("last_run_at"),
            nextRunAt: sql<number | null>`${nextRunAt?.getTime() ?? null}`.as("next_run_at"),
            createdAt: sql<number>`${input.now.getTime()}`.as("created_at"),
            updatedAt: sql<number>`${input.now.getTime()}`.as("updated_at"),
          })
          .from(sql`(SELECT 1)`)
          .where(
            and(
              repositoryImported(input.workspaceId, input.repositoryId),
              belowPlanLimit("driftSchedules", input.workspaceId, current),
            ),
          ),
      )
      .returning({ id: driftSchedules.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.created",
      target: { type: "drift_schedule", id },
      metadata: { name: input.name.trim(), cron, timezone: input.timezone, remediate: input.remediate },
      at: input.now,
    }),
    db
      .select({ plan: workspaces.plan, count: sql<number>`${current}` })
      .from(workspaces)
      .where(eq(workspaces.id, input.workspaceId)),
    // Which condition refused it, read in the same round trip.
    db
      .select({ imported: sql<number>`${repositoryImported(input.workspaceId, input.repositoryId)}` })
      .from(sql`(SELECT 1)`),
  ]);
  if (inserted.length > 0) return { ok: true, scheduleId: id };
  if (!imported[0]?.imported) return notImported();
  const plan = usage[0]?.plan ?? "free";
  return refuse(
    "plan_limit",
    planLimitMessage(
      plan,
      "driftSchedules",
      `this workspace has ${usage[0]?.count ?? 0}. Delete one or raise the plan to add another`,
    ),
  );
}

/** Edits a schedule's name, repository, expression, time zone and remediation; its next run follows. */
export async function updateSchedule(
  db: Database,
  input: ScheduleInput & { workspaceId: string; scheduleId: string; actor: AuditActor; now: Date },
): Promise<Written | ScheduleRefusal> {
  const problem = inputProblem(input);
  if (problem) return problem;
  const cron = input.cron.trim();
  const next = nextRunAfter(cron, input.timezone, input.now);
  const [updated] = await db.batch([
    db
      .update(driftSchedules)
      .set({
        name: input.name.trim(),
        repositoryId: input.repositoryId,
        cron,
        timezone: input.timezone,
        remediate: input.remediate,
        // Paused, it has no next run; the expression decides it again on resume.
        nextRunAt: sql`CASE WHEN ${driftSchedules.enabled} THEN ${next?.getTime() ?? null} ELSE NULL END`,
        updatedAt: input.now,
      })
      .where(
        and(
          eq(driftSchedules.id, input.scheduleId),
          eq(driftSchedules.workspaceId, input.workspaceId),
          repositoryImported(input.workspaceId, input.repositoryId),
        ),
      )
      .returning({ id: driftSchedules.id }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.updated",
      target: { type: "drift_schedule", id: input.scheduleId },
      metadata: { name: input.name.trim(), cron, timezone: input.timezone, remediate: input.remediate },
      at: input.now,
    }),
  ]);
  if (updated.length > 0) return { ok: true, scheduleId: input.scheduleId };
  return (await findSchedule(db, input.workspaceId, input.scheduleId)) ? notImported() : scheduleNotFound();
}

/** Pauses (no next run) or resumes (the next run after now) a schedule. */
export async function setScheduleEnabled(
  db: Database,
  input: { workspaceId: string; scheduleId: string; enabled: boolean; actor: AuditActor; now: Date },
): Promise<Written | ScheduleRefusal> {
  const row = await findSchedule(db, input.workspaceId, input.scheduleId);
  if (!row) return scheduleNotFound();
  const next = input.enabled ? nextRunAfter(row.cron, row.timezone, input.now) : null;
  await db.batch([
    db
      .update(driftSchedules)
      .set({ enabled: input.enabled, nextRunAt: next, updatedAt: input.now })
      .where(
        and(
          eq(driftSchedules.id, input.scheduleId),
          eq(driftSchedules.workspaceId, input.workspaceId),
          eq(driftSchedules.enabled, !input.enabled),
        ),
      ),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.updated",
      target: { type: "drift_schedule", id: input.scheduleId },
      metadata: { enabled: input.enabled },
      at: input.now,
    }),
  ]);
  return { ok: true, scheduleId: input.scheduleId };
}

export async function deleteSchedule(
  db: Database,
  input: { workspaceId: string; scheduleId: string; actor: AuditActor; now: Date },
): Promise<Written | ScheduleRefusal> {
  const [deleted] = await db.batch([
    db
      .delete(driftSchedules)
      .where(and(eq(driftSchedules.id, input.scheduleId), eq(driftSchedules.workspaceId, input.workspaceId)))
      .returning({ id: driftSchedules.id, name: driftSchedules.name }),
    auditEventIfChanged(db, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.deleted",
      target: { type: "drift_schedule", id: input.scheduleId },
      at: input.now,
    }),
  ]);
  return deleted.length > 0 ? { ok: true, scheduleId: input.scheduleId } : scheduleNotFound();
}

/** The workspace's schedule (never another workspace's), or null. */
export async function findSchedule(db: Database, workspaceId: string, scheduleId: string) {
  const [row] = await db
    .select({
      cron: driftSchedules.cron,
      timezone: driftSchedules.timezone,
      repositoryId: driftSchedules.repositoryId,
      remediate: driftSchedules.remediate,
    })
    .from(driftSchedules)
    .where(and(eq(driftSchedules.id, scheduleId), eq(driftSchedules.workspaceId, workspaceId)));
  return row ?? null;
}

export const scheduleNotFound = (): ScheduleRefusal =>
  refuse("not_found", "That schedule does not exist in this workspace.");
