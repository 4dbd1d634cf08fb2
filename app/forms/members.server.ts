/** The Members page's forms: invite, revoke an invitation, change a role, remove a member, leave. */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { requireMember } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import { changeRole, inviteMember, removeMember, revokeInvitation } from "../domain/members.server";
import { ROLES } from "../domain/roles";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, firstFieldError, type FormFields } from "./form.server";
import { done, invalid, refused, unknownIntent } from "./result.server";

const role = type.enumerated(...ROLES);
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;

const inviteForm = defineForm(
  type({ intent: "'invite'", invitee: "0 < string <= 254", role }).narrow((form, ctx) =>
    GITHUB_LOGIN.test(form.invitee) || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.invitee)
      ? true
      : ctx.reject({ path: ["invitee"], message: "Enter a GitHub login or an email address." }),
  ),
  { invitee: "Enter a GitHub login or an email address.", role: "Choose a role: owner, admin or member." },
);
const revokeForm = defineForm(type({ intent: "'revoke'", invitationId: /^inv_[0-9A-Za-z]{28}$/ }), {
  invitationId: "That invitation does not exist.",
});
const roleForm = defineForm(type({ intent: "'role'", userId: /^usr_[0-9A-Za-z]{28}$/, role }), {
  userId: "That person is not a member.",
  role: "Choose a role.",
});
const removeForm = defineForm(type({ intent: "'remove'", userId: /^usr_[0-9A-Za-z]{28}$/ }), {
  userId: "That person is not a member.",
});

export async function membersAction(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  fields: FormFields,
) {
  const now = context.now();
  switch (fields.intent) {
    case "invite": {
      const { user, workspace } = await requireMember(request, context, slug, "members.invite");
      const form = checkForm(inviteForm, fields);
      if (!form.ok) return invalid("invite", form.fieldErrors);
      const result = await inviteMember(context.db, {
        workspaceId: workspace.id,
        actorRole: workspace.role,
        actor: userActor(user),
        actorId: user.id,
        invitee: form.value.invitee,
        role: form.value.role,
        now,
      });
      if (!result.ok) return refused("invite", result, result.reason === "owners_only" ? "role" : undefined);
      const link = `${new URL(request.url).origin}/invitations/${result.token}`;
      return done(
        "invite",
        `Invitation created for ${form.value.invitee}. Send them this link; it works once, for 7 days.`,
        { link },
      );
    }
    case "revoke": {
      const { user, workspace } = await requireMember(request, context, slug, "members.invite");
      const form = checkForm(revokeForm, fields);
      if (!form.ok) return invalid("revoke", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await revokeInvitation(context.db, {
        workspaceId: workspace.id,
        invitationId: form.value.invitationId,
        actor: userActor(user),
        now,
      });
      if (!result.ok) return refused("revoke", result);
      return done("revoke", "Invitation revoked.");
    }
    case "role": {
      const { user, workspace } = await requireMember(request, context, slug, "members.manage");
      const form = checkForm(roleForm, fields);
      if (!form.ok) return invalid("role", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await changeRole(context.db, {
        workspaceId: workspace.id,
        actorRole: workspace.role,
        actor: userActor(user),
        targetUserId: form.value.userId,
        role: form.value.role,
        now,
      });
      if (!result.ok) return refused("role", result);
      return done("role", "Role changed.");
    }
    case "remove": {
      const { user, workspace } = await requireMember(request, context, slug, "members.manage");
      const form = checkForm(removeForm, fields);
      if (!form.ok) return invalid("remove", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await removeMember(context.db, {
        workspaceId: workspace.id,
        actorRole: workspace.role,
        actorId: user.id,
        actor: userActor(user),
        targetUserId: form.value.userId,
        now,
      });
      if (!result.ok) return refused("remove", result);
      return done("remove", "Member removed.");
    }
    case "leave": {
      const { user, workspace } = await requireMember(request, context, slug);
      const result = await removeMember(context.db, {
        workspaceId: workspace.id,
        actorRole: workspace.role,
        actorId: user.id,
        actor: userActor(user),
        targetUserId: user.id,
        now,
      });
      if (!result.ok) return refused("leave", result);
      return redirect("/dashboard");
    }
    default:
      await requireMember(request, context, slug);
      return unknownIntent(fieldValue(fields, "intent"));
  }
}
