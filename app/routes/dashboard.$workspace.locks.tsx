import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useActionData, useLoaderData } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { listActiveLocks } from "~/dashboard/activity.server";
import { lockAction } from "~/forms/locks.server";
import { requireMember } from "~/dashboard/membership.server";
import { panel } from "~/dashboard/panel.server";
import { locksPanel, locksPayload } from "~/dashboard/payloads/locks.server";
import { RouteErrorBoundary } from "~/ui/error-panel";
import { FormMessage } from "~/ui/forms";
import { LockForm, UnlockButton } from "~/ui/lock-forms";
import { EmptyState, formatTime, Panel } from "~/ui/panel";
import { readForm } from "~/forms/form.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Locks · Atmos Pro" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireMember(request, context, params.workspace);
  const list = panel(
    locksPanel,
    { locks: await listActiveLocks(context.db, workspace.id, context.now()) },
    context,
    "locks.list",
  );
  return payload(locksPayload, { canManage: true, list }, context, { name: "dashboard.locks" });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const member = await requireMember(request, context, params.workspace, "locks.manage");
  return lockAction(context, member, await readForm(request));
}

export default function Locks() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <PageTitle>Locks</PageTitle>
      <p className="max-w-2xl text-sm text-slate-600">
        Locks are advisory: while a stack component is locked, Atmos Pro dispatches nothing to it. CI can lock with{" "}
        <code>atmos pro lock</code>; you can lock and unlock here.
      </p>
      {result?.message ? <FormMessage tone={result.ok ? "success" : "error"}>{result.message}</FormMessage> : null}
      <section aria-labelledby="new-lock" className="rounded-xl border border-slate-200 bg-white p-4">
        <h2 id="new-lock" className="mb-3 text-sm font-semibold text-slate-900">
          Lock a stack component
        </h2>
        <LockForm showKey error={result && !result.ok ? result.fieldErrors : undefined} />
      </section>
      <Panel title="Active locks" slot={data.list}>
        {(list) =>
          list.locks.length === 0 ? (
            <EmptyState title="Nothing is locked" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {list.locks.map((lock) => (
                <li key={lock.id} className="flex flex-wrap items-center justify-between gap-3 py-3 text-sm">
                  <div>
                    <p className="break-all font-medium text-slate-900">{lock.key}</p>
                    <p className="text-slate-600">
                      {lock.lockedBy} · since {formatTime(lock.createdAt)} · expires {formatTime(lock.expiresAt)}
                      {lock.message ? ` — ${lock.message}` : ""}
                    </p>
                  </div>
                  <UnlockButton lockKey={lock.key} />
                </li>
              ))}
            </ul>
          )
        }
      </Panel>
    </div>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBoundary />;
}
