import {
  json,
  redirect,
  type ActionFunctionArgs,
  type AppLoadContext,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/current-user.server";
import { assertSameOrigin } from "~/auth/origin.server";
import type { IdentityFacts } from "~/domain/identities.server";
import { acceptInvitation, invitationForUser, invitationMismatchMessage } from "~/domain/members.server";
import { refused } from "~/forms/result.server";
import { buttonPrimary, FormMessage } from "~/ui/forms";
import { PublicLayout } from "~/ui/public-layout";
import { invitationPayload } from "~/dashboard/payloads/workspace-entry.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Invitation · Atmos Pro" }, { name: "robots", content: "noindex" }];

function signedInAs(
  identities: readonly IdentityFacts[],
  fallback: string,
  settings: AppLoadContext["settings"],
): string {
  const provider = { github: "GitHub", oidc: settings.OIDC_NAME, dev: "the demo provider" } as const;
  const described = identities.map(
    (identity) => `with ${provider[identity.provider]} as ${identity.login ?? identity.email ?? fallback}`,
  );
  return described.length > 0 ? described.join(" and ") : `as ${fallback}`;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const found = await invitationForUser(context.db, {
    token: params.token ?? "",
    userId: user.id,
    now: context.now(),
    trust: { environment: context.settings.ENVIRONMENT },
  });
  if (!found) throw json({ message: "This invitation link is not valid. Ask for a new one." }, { status: 404 });
  const { invitation } = found;
  return payload(
    invitationPayload,
    {
      workspaceName: invitation.workspaceName,
      role: invitation.role,
      invitee: invitation.invitee,
      state: invitation.state,
      matchesMe: found.matches,
      me: signedInAs(found.identities, user.name, context.settings),
      mismatch: invitationMismatchMessage(invitation.invitee),
    },
    context,
    { name: "invitations.accept" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = await requireUser(request, context);
  const result = await acceptInvitation(context.db, {
    token: params.token ?? "",
    user,
    now: context.now(),
    trust: { environment: context.settings.ENVIRONMENT },
  });
  if (!result.ok) return refused("accept", result);
  return redirect(`/dashboard/${result.workspaceSlug}`);
}

const STATE_MESSAGE = {
  expired: "This invitation has expired. Ask for a new one.",
  accepted: "This invitation has already been used.",
  revoked: "This invitation was revoked. Ask for a new one.",
} as const;

export default function Invitation() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-md px-4 py-16">
        <PageTitle>Join {data.workspaceName}</PageTitle>
        <p className="mt-2 text-slate-600">
          You were invited as {data.role} ({data.invitee}).
        </p>
        <div className="mt-6 space-y-4">
          {/* A refused "not you" post says what the page already says below: once is enough. */}
          {result && !result.ok && result.message && result.message !== data.mismatch ? (
            <FormMessage tone="error">{result.message}</FormMessage>
          ) : null}
          {data.state !== "pending" ? (
            <FormMessage tone="error">{STATE_MESSAGE[data.state]}</FormMessage>
          ) : !data.matchesMe ? (
            <FormMessage tone="error">
              You are signed in {data.me}. {data.mismatch}
            </FormMessage>
          ) : (
            <Form method="post">
              <button type="submit" className={buttonPrimary}>
                Accept and join {data.workspaceName}
              </button>
            </Form>
          )}
        </div>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
