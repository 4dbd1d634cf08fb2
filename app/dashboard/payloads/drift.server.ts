/** The Drift page's payload and its panels. */
import { DRIFT_RUN_CAUSES, DRIFT_RUN_STATUSES } from "../../domain/vocabulary";
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { count, deploymentKind, deploymentStatus } from "./words.server";

export const schedulesPanel = type({
  schedules: type({
    id: "string",
    name: "string",
    cron: "string",
    timezone: "string",
    enabled: "boolean",
    remediate: "boolean",
    repositoryId: "string | null",
    scope: "string",
    lastRunAt: "string.date.iso | null",
    nextRunAt: "string.date.iso | null",
  }).array(),
});
export const driftStatusPanel = type({
  repositories: type({
    id: "string",
    repository: "string",
    in_sync: count,
    drifted: count,
    error: count,
    unknown: count,
    driftEnabled: count,
  }).array(),
});
export const driftRunsPanel = type({
  runs: type({
    id: "string",
    repository: "string",
    cause: type.enumerated(...DRIFT_RUN_CAUSES),
    requestedBy: "string",
    status: type.enumerated(...DRIFT_RUN_STATUSES),
    remediate: "boolean",
    error: "string | null",
    createdAt: "string.date.iso",
    completedAt: "string.date.iso | null",
    checks: count,
    inSync: count,
    drifted: count,
    errors: count,
    skipped: count,
    remediations: count,
    jobs: type({
      id: "string",
      kind: deploymentKind,
      status: deploymentStatus,
      workflow: "string",
      instance: "string",
      instanceId: "string",
      reason: "string | null",
      githubRunUrl: "string | null",
    }).array(),
  }).array(),
});
export const driftPayload = type({
  /** Admins and owners edit schedules; every member may check for drift now. */
  canManage: "boolean",
  canRun: "boolean",
  /** The repositories a schedule may name. */
  choices: type({ id: "string", repository: "string" }).array(),
  schedules: panelSlot(schedulesPanel),
  status: panelSlot(driftStatusPanel),
  runs: panelSlot(driftRunsPanel),
});
