/** The Locks page's payload. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";

export const locksPanel = type({
  locks: type({
    id: "string",
    key: "string",
    message: "string | null",
    lockedBy: "string",
    expiresAt: "string.date.iso",
    createdAt: "string.date.iso",
  }).array(),
});
export const locksPayload = type({ canManage: "boolean", list: panelSlot(locksPanel) });
