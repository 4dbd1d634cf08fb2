import { Form, isRouteErrorResponse, Link, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";

type Props = { title: string; message: string; requestId?: string; status?: number; children?: ReactNode };

export function ErrorPanel({ title, message, requestId, status, children }: Props) {
  return (
    <section
      role="alert"
      className="mx-4 my-10 max-w-xl rounded-xl sm:mx-auto border border-rose-200 bg-white p-6 shadow-sm"
    >
      {status ? <p className="text-sm font-semibold text-rose-600">Error {status}</p> : null}
      <h1 className="mt-1 text-xl font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{message}</p>
      {children}
      {requestId ? (
        <p className="mt-4 text-sm text-slate-500">
          Request id: <code className="rounded bg-slate-100 px-1 py-0.5">{requestId}</code>
        </p>
      ) : null}
      <p className="mt-6">
        <Link to="/" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          ← Back to the home page
        </Link>
      </p>
    </section>
  );
}

type SsoSignIn = { action: string; label: string; returnTo: string };

/** The 403 of a workspace that requires single sign-on (app/dashboard/membership.server.ts `SsoRequiredData`). */
function readSsoRequired(
  data: unknown,
): { signIn: SsoSignIn | null; otherWorkspaces: Array<{ name: string; slug: string }> } | null {
  if (!data || typeof data !== "object" || (data as Record<string, unknown>).kind !== "sso_required") return null;
  const record = data as Record<string, unknown>;
  const text = (value: unknown) => typeof value === "string";
  const signIn = record.signIn as Record<string, unknown> | null | undefined;
  const others = Array.isArray(record.otherWorkspaces) ? record.otherWorkspaces : [];
  return {
    signIn: signIn && text(signIn.action) && text(signIn.label) && text(signIn.returnTo) ? (signIn as SsoSignIn) : null,
    otherWorkspaces: others.filter(
      (other): other is { name: string; slug: string } => !!other && text(other.name) && text(other.slug),
    ),
  };
}

/** Sign in with the organisation's provider: the login page's sign-in start, back to this page. */
function SsoRequired({ signIn, otherWorkspaces }: NonNullable<ReturnType<typeof readSsoRequired>>) {
  return (
    <>
      {signIn ? (
        <Form method="post" action={signIn.action} className="mt-6" data-testid="sso-sign-in">
          <input type="hidden" name="returnTo" value={signIn.returnTo} />
          <button
            type="submit"
            className="rounded-md bg-indigo-600 px-4 py-2.5 font-medium text-white shadow-sm hover:bg-indigo-500"
          >
            {signIn.label}
          </button>
        </Form>
      ) : null}
      {otherWorkspaces.length > 0 ? (
        <div className="mt-6">
          <p className="text-sm text-slate-600">Your other workspaces:</p>
          <ul className="mt-1 space-y-1">
            {otherWorkspaces.map((other) => (
              <li key={other.slug}>
                <Link
                  to={`/dashboard/${other.slug}`}
                  className="text-sm font-medium text-indigo-600 hover:text-indigo-500"
                >
                  {other.name}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

function readData(data: unknown): { message?: string; requestId?: string } {
  if (data && typeof data === "object") {
    const record = data as Record<string, unknown>;
    return {
      message: typeof record.message === "string" ? record.message : undefined,
      requestId: typeof record.requestId === "string" ? record.requestId : undefined,
    };
  }
  return { message: typeof data === "string" && data ? data : undefined };
}

/** The ErrorBoundary every route uses: a thrown Response's message, or a generic one. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const root = useRouteLoaderData("root") as { requestId?: string } | undefined;

  if (isRouteErrorResponse(error)) {
    const { message, requestId } = readData(error.data);
    if (error.status === 404) {
      return (
        <ErrorPanel
          status={404}
          title="Page not found"
          message={
            message ??
            "We could not find what you were looking for. Check the address, or start again from the home page."
          }
          requestId={requestId}
        />
      );
    }
    const sso = error.status === 403 ? readSsoRequired(error.data) : null;
    if (sso) {
      return (
        <ErrorPanel
          status={403}
          title="Sign in with your organisation's provider"
          message={message ?? "This workspace requires single sign-on."}
          requestId={requestId}
        >
          <SsoRequired {...sso} />
        </ErrorPanel>
      );
    }
    if (error.status === 403) {
      return (
        <ErrorPanel
          status={403}
          title="You do not have access to this"
          message={message ?? "Ask an owner or admin of this workspace for the role you need."}
          requestId={requestId}
        />
      );
    }
    return (
      <ErrorPanel
        status={error.status}
        title="We could not show this page"
        message={message ?? "Something went wrong on our side. Please try again."}
        requestId={requestId ?? root?.requestId}
      />
    );
  }
  return (
    <ErrorPanel
      status={500}
      title="Something went wrong"
      message="An unexpected error stopped this page. It has been reported; please try again."
      requestId={root?.requestId}
    />
  );
}
