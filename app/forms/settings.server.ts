/** The workspace Settings page's forms: rename, change the slug, require single sign-on, delete. */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { requireMember } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import { changeWorkspaceSlug, deleteWorkspace, renameWorkspace, setRequireSso } from "../domain/workspaces.server";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, type FormFields } from "./form.server";
import { done, invalid, refused, unknownIntent } from "./result.server";

const renameForm = defineForm(type({ intent: "'rename'", name: "0 < string <= 60" }), {
  name: "Enter a name of 1 to 60 characters.",
});
const slugForm = defineForm(type({ intent: "'slug'", slug: "0 < string <= 40" }), { slug: "Enter a slug." });
const ssoForm = defineForm(type({ intent: "'sso'", required: "'on' | 'off'" }), {
  required: "Choose whether to require single sign-on.",
});
const deleteForm = defineForm(type({ intent: "'delete'", confirm: "string" }));

export async function settingsAction(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  fields: FormFields,
) {
  const now = context.now();
  switch (fields.intent) {
    case "rename": {
      const { user, workspace } = await requireMember(request, context, slug, "workspace.update");
      const form = checkForm(renameForm, fields);
      if (!form.ok) return invalid("rename", form.fieldErrors);
      await renameWorkspace(context.db, workspace, form.value.name, userActor(user), now);
      return done("rename", "Workspace renamed.");
    }
    case "slug": {
      const { user, workspace } = await requireMember(request, context, slug, "workspace.update");
      const form = checkForm(slugForm, fields);
      if (!form.ok) return invalid("slug", form.fieldErrors);
      const newSlug = form.value.slug.toLowerCase();
      const change = await changeWorkspaceSlug(context.db, workspace, newSlug, userActor(user), now);
      if (!change.ok) return refused("slug", change, "slug");
      return redirect(`/dashboard/${newSlug}/settings`);
    }
    case "sso": {
      const { user, workspace, signedInWith } = await requireMember(request, context, slug, "workspace.update");
      const form = checkForm(ssoForm, fields);
      if (!form.ok) return invalid("sso", form.fieldErrors, form.fieldErrors.required);
      const required = form.value.required === "on";
      const change = await setRequireSso(context.db, workspace, {
        required,
        signedInWith,
        actor: userActor(user),
        now,
      });
      if (!change.ok) return refused("sso", change);
      return done(
        "sso",
        required ? "This workspace now requires single sign-on." : "This workspace no longer requires single sign-on.",
      );
    }
    case "delete": {
      const { user, workspace } = await requireMember(request, context, slug, "workspace.delete");
      const form = checkForm(deleteForm, fields);
      if (!form.ok || form.value.confirm !== workspace.slug)
        return invalid("delete", { confirm: `Type ${workspace.slug} to confirm.` });
      await deleteWorkspace(context.db, workspace.id);
      // The workspace's audit log goes with it; the deletion itself is recorded in the logs.
      context.logger.info("audit", {
        action: "workspace.deleted",
        workspaceId: workspace.id,
        slug: workspace.slug,
        actorId: user.id,
      });
      return redirect("/dashboard");
    }
    default:
      await requireMember(request, context, slug);
      return unknownIntent(fieldValue(fields, "intent"));
  }
}
