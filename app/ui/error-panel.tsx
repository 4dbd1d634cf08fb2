import { isRouteErrorResponse, Link, useRouteError, useRouteLoaderData } from "@remix-run/react";

type Props = { title: string; message: string; requestId?: string; status?: number };

export function ErrorPanel({ title, message, requestId, status }: Props) {
  return (
    <section role="alert" className="mx-4 my-10 max-w-xl rounded-xl sm:mx-auto border border-rose-200 bg-white p-6 shadow-sm">
      {status ? <p className="text-sm font-semibold text-rose-600">Error {status}</p> : null}
      <h1 className="mt-1 text-xl font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{message}</p>
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
          message={message ?? "We could not find what you were looking for. Check the address, or start again from the home page."}
          requestId={requestId}
        />
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
