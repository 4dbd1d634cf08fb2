/** One repository's page: its instances, filtered and sorted by the query string, and its permissions. */
import { INSTANCE_SORTS, INSTANCE_STATUSES, PERMISSION_TYPES } from "../../domain/vocabulary";
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { instanceStatus } from "./words.server";

export const instanceFilters = type({
  "status?": type.enumerated(...INSTANCE_STATUSES),
  "stack?": "0 < string <= 200",
  "q?": "0 < string <= 200",
  "sort?": type.enumerated(...INSTANCE_SORTS),
  "cursor?": "0 < string <= 2048",
});
export const INSTANCE_FILTER_KEYS = ["status", "stack", "q", "sort", "cursor"] as const;

export const instancesPanel = type({
  instances: type({
    id: "string",
    stack: "string",
    component: "string",
    componentType: "string",
    status: instanceStatus,
    lastCommand: "string | null",
    lastRunAt: "string.date.iso | null",
    lock: type({ lockedBy: "string", expiresAt: "string.date.iso" }).or("null"),
  }).array(),
  stacks: "string[]",
  nextCursor: "string | null",
});

export const permissionsPanel = type({
  canManage: "boolean",
  permissions: type({
    id: "string",
    type: type.enumerated(...PERMISSION_TYPES),
    workflow: "string",
    branch: "string",
    environment: "string",
    createdAt: "string.date.iso",
  }).array(),
});

export const repositoryPayload = type({
  slug: "string",
  repository: { owner: "string", name: "string", host: "string", installed: "boolean" },
  filters: { status: "string", stack: "string", q: "string", sort: "string" },
  table: panelSlot(instancesPanel),
  permissions: panelSlot(permissionsPanel),
});
