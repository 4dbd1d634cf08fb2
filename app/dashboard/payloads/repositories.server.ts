/** The Repositories page's payload. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { byStatus, count } from "./words.server";

export const repositoriesPanel = type({
  workspaceId: "string",
  repositories: type({ id: "string", owner: "string", name: "string", host: "string", total: count, byStatus }).array(),
});
export const repositoriesPayload = type({ slug: "string", list: panelSlot(repositoriesPanel) });
