/** The Repositories page's payload: the imported repositories, and the GitHub App's installations and what they offer to import. */
import { GITHUB_SETUP_ACTIONS, WEBHOOK_DELIVERY_STATUSES } from "../../domain/vocabulary";
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
  /** The manager has signed in with GitHub (they can prove which installations they made). */
  githubIdentity: "boolean",
  /** Back from GitHub through the App's setup URL: what they did there (`setup_action`), else null. */
  returnedFrom: type.enumerated(...GITHUB_SETUP_ACTIONS).or("null"),
  /** The latest webhook deliveries of the connected installations (admins): what GitHub sent and what became of it. */
  deliveries: type({
    id: "string",
    event: "string",
    action: "string | null",
    status: type.enumerated(...WEBHOOK_DELIVERY_STATUSES),
    attempts: count,
    error: "string | null",
    receivedAt: "string.date.iso",
  }).array(),
});

/** The Repositories page's query: `github` is set by /github/setup (never an installation id). */
export const repositoriesQuery = type({ "github?": type.enumerated(...GITHUB_SETUP_ACTIONS) });

export const repositoriesPayload = type({
  slug: "string",
  list: panelSlot(repositoriesPanel),
  github: panelSlot(githubAppPanel),
});
