/** The workspace layout's payload (every dashboard page's frame: who, which workspace, the switcher). */
import { type } from "../../validation";
import { role } from "./words.server";

const workspaceSummary = type({ id: "string", name: "string", slug: "string", role });

export const dashboardLayoutPayload = type({
  user: { name: "string", login: "string | null", email: "string | null" },
  workspace: workspaceSummary,
  workspaces: workspaceSummary.array(),
});
