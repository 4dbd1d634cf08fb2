import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { asc, eq } from "drizzle-orm";
import { assertSameOrigin } from "~/auth/origin.server";
import { devProviderAvailable } from "~/auth/providers/dev.server";
import { PublicLayout } from "~/ui/public-layout";
import { devAuthorizePayload } from "~/auth/payloads.server";
import { devSignInAction } from "~/forms/dev-sign-in.server";
import { readForm } from "~/forms/form.server";
import { payload } from "~/validation/payload.server";
import { identities, users } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Demo sign-in · Atmos Pro" }, { name: "robots", content: "noindex" }];

/** The dev provider's "authorization page": pick a demo user or create one. Local development only. */
function requireDevProvider(request: Request, context: LoaderFunctionArgs["context"]) {
  if (!devProviderAvailable(request, context)) throw json({ message: "Not found." }, { status: 404 });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireDevProvider(request, context);
  const state = new URL(request.url).searchParams.get("state") ?? "";
  const rows = await context.db
    .select({ login: identities.subject, name: users.name })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(eq(identities.provider, "dev"))
    .orderBy(asc(identities.subject))
    .limit(50);
  return payload(devAuthorizePayload, { state, users: rows }, context, { name: "auth.dev.authorize" });
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireDevProvider(request, context);
  assertSameOrigin(request);
  return devSignInAction(await readForm(request));
}

export default function DevAuthorize() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.fieldErrors ?? {};
  return (
    <PublicLayout>
      <div className="mx-auto max-w-lg px-4 py-12">
        <p className="text-sm font-semibold uppercase tracking-wide text-amber-700">Local development</p>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">Sign in as a demo user</h1>
        <p className="mt-2 text-slate-600">This stands in for GitHub or your identity provider on your machine only.</p>

        {data.users.length > 0 ? (
          <ul className="mt-6 space-y-2" aria-label="Demo users">
            {data.users.map((user) => (
              <li key={user.login}>
                <Form method="post">
                  <input type="hidden" name="state" value={data.state} />
                  <input type="hidden" name="login" value={user.login} />
                  <input type="hidden" name="name" value={user.name} />
                  <button
                    type="submit"
                    className="w-full rounded-md border border-slate-300 bg-white px-4 py-2.5 text-left hover:bg-slate-50"
                  >
                    <span className="font-medium text-slate-900">{user.name}</span>{" "}
                    <span className="text-slate-500">@{user.login}</span>
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        ) : null}

        <Form
          method="post"
          className="mt-8 space-y-4 rounded-xl border border-slate-200 bg-white p-6"
          aria-labelledby="new-demo-user"
        >
          <h2 id="new-demo-user" className="font-semibold text-slate-900">
            Create a demo user
          </h2>
          <input type="hidden" name="state" value={data.state} />
          <div>
            <label htmlFor="login" className="block text-sm font-medium text-slate-700">
              Login
            </label>
            <input
              id="login"
              name="login"
              required
              className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
              aria-invalid={errors.login ? true : undefined}
              aria-describedby={errors.login ? "login-error" : undefined}
            />
            {errors.login ? (
              <p id="login-error" className="mt-1 text-sm text-rose-700">
                Use lowercase letters, digits and dashes (up to 39).
              </p>
            ) : null}
          </div>
          <div>
            <label htmlFor="name" className="block text-sm font-medium text-slate-700">
              Name
            </label>
            <input
              id="name"
              name="name"
              required
              className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? "name-error" : undefined}
            />
            {errors.name ? (
              <p id="name-error" className="mt-1 text-sm text-rose-700">
                Enter a name of up to 80 characters.
              </p>
            ) : null}
          </div>
          <button
            type="submit"
            className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500"
          >
            Create and sign in
          </button>
        </Form>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
