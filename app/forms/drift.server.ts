/**
 * The Drift page's forms: admins create, edit, pause, resume and delete schedules; every member
 * checks a repository (or, on an instance's page, one instance) for drift now. The domain
 * (app/domain/drift) checks the name, the expression and the time zone, and says which field is wrong.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import type { Member } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import {
  createSchedule,
  deleteSchedule,
  findSchedule,
  MAX_SCHEDULE_NAME,
  scheduleNotFound,
  setScheduleEnabled,
  updateSchedule,
  type ScheduleInput,
} from "../domain/drift/schedules.server";
import { can, type Permission } from "../domain/roles";
import { checkNow, type CheckScope } from "./drift-check.server";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, firstFieldError, type FormFields } from "./form.server";
import { done, invalid, refused, unknownIntent } from "./result.server";

const scheduleId = /^drs_[0-9A-Za-z]{28}$/;
const repositoryId = /^repo_[0-9A-Za-z]{28}$/;
const scheduleFields = {
  name: `string <= ${MAX_SCHEDULE_NAME * 2}`,
  /** Empty: every repository of the workspace. */
  repositoryId: type(repositoryId).or("''"),
  cron: "string <= 200",
  timezone: "string <= 100",
  "remediate?": "'on'",
} as const;
const scheduleMessages = {
  name: `Give the schedule a name of 1 to ${MAX_SCHEDULE_NAME} characters.`,
  repositoryId: "Choose a repository of this workspace, or all of them.",
  cron: "Enter a cron expression, such as 0 3 * * * (every day at 03:00).",
  timezone: "Choose a time zone, such as UTC or Europe/Berlin.",
  remediate: "Tick the box, or leave it empty.",
};
const createForm = defineForm(type({ intent: "'create'", ...scheduleFields }), scheduleMessages);
const updateForm = defineForm(type({ intent: "'update'", scheduleId, ...scheduleFields }), {
  ...scheduleMessages,
  scheduleId: "That schedule does not exist in this workspace.",
});
const toggleForm = defineForm(type({ intent: "'pause' | 'resume' | 'delete'", scheduleId }), {
  scheduleId: "That schedule does not exist in this workspace.",
});
const runNowForm = defineForm(type({ intent: "'run'", scheduleId }), {
  scheduleId: "That schedule does not exist in this workspace.",
});
const checkNowForm = defineForm(type({ intent: "'check'", repositoryId, "instanceId?": /^inst_[0-9A-Za-z]{28}$/ }), {
  repositoryId: "Choose a repository of this workspace.",
  instanceId: "That instance does not exist in this workspace.",
});

const input = (value: Omit<typeof createForm.schema.infer, "intent">): ScheduleInput => ({
  name: value.name,
  repositoryId: value.repositoryId || null,
  cron: value.cron,
  timezone: value.timezone,
  remediate: value.remediate === "on",
});

/** Which permission a form of the Drift page needs. */
export function driftPermission(fields: FormFields): Permission {
  const intent = fieldValue(fields, "intent");
  if (intent === "check" || intent === "run") return "drift.run";
  // A form this page does not have is answered as one (400) to every member.
  return ["create", "update", "pause", "resume", "delete"].includes(intent) ? "schedules.manage" : "workspace.read";
}

export async function driftAction(context: AppLoadContext, member: Member, fields: FormFields) {
  const now = context.now();
  const actor = userActor(member.user);
  const workspaceId = member.workspace.id;
  const intent = fieldValue(fields, "intent");
  switch (intent) {
    case "create": {
      const form = checkForm(createForm, fields);
      if (!form.ok) return invalid("create", form.fieldErrors, "Check the schedule's fields.");
      const result = await createSchedule(context.db, { ...input(form.value), workspaceId, actor, now });
      if (!result.ok) return refused("create", result, result.reason === "invalid" ? result.field : undefined);
      return done("create", `Schedule "${form.value.name.trim()}" created.`);
    }
    case "update": {
      const form = checkForm(updateForm, fields);
      const answer = `update:${fieldValue(fields, "scheduleId")}`;
      if (!form.ok) return invalid(answer, form.fieldErrors, "Check the schedule's fields.");
      const result = await updateSchedule(context.db, {
        ...input(form.value),
        scheduleId: form.value.scheduleId,
        workspaceId,
        actor,
        now,
      });
      if (!result.ok) return refused(answer, result, result.reason === "invalid" ? result.field : undefined);
      return done(answer, `Schedule "${form.value.name.trim()}" saved.`);
    }
    case "pause":
    case "resume":
    case "delete": {
      const form = checkForm(toggleForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors, firstFieldError(form.fieldErrors));
      const target = { workspaceId, scheduleId: form.value.scheduleId, actor, now };
      const result =
        intent === "delete"
          ? await deleteSchedule(context.db, target)
          : await setScheduleEnabled(context.db, { ...target, enabled: intent === "resume" });
      if (!result.ok) return refused(intent, result);
      return done(
        intent,
        intent === "delete" ? "Schedule deleted." : intent === "pause" ? "Schedule paused." : "Schedule resumed.",
      );
    }
    case "check":
    case "run": {
      let scope: CheckScope;
      if (intent === "run") {
        // A schedule run now: its repositories and its remediation, at once (its next run stays as it was).
        const form = checkForm(runNowForm, fields);
        if (!form.ok) return invalid("run", form.fieldErrors, firstFieldError(form.fieldErrors));
        const schedule = await findSchedule(context.db, workspaceId, form.value.scheduleId);
        if (!schedule) return refused("run", scheduleNotFound());
        scope = {
          repositoryId: schedule.repositoryId,
          scheduleId: form.value.scheduleId,
          remediate: schedule.remediate,
        };
      } else {
        const form = checkForm(checkNowForm, fields);
        if (!form.ok) return invalid("check", form.fieldErrors, firstFieldError(form.fieldErrors));
        scope = {
          repositoryId: form.value.repositoryId,
          ...(form.value.instanceId ? { instanceId: form.value.instanceId } : {}),
          scheduleId: null,
          remediate: false,
        };
      }
      return checkNow(context, member, intent, scope);
    }
    default:
      return unknownIntent(intent);
  }
}

/** Whether this member may edit schedules, and may check now. */
export const driftAbilities = (member: Member) => ({
  canManage: can(member.workspace.role, "schedules.manage"),
  canRun: can(member.workspace.role, "drift.run"),
});
