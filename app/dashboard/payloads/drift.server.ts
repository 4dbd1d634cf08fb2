/** The Drift page's payload and its panels. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { count } from "./words.server";

export const schedulesPanel = type({
  schedules: type({
    id: "string",
    name: "string",
    cron: "string",
    timezone: "string",
    enabled: "boolean",
    scope: "string",
    lastRunAt: "string.date.iso | null",
    nextRunAt: "string.date.iso | null",
  }).array(),
});
export const driftStatusPanel = type({
  repositories: type({
    repository: "string",
    in_sync: count,
    drifted: count,
    error: count,
    unknown: count,
    driftEnabled: count,
  }).array(),
});
export const driftPayload = type({ schedules: panelSlot(schedulesPanel), status: panelSlot(driftStatusPanel) });
