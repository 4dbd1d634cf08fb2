/** What every provider hands to the shared sign-in code: one checked shape. */
import { type } from "../../validation";

export const providerProfile = type({
  provider: "'github' | 'oidc' | 'dev'",
  issuer: "string > 0",
  subject: "string > 0",
  email: "string.email | null",
  /** The provider vouches that the email is the person's (OIDC `email_verified: true`, GitHub's verified primary). */
  emailVerified: "boolean",
  name: "string > 0",
  login: "string | null",
  avatarUrl: "string | null",
});

export type ProviderProfile = typeof providerProfile.infer;
