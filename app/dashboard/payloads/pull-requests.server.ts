/**
 * The Pull requests page: the workspace's pull requests, the chosen one's deployment batches with
 * every job, its uploads and the chosen upload's plan, in deployment waves.
 */
import { BATCH_STATUSES, DEPLOYMENT_EVENTS, PULL_REQUEST_STATES, UPLOAD_STATUSES } from "../../domain/vocabulary";
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { count, deploymentKind, deploymentStatus } from "./words.server";

const runState = deploymentStatus.or("null");

export const uploadsPanel = type({
  groups: type({
    label: "string",
    repository: "string",
    uploads: type({
      id: "string",
      headSha: "string",
      baseSha: "string",
      status: type.enumerated(...UPLOAD_STATUSES),
      createdAt: "string.date.iso",
      items: count,
    }).array(),
  }).array(),
});
export const planPanel = type({
  upload: { id: "string", label: "string", headSha: "string", status: "string" },
  waves: type({ stack: "string", component: "string", deleted: "boolean", planStatus: runState, applyStatus: runState })
    .array()
    .array(),
  brokenEdges: count,
});
const batchStatus = type.enumerated(...BATCH_STATUSES);
const pullRequest = type({
  id: "string",
  number: "number.integer > 0",
  title: "string",
  author: "string",
  state: type.enumerated(...PULL_REQUEST_STATES),
  headSha: "string",
  headRef: "string",
  baseRef: "string",
  htmlUrl: "string",
  repository: "string",
  updatedAt: "string.date.iso",
});
export const pullRequestListPanel = type({
  pullRequests: pullRequest.merge({ latestBatch: batchStatus.or("null") }).array(),
});
export const batchesPanel = type({
  pullRequest: pullRequest.or("null"),
  /** `?batch=` named one this workspace does not have. */
  missing: "boolean",
  batches: type({
    id: "string",
    kind: "'plan' | 'apply'",
    event: type.enumerated(...DEPLOYMENT_EVENTS),
    activity: "string",
    headSha: "string",
    ref: "string",
    pullRequestNumber: "number.integer | null",
    status: batchStatus,
    error: "string | null",
    createdAt: "string.date.iso",
    completedAt: "string.date.iso | null",
    jobCount: count,
    jobs: type({
      id: "string",
      kind: deploymentKind,
      workflow: "string",
      status: deploymentStatus,
      reason: "string | null",
      attempts: count,
      githubRunUrl: "string | null",
      instanceId: "string",
      stack: "string",
      component: "string",
    }).array(),
  }).array(),
});
export const pullRequestsPayload = type({
  slug: "string",
  pullRequests: panelSlot(pullRequestListPanel),
  batches: panelSlot(batchesPanel),
  uploads: panelSlot(uploadsPanel),
  plan: panelSlot(planPanel).or("null"),
});

export const pullRequestsQuery = type({
  "upload?": "0 < string <= 64",
  "batch?": "0 < string <= 64",
  "pr?": "0 < string <= 64",
});
export const PULL_REQUESTS_QUERY_KEYS = ["upload", "batch", "pr"] as const;
