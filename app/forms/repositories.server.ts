/** The Repositories page's forms: connect a GitHub App installation, import a repository, remove one (Admins and Owners). */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { requireMember } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import {
  connectInstallation,
  importInstalledRepository,
  provenGithubIds,
  removeWorkspaceRepository,
} from "../domain/installations.server";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, firstFieldError, type FormFields } from "./form.server";
import { done, invalid, refused, unknownIntent } from "./result.server";

const REPOSITORY_ID = /^repo_[0-9A-Za-z]{28}$/;
const connectForm = defineForm(
  type({ intent: "'connect'", installationId: "string.integer.parse" }).narrow((form, ctx) =>
    form.installationId > 0 && Number.isSafeInteger(form.installationId)
      ? true
      : ctx.reject({ path: ["installationId"], message: "bad id" }),
  ),
  { installationId: "That installation does not exist." },
);
const importForm = defineForm(type({ intent: "'import'", repositoryId: REPOSITORY_ID }), {
  repositoryId: "That repository does not exist.",
});
const removeForm = defineForm(type({ intent: "'remove'", repositoryId: REPOSITORY_ID }), {
  repositoryId: "That repository is not in this workspace.",
});

export async function repositoriesAction(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  fields: FormFields,
) {
  const now = context.now();
  switch (fields.intent) {
    case "connect": {
      const { user, workspace } = await requireMember(request, context, slug, "repositories.manage");
      const form = checkForm(connectForm, fields);
      if (!form.ok) return invalid("connect", form.fieldErrors, firstFieldError(form.fieldErrors));
      const githubIds = await provenGithubIds(context.db, user.id);
      const result = await connectInstallation(context.db, {
        workspaceId: workspace.id,
        installationId: form.value.installationId,
        githubIds,
        actor: userActor(user),
        now,
      });
      if (!result.ok) return refused("connect", result);
      return done("connect", "Installation connected. Import its repositories below.");
    }
    case "import": {
      const { user, workspace } = await requireMember(request, context, slug, "repositories.manage");
      const form = checkForm(importForm, fields);
      if (!form.ok) return invalid("import", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await importInstalledRepository(context.db, {
        workspaceId: workspace.id,
        repositoryId: form.value.repositoryId,
        actor: userActor(user),
        now,
      });
      if (!result.ok) return refused("import", result);
      return done(
        "import",
        result.created
          ? `${result.repository} imported, with the default permissions.`
          : `${result.repository} is imported already.`,
      );
    }
    case "remove": {
      const { user, workspace } = await requireMember(request, context, slug, "repositories.manage");
      const form = checkForm(removeForm, fields);
      if (!form.ok) return invalid("remove", form.fieldErrors, firstFieldError(form.fieldErrors));
      const result = await removeWorkspaceRepository(context.db, {
        workspaceId: workspace.id,
        repositoryId: form.value.repositoryId,
        actor: userActor(user),
        now,
      });
      if (!result.ok) return refused("remove", result);
      return done("remove", `${result.repository} removed from this workspace.`);
    }
    default:
      await requireMember(request, context, slug);
      return unknownIntent(fieldValue(fields, "intent"));
  }
}
