/** An instance's page: its payload and panels. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { deploymentKind, deploymentStatus, instanceStatus } from "./words.server";

export const historyPanel = type({
  history: type({
    id: "string",
    command: deploymentKind,
    exitCode: "number.integer",
    status: instanceStatus,
    ranAt: "string.date.iso",
  }).array(),
});
export const deploymentsPanel = type({
  deployments: type({
    id: "string",
    kind: deploymentKind,
    status: deploymentStatus,
    workflow: "string",
    githubRunUrl: "string | null",
    createdAt: "string.date.iso",
  }).array(),
});
export const workflowsPanel = type({
  workflows: type({
    event: "string",
    workflow: "string",
    inputs: type({ name: "string", value: "string" }).array(),
  }).array(),
});
export const lockPanel = type({
  key: "string",
  lock: type({
    lockedBy: "string",
    message: "string | null",
    expiresAt: "string.date.iso",
    createdAt: "string.date.iso",
  }).or("null"),
});

export const instancePayload = type({
  slug: "string",
  /** Whether the member may check this instance for drift now. */
  canCheck: "boolean",
  instance: {
    id: "string",
    stack: "string",
    component: "string",
    componentType: "string",
    status: instanceStatus,
    driftEnabled: "boolean",
    lastCommand: "string | null",
    lastExitCode: "number | null",
    lastRunAt: "string.date.iso | null",
    removed: "boolean",
    repository: "string",
  },
  history: panelSlot(historyPanel),
  deployments: panelSlot(deploymentsPanel),
  workflows: panelSlot(workflowsPanel),
  lock: panelSlot(lockPanel),
});
