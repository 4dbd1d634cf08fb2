/** A repository page's forms: add and remove the permissions its workflows have (Admins and Owners). */
import { json, type AppLoadContext } from "@remix-run/cloudflare";
import { requireMember, requireRole } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import {
  assignPermission,
  findImportedRepository,
  patternProblem,
  removePermission,
} from "../domain/repository-permissions.server";
import { PERMISSION_TYPES } from "../domain/vocabulary";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, firstFieldError, type FormFields } from "./form.server";
import { done, invalid, refused, unknownIntent } from "./result.server";

const pattern = type("string").narrow((value, ctx) => {
  const problem = patternProblem(value);
  return problem === null || ctx.reject({ message: problem });
});
const addForm = defineForm(
  type({
    intent: "'add-permission'",
    type: type.enumerated(...PERMISSION_TYPES),
    workflow: pattern,
    branch: pattern,
    environment: pattern,
  }),
  { type: "Choose what the workflows may do." },
);
const removeForm = defineForm(type({ intent: "'remove-permission'", permissionId: /^perm_[0-9A-Za-z]{28}$/ }), {
  permissionId: "That permission does not exist (any more) on this repository.",
});

export async function repositoryAction(
  request: Request,
  context: AppLoadContext,
  params: { workspace?: string; owner?: string; name?: string },
  fields: FormFields,
) {
  const now = context.now();
  // Any member learns first whether the repository is here at all (404), then whether their role may change it.
  const member = await requireMember(request, context, params.workspace);
  const repository = await findImportedRepository(
    context.db,
    member.workspace.id,
    params.owner ?? "",
    params.name ?? "",
  );
  if (!repository) throw json({ message: "There is no such repository in this workspace." }, { status: 404 });
  const target = { workspaceId: member.workspace.id, repository, actor: userActor(member.user), now };
  switch (fields.intent) {
    case "add-permission": {
      requireRole(member, "repositories.manage");
      const form = checkForm(addForm, fields);
      if (!form.ok) return invalid("add-permission", form.fieldErrors, "Check the permission's patterns.");
      const { type: permissionType, workflow, branch, environment } = form.value;
      const result = await assignPermission(context.db, {
        ...target,
        type: permissionType,
        patterns: { workflow, branch, environment },
      });
      if (!result.ok) return refused("add-permission", result);
      return done(
        "add-permission",
        `${permissionType} allowed for workflow ${workflow}, branch ${branch}, environment ${environment}.`,
      );
    }
    case "remove-permission": {
      requireRole(member, "repositories.manage");
      const form = checkForm(removeForm, fields);
      if (!form.ok) return invalid("remove-permission", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await removePermission(context.db, { ...target, permissionId: form.value.permissionId });
      if (!result.ok) return refused("remove-permission", result);
      return done("remove-permission", `Permission removed (${result.type}).`);
    }
    default:
      return unknownIntent(fieldValue(fields, "intent"));
  }
}
