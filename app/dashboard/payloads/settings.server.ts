/** The workspace Settings page's payload. */
import { type } from "../../validation";

export const settingsPayload = type({
  workspace: { id: "string", name: "string", slug: "string" },
  canUpdate: "boolean",
  canDelete: "boolean",
  sso: {
    /** The workspace requires single sign-on now. */
    required: "boolean",
    /** Its plan includes single sign-on. */
    available: "boolean",
    /** This session signed in with the organisation's provider. */
    signedInWithSso: "boolean",
    /** The sign-in that makes it so (POST /auth/oidc), or null without an OpenID provider configured. */
    signIn: type({ label: "string", returnTo: "string" }).or("null"),
  },
});
