/** The Deployments page: its filters (query string) and its payload. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { deploymentKind, deploymentStatus } from "./words.server";

export const deploymentFilters = type({
  "kind?": deploymentKind,
  "status?": deploymentStatus,
  "cursor?": "0 < string <= 512",
});
export const DEPLOYMENT_FILTER_KEYS = ["kind", "status", "cursor"] as const;

export const deploymentsPanel = type({
  deployments: type({
    id: "string",
    kind: deploymentKind,
    status: deploymentStatus,
    workflow: "string",
    githubRunUrl: "string | null",
    reason: "string | null",
    /** The pull request batch it belongs to (its page: pull-requests?batch=). */
    batchId: "string | null",
    createdAt: "string.date.iso",
    completedAt: "string.date.iso | null",
    instanceId: "string",
    stack: "string",
    component: "string",
  }).array(),
  nextCursor: "string | null",
});
export const deploymentsPayload = type({
  slug: "string",
  filters: { kind: "string", status: "string" },
  list: panelSlot(deploymentsPanel),
});
