/** The demo provider's authorization page (local development only): sign in as a demo user, new or existing. */
import { redirect } from "@remix-run/cloudflare";
import { devIdentity, encodeDevCode } from "../auth/providers/dev.server";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, type FormFields } from "./form.server";
import { invalid } from "./result.server";

const devSignInForm = defineForm(type({ state: "string" }).and(devIdentity), {
  login: "Use lowercase letters, digits and dashes (up to 39).",
  name: "Enter a name of up to 80 characters.",
});

export function devSignInAction(fields: FormFields) {
  const form = checkForm(devSignInForm, {
    state: fieldValue(fields, "state"),
    login: fieldValue(fields, "login").toLowerCase(),
    name: fieldValue(fields, "name"),
  });
  if (!form.ok) return invalid("sign-in", form.fieldErrors);
  const params = new URLSearchParams({
    state: form.value.state,
    code: encodeDevCode({ login: form.value.login, name: form.value.name }),
  });
  return redirect(`/auth/dev/callback?${params}`);
}
