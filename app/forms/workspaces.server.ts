/** Creating a workspace (/workspaces/new): the signed-in person becomes its owner. */
import { redirect, type AppLoadContext } from "@remix-run/cloudflare";
import type { CurrentUser } from "../auth/current-user.server";
import { userActor } from "../domain/audit.server";
import { createWorkspace } from "../domain/workspaces.server";
import { type } from "../validation";
import { checkForm, defineForm, type FormFields } from "./form.server";
import { invalid } from "./result.server";

const newWorkspaceForm = defineForm(type({ name: "0 < string <= 60" }), {
  name: "Enter a name of 1 to 60 characters.",
});

export async function newWorkspaceAction(context: AppLoadContext, user: CurrentUser, fields: FormFields) {
  const form = checkForm(newWorkspaceForm, fields);
  if (!form.ok) return invalid("create", form.fieldErrors);
  const workspace = await createWorkspace(context.db, {
    name: form.value.name,
    userId: user.id,
    actor: userActor(user),
    now: context.now(),
  });
  return redirect(`/dashboard/${workspace.slug}`);
}
