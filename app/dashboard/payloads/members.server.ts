/** The Members page's payload. */
import { type } from "../../validation";
import { role } from "./words.server";

export const membersPayload = type({
  me: { userId: "string", role },
  canInvite: "boolean",
  canManage: "boolean",
  assignableRoles: role.array(),
  members: type({
    userId: "string",
    name: "string",
    login: "string | null",
    email: "string | null",
    role,
    joinedAt: "string.date.iso",
  }).array(),
  invitations: type({
    id: "string",
    invitee: "string",
    role,
    expiresAt: "string.date.iso",
    invitedBy: "string | null",
  }).array(),
});
