import { json, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { assertSameOrigin } from "~/auth/origin.server";
import { startSignIn } from "~/auth/sign-in.server";

/** POST /auth/:provider starts sign-in; GET has nothing to show. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  let returnTo: unknown = null;
  try {
    returnTo = (await request.formData()).get("returnTo");
  } catch {
    // An unreadable body just means "no returnTo".
  }
  return startSignIn(params.provider ?? "", request, context, returnTo);
}

export function loader() {
  throw json({ message: "Start sign-in from the sign-in page." }, { status: 404 });
}
