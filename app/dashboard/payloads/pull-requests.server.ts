/** The Pull requests page: its uploads and the chosen upload's plan, in deployment waves. */
import { UPLOAD_STATUSES } from "../../domain/vocabulary";
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { count, deploymentStatus } from "./words.server";

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
export const pullRequestsPayload = type({
  slug: "string",
  uploads: panelSlot(uploadsPanel),
  plan: panelSlot(planPanel).or("null"),
});
