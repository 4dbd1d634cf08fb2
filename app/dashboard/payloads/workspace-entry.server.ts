/** The pages that lead into a workspace: creating one, and an invitation to join one. */
import { ROLES } from "../../domain/vocabulary";
import { type } from "../../validation";

export const newWorkspacePayload = type({ userName: "string" });

export const invitationPayload = type({
  workspaceName: "string",
  role: type.enumerated(...ROLES),
  invitee: "string",
  state: "'pending' | 'expired' | 'accepted' | 'revoked'",
  matchesMe: "boolean",
  /** Who the visitor is signed in as, with which provider ("with GitHub as octocat"). */
  me: "string",
  /** Whom the invitation is for and how to sign in as them (shown when it is not the visitor). */
  mismatch: "string",
});
