import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData } from "@remix-run/react";
import { requireUser } from "~/auth/current-user.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { userActor } from "~/domain/audit.server";
import { createWorkspace } from "~/domain/workspaces.server";
import { buttonPrimary, Field } from "~/ui/forms";
import { PublicLayout } from "~/ui/public-layout";
import { type } from "~/validation";
import { checkForm, defineForm, readForm } from "~/forms/form.server";
import { invalid } from "~/forms/result.server";
import { payload } from "~/validation/payload.server";

export const meta: MetaFunction = () => [{ title: "Create a workspace · Atmos Pro" }];

const newWorkspaceForm = defineForm(type({ name: "0 < string <= 60" }), { name: "Enter a name of 1 to 60 characters." });
const newWorkspacePayload = type({ userName: "string" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return payload(newWorkspacePayload, { userName: user.name }, context, { name: "workspaces.new" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = await requireUser(request, context);
  const form = checkForm(newWorkspaceForm, await readForm(request));
  if (!form.ok) return invalid("create", form.fieldErrors);
  const workspace = await createWorkspace(context.db, { name: form.value.name, userId: user.id, actor: userActor(user), now: context.now() });
  return redirect(`/dashboard/${workspace.slug}`);
}

export default function NewWorkspace() {
  const actionData = useActionData<typeof action>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-md px-4 py-16">
        <h1 className="text-2xl font-semibold text-slate-900">Create a workspace</h1>
        <p className="mt-2 text-slate-600">A workspace holds your repositories, instances, deployments and team. You will be its owner.</p>
        <Form method="post" className="mt-8 space-y-4">
          <Field label="Workspace name" name="name" required maxLength={60} placeholder="Acme Platform" error={actionData?.fieldErrors?.name} />
          <button type="submit" className={buttonPrimary}>Create workspace</button>
        </Form>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
