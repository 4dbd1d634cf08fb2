/** Lock and unlock from the dashboard (the Locks page and an instance's page): the same domain functions the CLI's API uses. */
import type { AppLoadContext } from "@remix-run/cloudflare";
import type { Member } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import { LOCK_TTLS } from "../domain/lock-durations";
import { acquireLock, releaseLock } from "../domain/locks.server";
import { advanceBlockedBatches } from "../worker/deployment-queue.server";
import { type } from "../validation";
import { checkForm, defineForm, type FormFields } from "./form.server";
import { done, invalid, refused } from "./result.server";

const lockForm = defineForm(
  type({
    intent: "'lock'",
    key: /^[^/\s]+\/[^/\s]+\/[^/\s]+\/.+$/,
    ttl: type("string")
      .pipe((raw) => Number(raw))
      .narrow(
        (seconds, ctx) =>
          LOCK_TTLS.some((ttl) => ttl.seconds === seconds) || ctx.mustBe("one of the offered durations"),
      ),
    "message?": "string <= 500",
  }),
);
const unlockForm = defineForm(type({ intent: "'unlock'", key: "0 < string <= 512" }));

export async function lockAction(context: AppLoadContext, member: Member, fields: FormFields) {
  const now = context.now();
  const actor = userActor(member.user);
  if (fields.intent === "lock") {
    const form = checkForm(lockForm, fields);
    if (!form.ok) return invalid("lock", form.fieldErrors, "Check the lock's fields.");
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
    if (!result.ok) return refused("lock", result);
    return done("lock", "Locked.");
  }
  const form = checkForm(unlockForm, fields);
  if (!form.ok) return invalid("unlock", form.fieldErrors, "Name the lock to release.");
  const released = await releaseLock(context.db, { workspaceId: member.workspace.id, key: form.value.key, actor, now });
  if (!released.ok) return refused("unlock", released);
  await advanceBlockedBatches(context, member.workspace.id);
  return done("unlock", "Unlocked.");
}
