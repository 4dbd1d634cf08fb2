import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { requireMember } from "~/dashboard/membership.server";
import { listMembersQuery, pendingInvitationsQuery } from "~/domain/members.server";
import { assignableRoles, can } from "~/domain/roles";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { buttonPrimary, buttonSecondary, Field, FormMessage } from "~/ui/forms";
import { membersPayload } from "~/dashboard/payloads/members.server";
import { readForm } from "~/forms/form.server";
import { membersAction } from "~/forms/members.server";
import { payload } from "~/validation/payload.server";
import { isoTime } from "~/dashboard/time";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Members · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, workspace } = await requireMember(request, context, params.workspace);
  const canInvite = can(workspace.role, "members.invite");
  const [members, invitations] = await context.db.batch([
    listMembersQuery(context.db, workspace.id),
    pendingInvitationsQuery(context.db, workspace.id, context.now()),
  ]);
  return payload(
    membersPayload,
    {
      me: { userId: user.id, role: workspace.role },
      canInvite,
      canManage: can(workspace.role, "members.manage"),
      assignableRoles: assignableRoles(workspace.role),
      members: members.map((member) => ({ ...member, joinedAt: isoTime(member.joinedAt) })),
      invitations: canInvite
        ? invitations.map((invitation) => ({
            id: invitation.id,
            invitee: invitation.invitee,
            role: invitation.role,
            expiresAt: isoTime(invitation.expiresAt),
            invitedBy: invitation.invitedBy,
          }))
        : [],
    },
    context,
    { name: "dashboard.members" },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return membersAction(request, context, params.workspace, await readForm(request));
}

const ROLE_LABEL = { owner: "Owner", admin: "Admin", member: "Member" } as const;

export default function Members() {
  const data = useLoaderData<typeof loader>();
  // The action's answer shows once the page's data is revalidated too, so that "Member removed."
  // never sits above a list that still shows the member.
  const answer = useActionData<typeof action>();
  const result = useNavigation().state === "idle" ? answer : undefined;
  const errorsFor = (intent: string) => (result?.intent === intent ? (result.fieldErrors ?? {}) : {});

  return (
    <div className="max-w-4xl space-y-10">
      <PageTitle>Members</PageTitle>
      {result && !result.ok && result.message ? <FormMessage tone="error">{result.message}</FormMessage> : null}
      {result?.ok && result.message && !result.link ? <FormMessage tone="success">{result.message}</FormMessage> : null}

      <section aria-labelledby="members-heading">
        <h2 id="members-heading" className="sr-only">
          Current members
        </h2>
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
          {data.members.map((member) => {
            const isMe = member.userId === data.me.userId;
            const manageable = !isMe && data.canManage && data.assignableRoles.includes(member.role);
            return (
              <li
                key={member.userId}
                className="flex flex-wrap items-center justify-between gap-3 px-4 py-3"
                data-testid={`member-${member.login ?? member.userId}`}
              >
                <div>
                  <p className="font-medium text-slate-900">
                    {member.name}
                    {isMe ? " (you)" : ""}
                  </p>
                  <p className="text-sm text-slate-500">{member.login ? `@${member.login}` : member.email}</p>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  {manageable ? (
                    <>
                      <Form method="post" className="flex items-center gap-2">
                        <input type="hidden" name="intent" value="role" />
                        <input type="hidden" name="userId" value={member.userId} />
                        <label className="sr-only" htmlFor={`role-${member.userId}`}>
                          Role of {member.name}
                        </label>
                        <select
                          id={`role-${member.userId}`}
                          name="role"
                          defaultValue={member.role}
                          className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                        >
                          {data.assignableRoles.map((option) => (
                            <option key={option} value={option}>
                              {ROLE_LABEL[option]}
                            </option>
                          ))}
                        </select>
                        <button type="submit" className={buttonSecondary}>
                          Change role<span className="sr-only"> of {member.name}</span>
                        </button>
                      </Form>
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="userId" value={member.userId} />
                        <button type="submit" className={buttonSecondary}>
                          Remove<span className="sr-only"> {member.name}</span>
                        </button>
                      </Form>
                    </>
                  ) : (
                    <span className="rounded-full bg-slate-100 px-2.5 py-0.5 text-sm text-slate-700">
                      {ROLE_LABEL[member.role]}
                    </span>
                  )}
                  {isMe ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="leave" />
                      <button type="submit" className={buttonSecondary}>
                        Leave workspace
                      </button>
                    </Form>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      </section>

      {data.canInvite ? (
        <section aria-labelledby="invite-heading" className="space-y-4">
          <h2 id="invite-heading" className="text-lg font-semibold text-slate-900">
            Invite someone
          </h2>
          <p className="text-sm text-slate-600" data-testid="invitee-matching">
            A GitHub login matches only the GitHub account with that login. An email matches only an account whose
            sign-in provider has verified that email. The invitation link works for that person only.
          </p>
          <Form method="post" className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-end">
            <input type="hidden" name="intent" value="invite" />
            <Field
              label="GitHub login or email"
              name="invitee"
              required
              maxLength={254}
              error={errorsFor("invite").invitee}
            />
            <div>
              <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
                Role
              </label>
              <select
                id="invite-role"
                name="role"
                defaultValue="member"
                className="mt-1 w-full rounded-md border border-slate-300 px-2 py-2"
              >
                {data.assignableRoles.map((option) => (
                  <option key={option} value={option}>
                    {ROLE_LABEL[option]}
                  </option>
                ))}
              </select>
              {errorsFor("invite").role ? (
                <p className="mt-1 text-sm text-rose-700">{errorsFor("invite").role}</p>
              ) : null}
            </div>
            <button type="submit" className={buttonPrimary}>
              Create invitation
            </button>
          </Form>
          {result?.ok && result.link ? (
            <div
              className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900"
              role="status"
            >
              <p>{result.message}</p>
              <code className="block break-all rounded bg-white px-2 py-1 font-mono" data-testid="invite-link">
                {result.link}
              </code>
            </div>
          ) : null}

          <h3 className="font-medium text-slate-900">Pending invitations</h3>
          {data.invitations.length === 0 ? (
            <p className="text-sm text-slate-600">No pending invitations.</p>
          ) : (
            <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
              {data.invitations.map((invitation) => (
                <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
                  <p className="text-sm text-slate-800">
                    <span className="font-medium">{invitation.invitee}</span> as {ROLE_LABEL[invitation.role]} · expires{" "}
                    <time dateTime={invitation.expiresAt}>{invitation.expiresAt.slice(0, 10)}</time>
                    {invitation.invitedBy ? ` · invited by ${invitation.invitedBy}` : ""}
                  </p>
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="invitationId" value={invitation.id} />
                    <button type="submit" className={buttonSecondary}>
                      Revoke<span className="sr-only"> invitation for {invitation.invitee}</span>
                    </button>
                  </Form>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
