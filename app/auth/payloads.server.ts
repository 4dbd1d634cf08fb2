/** The payloads of the sign-in pages: /login and the demo provider's authorization page. */
import { AUTH_PROVIDERS } from "../domain/vocabulary";
import { type } from "../validation";

export const loginPayload = type({
  returnTo: "string",
  error: type({ code: "string", message: "string" }).or("null"),
  providers: type({ id: type.enumerated(...AUTH_PROVIDERS), label: "string" }).array(),
});

export const devAuthorizePayload = type({
  state: "string",
  users: type({ login: "string", name: "string" }).array(),
});
