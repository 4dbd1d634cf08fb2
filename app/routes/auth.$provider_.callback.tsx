import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { completeSignIn } from "~/auth/sign-in.server";

/** The provider sends the browser back here. Always answers with a redirect. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return completeSignIn(params.provider ?? "", request, context);
}
