import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useLoaderData } from "@remix-run/react";
import { optionalUser } from "~/auth/current-user.server";
import { devProviderAvailable } from "~/auth/providers/dev.server";
import { safeReturnTo } from "~/auth/return-to";
import { isSignInErrorCode, SIGN_IN_ERRORS } from "~/auth/sign-in-error";
import { PublicLayout } from "~/ui/public-layout";
import { loginPayload } from "~/auth/payloads.server";
import { payload } from "~/validation/payload.server";
import { PageTitle } from "~/ui/page-title";

export const meta: MetaFunction = () => [{ title: "Sign in · Atmos Pro" }, { name: "robots", content: "noindex" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const returnTo = safeReturnTo(url.searchParams.get("returnTo"));
  const code = url.searchParams.get("error");
  const { user, headers } = await optionalUser(request, context);
  if (user && !code) throw redirect(returnTo, { headers });

  const { settings } = context;
  const providers: Array<{ id: "github" | "oidc" | "dev"; label: string }> = [];
  if (settings.AUTH_PROVIDERS.includes("github")) providers.push({ id: "github", label: "Continue with GitHub" });
  if (settings.AUTH_PROVIDERS.includes("oidc"))
    providers.push({ id: "oidc", label: `Continue with ${settings.OIDC_NAME}` });
  if (devProviderAvailable(request, context))
    providers.push({ id: "dev", label: "Continue with a demo user (local only)" });

  const error =
    code === null
      ? null
      : { code, message: isSignInErrorCode(code) ? SIGN_IN_ERRORS[code] : SIGN_IN_ERRORS.unexpected };
  return payload(loginPayload, { returnTo, error, providers }, context, { name: "login", headers });
}

export default function Login() {
  const data = useLoaderData<typeof loader>();
  return (
    <PublicLayout>
      <div className="mx-auto max-w-md px-4 py-16">
        <PageTitle>Sign in to Atmos Pro</PageTitle>
        <p className="mt-2 text-slate-600">Use your GitHub account or your company&apos;s identity provider.</p>
        {data.error ? (
          <div role="alert" className="mt-6 rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800">
            <p className="font-medium">Sign-in did not complete</p>
            <p className="mt-1" data-testid="login-error">
              {data.error.message}
            </p>
          </div>
        ) : null}
        <div className="mt-8 space-y-3">
          {data.providers.length === 0 ? (
            <p className="text-slate-600">
              No sign-in method is configured. Ask your administrator to set AUTH_PROVIDERS.
            </p>
          ) : (
            data.providers.map((provider) => (
              <Form key={provider.id} method="post" action={`/auth/${provider.id}`}>
                <input type="hidden" name="returnTo" value={data.returnTo} />
                <button
                  type="submit"
                  className="w-full rounded-md border border-slate-300 bg-white px-4 py-2.5 font-medium text-slate-800 shadow-sm hover:bg-slate-50"
                >
                  {provider.label}
                </button>
              </Form>
            ))
          )}
        </div>
      </div>
    </PublicLayout>
  );
}

export { PublicErrorBoundary as ErrorBoundary } from "~/ui/public-layout";
