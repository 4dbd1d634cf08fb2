/** Lock and unlock from the dashboard: the same domain functions the CLI's API uses. */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { userActor } from "../domain/audit.server";
import { acquireLock, releaseLock } from "../domain/locks.server";
import { type } from "../validation";
import { checkForm } from "../validation/form.server";
import type { Member } from "./membership.server";

export const LOCK_TTLS = [
  { seconds: 1800, label: "30 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 4 * 3600, label: "4 hours" },
  { seconds: 24 * 3600, label: "1 day" },
  { seconds: 7 * 24 * 3600, label: "1 week" },
] as const;

const lockForm = type({
  intent: "'lock'",
  key: /^[^/\s]+\/[^/\s]+\/[^/\s]+\/.+$/,
  ttl: type("string").pipe((raw) => Number(raw)).narrow((seconds, ctx) => LOCK_TTLS.some((ttl) => ttl.seconds === seconds) || ctx.mustBe("one of the offered durations")),
  "message?": "string <= 500",
});
const unlockForm = type({ intent: "'unlock'", key: "0 < string <= 512" });

export type LockActionResult = { intent: "lock" | "unlock"; ok: boolean; message: string; fieldErrors?: Record<string, string> };

export async function lockAction(context: AppLoadContext, member: Member, fields: Record<string, string>) {
  const now = context.now();
  const actor = userActor(member.user);
  if (fields.intent === "lock") {
    const form = checkForm(lockForm, fields);
    if (!form.ok) return json<LockActionResult>({ intent: "lock", ok: false, message: "Check the lock's fields.", fieldErrors: form.fieldErrors }, { status: 400 });
    const result = await acquireLock(context.db, {
      workspaceId: member.workspace.id,
      key: form.value.key,
      ttlSeconds: form.value.ttl,
      message: form.value.message || null,
      properties: null,
      lockedBy: member.user.login ?? member.user.name,
      actor,
      now,
    });
    if (!result.ok) return json<LockActionResult>({ intent: "lock", ok: false, message: result.message }, { status: 409 });
    return json<LockActionResult>({ intent: "lock", ok: true, message: "Locked." });
  }
  const form = checkForm(unlockForm, fields);
  if (!form.ok) return json<LockActionResult>({ intent: "unlock", ok: false, message: "Name the lock to release." }, { status: 400 });
  const released = await releaseLock(context.db, { workspaceId: member.workspace.id, key: form.value.key, actor, now });
  if (!released.ok) return json<LockActionResult>({ intent: "unlock", ok: false, message: released.message }, { status: 404 });
  return json<LockActionResult>({ intent: "unlock", ok: true, message: "Unlocked." });
}
