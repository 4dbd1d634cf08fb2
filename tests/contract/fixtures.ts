/**
 * What the atmos CLI's Pact contract (tests/contract/atmos-AtmosPro.json, a copy of the one the CLI publishes) needs in the e2e D1
 * before `wrangler dev` starts: the repository it talks about, `org/repo`, imported with the default
 * permissions (every type, any workflow, branch and environment) through the app's own
 * `importRepository`, as an admin's import in the dashboard does, and covered by an installation of
 * the GitHub App (recorded as its `installation.created` webhook is).
 *
 * Into its own workspace, not the seeded "acme": the browser tests assert the seeded dashboard
 * exactly (tests/e2e/foundation.e2e.ts: the only repository is acme/infra, 60 instances), and the
 * contract's uploads (an inventory, affected stacks, a lock) would land there too. The CLI's API
 * needs no member in a workspace, so this one has none: no dashboard shows it. Its id is fixed (like
 * the seed's) because the contract's `workspaceId` placeholder is replaced with it.
 *
 * Called by tests/e2e/global-setup.ts right after `migrateAndSeed(persistTo)`, with the project root
 * as the working directory. Idempotent: running it twice leaves the same rows.
 */
import { getPlatformProxy } from "wrangler";
import { createDatabase } from "../../db/client";
import { workspaces } from "../../db/schema";
import { applyInstallationChange, type InstallationFacts } from "../../app/domain/installations.server";
import { findImportedRepository, importRepository } from "../../app/domain/repository-permissions.server";
import { QUIET_WRANGLER_ENV } from "../../scripts/local-d1";

/** The repository every interaction of the contract names (`repo_owner`, lock keys, PATCH paths). */
export const CONTRACT_REPOSITORY = { owner: "org", name: "repo" } as const;

/** The workspace the contract's `workspaceId: "workspace-uuid-1234"` stands for in the e2e run. */
export const CONTRACT_WORKSPACE = {
  id: `ws_${"contract".padEnd(28, "0")}`,
  name: "Atmos CLI contract",
  slug: "atmos-cli-contract",
} as const;

/** The App's installation on `org` that covers the repository (the CLI's API answers 404 without one). */
const CONTRACT_INSTALLATION: InstallationFacts = {
  id: 7_000_001,
  accountLogin: CONTRACT_REPOSITORY.owner,
  accountGithubId: 7_000_000,
  accountType: "Organization",
  repositorySelection: "selected",
  permissions: { actions: "write", checks: "write", contents: "write", pull_requests: "write", metadata: "read" },
  suspended: false,
};

/** `persistTo` is wrangler's --persist-to directory, relative to the project root (as migrateAndSeed takes it). */
export async function seedContractFixtures(persistTo: string, now: Date): Promise<void> {
  Object.assign(process.env, QUIET_WRANGLER_ENV);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    persist: { path: `${persistTo}/v3` },
    remoteBindings: false,
  });
  try {
    const db = createDatabase(proxy.env.DB);
    await db
      .insert(workspaces)
      .values({ ...CONTRACT_WORKSPACE, plan: "team", createdAt: now, updatedAt: now })
      .onConflictDoNothing();
    const { owner, name } = CONTRACT_REPOSITORY;
    // The GitHub App is installed on it, as GitHub's installation.created webhook would record it.
    await applyInstallationChange(db, {
      facts: CONTRACT_INSTALLATION,
      action: "created",
      repositories: [{ githubId: CONTRACT_INSTALLATION.id + 1, owner, name }],
      now,
    });
    if (await findImportedRepository(db, CONTRACT_WORKSPACE.id, owner, name)) return;
    const imported = await importRepository(db, {
      workspaceId: CONTRACT_WORKSPACE.id,
      owner,
      name,
      actor: { type: "system", id: null, label: "e2e contract fixtures" },
      now,
    });
    if (!imported.ok) throw new Error(`The contract fixtures could not import ${owner}/${name}: ${imported.message}`);
  } finally {
    await proxy.dispose();
  }
}
