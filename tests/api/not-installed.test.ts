/**
 * A repository the GitHub App no longer covers — its installation suspended or uninstalled, the
 * repository removed from the installation or deleted on GitHub — is answered to the atmos CLI as it
 * expects: 404 "not installed", for the token exchange and for a token issued before, and nothing is
 * stored. The dashboard shows it. Each state comes from GitHub's own webhook, through the queue.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { notInstalledMessage } from "~/domain/repository-permissions.server";
import { sessionCookieFor } from "../auth";
import { request } from "../auth/sign-in";
import { dumpDatabase, seedDatabase } from "../db";
import { example, githubLists, processed, send } from "../webhooks/fixtures";
import { actionsToken, api, apiToken } from "./client";

type Payload = Record<string, unknown>;

/** The seeded installation (on the acme organisation, covering acme/infra) as GitHub sends it. */
function seededInstallation(extra: Payload = {}): Payload {
  const installation = example("installation", "created").installation as Payload;
  return {
    ...installation,
    id: SEED.installationId,
    account: { ...(installation.account as Payload), login: "acme", id: 9000, type: "Organization" },
    repository_selection: "selected",
    ...extra,
  };
}
const INFRA = { id: SEED.repositoryGithubId, node_id: "x", name: "infra", full_name: "acme/infra", private: true };

async function deliver(event: string, action: string, fields: Payload) {
  const payload = { ...example(event, action), ...fields };
  const row = await processed((await send(event, payload)).deliveryId);
  expect(row.status, JSON.stringify(row)).toBe("done");
}

const GITHUB_CHANGES: Array<[string, () => Promise<void>]> = [
  [
    "the installation is suspended",
    () =>
      deliver("installation", "suspend", {
        installation: seededInstallation({ suspended_at: "2026-11-01T12:00:00Z" }),
      }),
  ],
  ["the App is uninstalled", () => deliver("installation", "deleted", { installation: seededInstallation() })],
  [
    "the repository is removed from the installation",
    async () => {
      await githubLists(SEED.installationId, "acme", []); // what GitHub lists for the installation now
      await deliver("installation_repositories", "removed", {
        installation: seededInstallation(),
        repository_selection: "selected",
        repositories_added: [],
        repositories_removed: [INFRA],
      });
    },
  ],
  [
    "the repository is deleted on GitHub",
    () => {
      // GitHub publishes no example of `repository.deleted`: its `renamed` example has the same shape.
      const payload = example("repository", "renamed");
      return deliver("repository", "renamed", {
        action: "deleted",
        changes: undefined,
        installation: { id: SEED.installationId, node_id: "x" },
        repository: {
          ...(payload.repository as Payload),
          id: SEED.repositoryGithubId,
          name: "infra",
          full_name: "acme/infra",
          owner: { login: "acme" },
        },
      });
    },
  ],
];

async function exchange() {
  return api("POST", "/api/v1/auth/github-oidc", {
    body: { token: await actionsToken(), workspaceId: SEED.workspaceId },
  });
}

async function repositoryPage() {
  const { response } = await request(
    `/dashboard/acme/repositories/acme/infra?_data=${encodeURIComponent("routes/dashboard.$workspace.repositories.$owner.$name")}`,
    await sessionCookieFor(SEED.ownerId),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { repository: { installed: boolean } }).repository;
}

describe("a repository the GitHub App no longer covers", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("is installed in the seed: the exchange and the page say so", async () => {
    expect((await exchange()).response.status).toBe(200);
    expect(await repositoryPage()).toMatchObject({ installed: true });
  });

  it.each(GITHUB_CHANGES)(
    "when %s: 404 not installed for the exchange and for earlier tokens, nothing stored",
    async (_when, change) => {
      const token = await apiToken(); // issued while it was installed
      await change();

      const before = await dumpDatabase({ except: ["sessions"] });
      const refusedExchange = await exchange();
      expect(refusedExchange.response.status).toBe(404);
      expect(refusedExchange.envelope).toMatchObject({
        success: false,
        errorTag: "NotFound",
        errorMessage: notInstalledMessage("acme/infra"),
      });

      const lock = await api("POST", "/api/v1/locks", { token, body: { key: "acme/infra/plat-ue2-dev/vpc", ttl: 30 } });
      expect(lock.response.status).toBe(404);
      expect(lock.envelope.errorMessage).toBe(notInstalledMessage("acme/infra"));
      const upload = await api("POST", "/api/v1/instances", {
        token,
        body: {
          repo_url: "https://github.com/acme/infra",
          repo_name: "infra",
          repo_owner: "acme",
          repo_host: "github.com",
          instances: [],
        },
      });
      expect(upload.response.status).toBe(404);
      expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);

      expect(await repositoryPage()).toMatchObject({ installed: false });
      const page = await (
        await request("/dashboard/acme/repositories/acme/infra", await sessionCookieFor(SEED.ownerId))
      ).response.text();
      expect(page).toContain("The GitHub App is not installed on this repository.");
      const list = await (
        await request(
          `/dashboard/acme/repositories?_data=${encodeURIComponent("routes/dashboard.$workspace.repositories._index")}`,
          await sessionCookieFor(SEED.ownerId),
        )
      ).response.json<{ list: { data: { repositories: Array<{ name: string; installed: boolean }> } } }>();
      expect(list.list.data.repositories).toMatchObject([{ name: "infra", installed: false }]);
    },
  );

  it("is answered again once GitHub says the App covers it again (unsuspend)", async () => {
    await GITHUB_CHANGES[0]![1]();
    expect((await exchange()).response.status).toBe(404);
    await deliver("installation", "unsuspend", { installation: seededInstallation({ suspended_at: null }) });
    expect((await exchange()).response.status).toBe(200);
    expect(await repositoryPage()).toMatchObject({ installed: true });
  });
});
