/**
 * The one answer of every form action (`ActionResult`), and the one table of what each domain refusal
 * answers a form (`REFUSAL_STATUS`). Success is a redirect or `done()`; a form that fails its schema is
 * `invalid()` (400, a sentence per field); a domain refusal is `refused()`, its sentence shown at the
 * top of the page or next to one field.
 */
import { json } from "@remix-run/cloudflare";
import type { LockRefusal } from "../domain/locks.server";
import type { MemberRefusal } from "../domain/members.server";
import type { ConnectRefusal, ImportRefusal, RemoveRefusal } from "../domain/installations.server";
import type { PermissionRefusal } from "../domain/repository-permissions.server";
import type { Refusal } from "../domain/result";
import type { SlugRefusal, SsoRefusal } from "../domain/workspaces.server";
import type { IncidentRefusal } from "../status-page/incidents.server";
import type { DriftRefusal } from "../domain/drift/runs.server";
import type { ScheduleRefusal } from "../domain/drift/schedules.server";

export type ActionResult = {
  /** Which form on the page answered (`intent`), so the page shows the answer next to it. */
  intent: string;
  ok: boolean;
  /** What was done, or why nothing was. */
  message?: string;
  /** Per field, what is wrong with it. */
  fieldErrors?: Record<string, string>;
  /** A link to show (an invitation's: it is shown once, never stored). */
  link?: string;
};

type FormReason =
  | MemberRefusal
  | SlugRefusal
  | SsoRefusal
  | LockRefusal
  | IncidentRefusal
  | ConnectRefusal
  | ImportRefusal
  | RemoveRefusal
  | PermissionRefusal
  | ScheduleRefusal["reason"]
  | DriftRefusal["reason"];

/** The HTTP status each refusal answers a form with. */
const REFUSAL_STATUS: Record<FormReason, 400 | 403 | 404 | 409> = {
  owners_only: 403,
  plan_limit: 409,
  member_unknown: 404,
  last_owner: 409,
  role_changed_meanwhile: 409,
  invitation_unknown: 404,
  invitation_revoked: 409,
  invitation_used: 409,
  invitation_expired: 409,
  invitation_for_someone_else: 403,
  already_member: 409,
  workspace_full: 409,
  slug_invalid: 400,
  slug_taken: 400,
  sign_in_with_sso: 403,
  workspace_gone: 404,
  lock_held: 409,
  lock_not_found: 404,
  incident_resolved: 409,
  already_mitigated: 409,
  already_resolved: 409,
  installation_unknown: 404,
  not_installer: 403,
  installation_taken: 409,
  repository_not_installed: 409,
  repository_unknown: 404,
  permission_exists: 409,
  permission_unknown: 404,
  invalid: 400,
  not_found: 404,
  nothing_to_check: 409,
};

export function done(intent: string, message: string, extra: Pick<ActionResult, "link"> = {}) {
  return json<ActionResult>({ intent, ok: true, message, ...extra });
}

/** The form was wrong: nothing changed. `message` is for the top of the page, when the fields alone do not say it. */
export function invalid(intent: string, fieldErrors: Record<string, string>, message?: string) {
  return json<ActionResult>({ intent, ok: false, fieldErrors, ...(message ? { message } : {}) }, { status: 400 });
}

/** The form was fine, the domain refused: its sentence at the top of the page, or next to `field`. */
export function refused(intent: string, refusal: Refusal<FormReason>, field?: string) {
  const body: ActionResult = field
    ? { intent, ok: false, fieldErrors: { [field]: refusal.message } }
    : { intent, ok: false, message: refusal.message };
  return json<ActionResult>(body, { status: REFUSAL_STATUS[refusal.reason] });
}

/** A form this page does not have (an old tab, a hand-made request). */
export function unknownIntent(intent: string) {
  return invalid(
    intent || "unknown",
    { intent: "This form is out of date. Reload the page and try again." },
    "This form is out of date. Reload the page and try again.",
  );
}
