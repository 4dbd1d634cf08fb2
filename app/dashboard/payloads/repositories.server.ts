/** The Repositories page's payload: the imported repositories, and the GitHub App's installations and what they offer to import. */
import { type } from "../../validation";
import { panelSlot } from "../panel.server";
import { byStatus, count } from "./words.server";

export const repositoriesPanel = type({
  workspaceId: "string",
  repositories: type({
    id: "string",
    owner: "string",
    name: "string",
    host: "string",
    installed: "boolean",
    total: count,
    byStatus,
  }).array(),
});

const installation = type({
  id: "number.integer > 0",
  account: "string",
  accountType: "'User' | 'Organization'",
  repositorySelection: "'all' | 'selected' | null",
  suspended: "boolean",
  repositories: count,
});

export const githubAppPanel = type({
  /** Install (or configure) the App on GitHub; null when GITHUB_APP_SLUG is not set. */
  installUrl: "string | null",
  canManage: "boolean",
  connected: installation.array(),
  /** Installed by this person on GitHub, connected to no workspace yet. */
  waiting: installation.array(),
  importable: type({ id: "string", owner: "string", name: "string" }).array(),
});

export const repositoriesPayload = type({
  slug: "string",
  list: panelSlot(repositoriesPanel),
  github: panelSlot(githubAppPanel),
});
