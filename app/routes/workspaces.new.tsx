import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData } from "@remix-run/react";
import { requireUser } from "~/auth/current-user.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { buttonPrimary, Field } from "~/ui/forms";
import { PublicLayout } from "~/ui/public-layout";
import { readForm } from "~/forms/form.server";
import { newWorkspaceAction } from "~/forms/workspaces.server";
import { newWorkspacePayload } from "~/dashboard/payloads/workspace-entry.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Create a workspace · Atmos Pro" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return payload(newWorkspacePayload, { userName: user.name }, context, { name: "workspaces.new" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = await requireUser(request, context);
  return newWorkspaceAction(context, user, await readForm(request));
}

export default function NewWorkspace() {
  const actionData = useActionData<typeof action>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-md px-4 py-16">
        <PageTitle>Create a workspace</PageTitle>
        <p className="mt-2 text-slate-600">
          A workspace holds your repositories, instances, deployments and team. You will be its owner.
        </p>
        <Form method="post" className="mt-8 space-y-4">
          <Field
            label="Workspace name"
            name="name"
            required
            maxLength={60}
            placeholder="Acme Platform"
            error={actionData?.fieldErrors?.name}
          />
          <button type="submit" className={buttonPrimary}>
            Create workspace
          </button>
        </Form>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
