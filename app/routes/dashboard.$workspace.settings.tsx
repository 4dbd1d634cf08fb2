import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { assertSameOrigin } from "~/auth/origin.server";
import { requireMember } from "~/dashboard/membership.server";
import { planAllows } from "~/domain/plans";
import { can } from "~/domain/roles";
import { SSO_FEATURE } from "~/domain/workspaces.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { buttonDanger, buttonPrimary, buttonSecondary, Field, FormMessage } from "~/ui/forms";
import { settingsPayload } from "~/dashboard/payloads/settings.server";
import { readForm } from "~/forms/form.server";
import { settingsAction } from "~/forms/settings.server";
import type { ActionResult } from "~/forms/result.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Workspace settings · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace, signedInWith } = await requireMember(request, context, params.workspace);
  const oidc = context.settings.AUTH_PROVIDERS.includes("oidc");
  return payload(
    settingsPayload,
    {
      workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug },
      canUpdate: can(workspace.role, "workspace.update"),
      canDelete: can(workspace.role, "workspace.delete"),
      sso: {
        required: workspace.requireSso,
        available: planAllows(workspace.plan, SSO_FEATURE),
        signedInWithSso: signedInWith === "oidc",
        signIn: oidc
          ? { label: `Continue with ${context.settings.OIDC_NAME}`, returnTo: new URL(request.url).pathname }
          : null,
      },
    },
    context,
    { name: "dashboard.settings" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return settingsAction(request, context, params.workspace, await readForm(request));
}

export default function WorkspaceSettings() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [copied, setCopied] = useState(false);
  const errors = (intent: string) => (result?.intent === intent ? (result.fieldErrors ?? {}) : {});
  const ghLine = `gh variable set ATMOS_PRO_WORKSPACE_ID --body "${data.workspace.id}"`;

  return (
    <div className="max-w-2xl space-y-10">
      <PageTitle>Workspace settings</PageTitle>

      <section aria-labelledby="id-heading" className="space-y-3">
        <h2 id="id-heading" className="text-lg font-semibold text-slate-900">
          Workspace id
        </h2>
        <p className="text-sm text-slate-600">
          Your CI identifies this workspace by its id. Set it as a repository (or organization) variable:
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <code className="rounded-md bg-slate-100 px-2 py-1 font-mono text-sm" data-testid="workspace-id">
            {data.workspace.id}
          </code>
          <button
            type="button"
            className={buttonSecondary}
            onClick={() => {
              void navigator.clipboard?.writeText(data.workspace.id).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy id"}
          </button>
        </div>
        <pre tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-sm text-slate-100">
          <code>{ghLine}</code>
        </pre>
      </section>

      {data.canUpdate ? (
        <>
          <Form method="post" className="space-y-3" aria-labelledby="rename-heading">
            <h2 id="rename-heading" className="text-lg font-semibold text-slate-900">
              Name
            </h2>
            <input type="hidden" name="intent" value="rename" />
            <Field
              label="Workspace name"
              name="name"
              defaultValue={data.workspace.name}
              required
              maxLength={60}
              error={errors("rename").name}
            />
            {result?.intent === "rename" && result.message ? (
              <FormMessage tone="success">{result.message}</FormMessage>
            ) : null}
            <button type="submit" className={buttonPrimary} disabled={navigation.state !== "idle"}>
              Rename
            </button>
          </Form>

          <Form method="post" className="space-y-3" aria-labelledby="slug-heading">
            <h2 id="slug-heading" className="text-lg font-semibold text-slate-900">
              Slug
            </h2>
            <input type="hidden" name="intent" value="slug" />
            <Field
              label="Slug"
              name="slug"
              defaultValue={data.workspace.slug}
              required
              maxLength={40}
              error={errors("slug").slug}
              hint={<>Your dashboard lives at /dashboard/&lt;slug&gt;. Links with the old slug keep working.</>}
            />
            <button type="submit" className={buttonPrimary} disabled={navigation.state !== "idle"}>
              Change slug
            </button>
          </Form>
        </>
      ) : (
        <p className="text-sm text-slate-600">Only owners can rename the workspace or change its slug.</p>
      )}

      <SingleSignOn data={data} result={result} busy={navigation.state !== "idle"} />

      {data.canDelete ? (
        <Form
          method="post"
          className="space-y-3 rounded-xl border border-rose-200 bg-white p-5"
          aria-labelledby="delete-heading"
        >
          <h2 id="delete-heading" className="text-lg font-semibold text-rose-700">
            Delete workspace
          </h2>
          <p className="text-sm text-slate-600">
            This deletes {data.workspace.name} and everything it owns: repositories links, instances, deployments,
            locks, schedules and its audit log. It cannot be undone.
          </p>
          <input type="hidden" name="intent" value="delete" />
          <Field
            label={`Type ${data.workspace.slug} to confirm`}
            name="confirm"
            autoComplete="off"
            required
            error={errors("delete").confirm}
          />
          <button type="submit" className={buttonDanger}>
            Delete this workspace
          </button>
        </Form>
      ) : null}
    </div>
  );
}

/** "Require single sign-on": owners of a plan with single sign-on turn it on (signed in with it) and off. */
function SingleSignOn({
  data,
  result,
  busy,
}: {
  data: typeof settingsPayload.infer;
  result: ActionResult | undefined;
  busy: boolean;
}) {
  const { sso } = data;
  const feedback = result?.intent === "sso" ? result : null;
  return (
    <section aria-labelledby="sso-heading" className="space-y-3">
      <h2 id="sso-heading" className="text-lg font-semibold text-slate-900">
        Single sign-on
      </h2>
      <p className="text-sm text-slate-600" data-testid="sso-state">
        {sso.required
          ? "This workspace requires single sign-on: members signed in another way (GitHub, say) must sign in with your organisation's provider to use it. The CLI API is not affected."
          : "Members may sign in any way this Atmos Pro offers. Requiring single sign-on makes the workspace answer only members signed in with your organisation's provider; the CLI API is not affected."}
      </p>
      {!data.canUpdate ? (
        <p className="text-sm text-slate-600">Only owners can change this.</p>
      ) : !sso.available && !sso.required ? (
        <p className="text-sm text-slate-600">
          Requiring single sign-on comes with the Enterprise plan: see{" "}
          <a href="/pricing" className="text-indigo-700 underline">
            pricing
          </a>
          .
        </p>
      ) : (
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="sso" />
          <input type="hidden" name="required" value={sso.required ? "off" : "on"} />
          {!sso.required && !sso.signedInWithSso ? (
            <p className="text-sm text-slate-600">
              To turn it on, sign in with single sign-on first, so that you keep access yourself.
            </p>
          ) : null}
          {feedback?.message ? (
            <FormMessage tone={feedback.ok ? "success" : "error"}>{feedback.message}</FormMessage>
          ) : null}
          <button type="submit" className={sso.required ? buttonSecondary : buttonPrimary} disabled={busy}>
            {sso.required ? "Stop requiring single sign-on" : "Require single sign-on"}
          </button>
        </Form>
      )}
      {data.canUpdate && sso.available && !sso.required && !sso.signedInWithSso && sso.signIn ? (
        <Form method="post" action="/auth/oidc">
          <input type="hidden" name="returnTo" value={sso.signIn.returnTo} />
          <button type="submit" className={buttonSecondary}>
            {sso.signIn.label}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
