/**
 * The controlled error path of sign-in: every failure becomes one of these codes, a redirect to
 * `/login?error=<code>`, and one log line. The messages are what the login page shows.
 */
export const SIGN_IN_ERRORS = {
  access_denied: "You cancelled sign-in at the provider. Start again whenever you are ready.",
  provider_error: "The sign-in provider reported an error. Try again, or ask your administrator.",
  state_missing:
    "Your sign-in attempt expired or your browser blocked our cookie. Allow cookies for this site and try again.",
  state_mismatch:
    "This sign-in response does not belong to the sign-in you started (perhaps another tab). Start again.",
  code_missing: "The provider did not send back an authorization code. Start again.",
  issuer_mismatch: "The sign-in response did not come from the expected issuer, so we refused it. Start again.",
  token_exchange_failed: "We could not complete sign-in with the provider. Try again in a minute.",
  profile_unavailable: "We could not read your profile from the provider. Try again in a minute.",
  userinfo_unavailable:
    "The identity provider did not give us your profile (its UserInfo endpoint failed). Try again in a minute.",
  userinfo_invalid:
    "The identity provider's profile answer did not match your sign-in, so we refused it. Ask your administrator if this persists.",
  // No longer produced (people without a verified email sign in); kept so old links still explain themselves.
  email_unverified: "Your account has no verified primary email address. Verify one with the provider, then try again.",
  discovery_failed:
    "We could not load the identity provider's configuration. Try again later, or ask your administrator.",
  id_token_invalid:
    "We could not verify the identity provider's answer, so we refused it. Ask your administrator if this persists.",
  account_unavailable: "We could not open your account just now. Please try again in a minute.",
  provider_unavailable: "That sign-in method is not available here.",
  unexpected: "Sign-in failed unexpectedly. Please try again.",
} as const;

export type SignInErrorCode = keyof typeof SIGN_IN_ERRORS;

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === "string" && Object.hasOwn(SIGN_IN_ERRORS, value);
}

/** A failure we recognised. `detail` is for the log line: never a secret or a raw response body. */
export class SignInError extends Error {
  readonly code: SignInErrorCode;
  readonly detail?: string;
  constructor(code: SignInErrorCode, detail?: string) {
    super(`Sign-in failed: ${code}`);
    this.name = "SignInError";
    this.code = code;
    this.detail = detail;
  }
}

/** Runs `work` with a time bound; a late answer becomes `onTimeout`'s error. */
export async function withTimeout<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Outbound calls to providers: bounded, so a hanging provider cannot hang sign-in. */
export const PROVIDER_TIMEOUT_MS = 5_000;
