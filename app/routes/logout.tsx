import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { assertSameOrigin } from "~/auth/origin.server";
import { clearSessionCookie, readSession, revokeAllSessions, revokeSession } from "~/auth/session.server";

/** POST /logout signs this browser out; with `scope=everywhere`, every session of the user. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData().catch(() => new FormData());
  const read = await readSession(request, context);
  if (read.status === "signed_in") {
    if (form.get("scope") === "everywhere") await revokeAllSessions(context, read.user.id);
    else await revokeSession(context, read.user.sessionId);
    context.logger.info("signed_out", {
      userId: read.user.id,
      scope: form.get("scope") === "everywhere" ? "everywhere" : "this_browser",
    });
  }
  return redirect("/", { headers: { "Set-Cookie": await clearSessionCookie(request, context) } });
}

export function loader() {
  return redirect("/");
}
