/** The overview's payload and its panels. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { byStatus, count, deploymentKind, deploymentStatus } from "./words.server";

export const summaryPanel = type({
  instancesByStatus: byStatus,
  repositories: count,
  activeLocks: count,
  deploymentsInProgress: count,
});
export const trendsPanel = type({
  driftTrend: type({ day: "string", drifted: count, inSync: count, error: count }).array(),
  deploymentsPerDay: type({ day: "string", count }).array(),
});
export const attentionPanel = type({
  instances: type({
    id: "string",
    stack: "string",
    component: "string",
    status: "'error' | 'drifted'",
    lastRunAt: "string.date.iso | null",
  }).array(),
  failedApplies: type({
    id: "string",
    stack: "string",
    component: "string",
    createdAt: "string.date.iso",
    githubRunUrl: "string | null",
  }).array(),
  expiringLocks: type({ id: "string", key: "string", expiresAt: "string.date.iso", lockedBy: "string" }).array(),
});
export const recentPanel = type({
  deployments: type({
    id: "string",
    kind: deploymentKind,
    status: deploymentStatus,
    createdAt: "string.date.iso",
    githubRunUrl: "string.url | null",
    stack: "string",
    component: "string",
  }).array(),
});
export const repositoriesPanel = type({
  repositories: type({ id: "string", owner: "string", name: "string", host: "string" }).array(),
  /** How many repositories the workspace has; the panel shows the first few. */
  total: "number.integer >= 0",
  workspaceId: "string",
});

export const overviewPayload = type({
  workspace: { name: "string", slug: "string" },
  summary: panelSlot(summaryPanel),
  trends: panelSlot(trendsPanel),
  attention: panelSlot(attentionPanel),
  recent: panelSlot(recentPanel),
  repositories: panelSlot(repositoriesPanel),
});
