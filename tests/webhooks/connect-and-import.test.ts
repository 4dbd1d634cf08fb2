/**
 * From an installation GitHub told us about to an imported repository, through the Repositories page:
 * only the person who installed the App (their GitHub identity is the `installation.created` sender)
 * can connect it, never by an installation id alone; import stays within the plan's limit; remove
 * takes the repository and its permissions out of the workspace. Audit events for each.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { identities, workspaces } from "../../db/schema";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { db, dumpDatabase, seedDatabase } from "../db";
import { form, request } from "../auth/sign-in";
import { expectErrorLogs } from "../logs";
import { installationCreated, processed, send } from "./fixtures";

const INSTALLER_GITHUB_ID = 7001;
const PAGE = `/dashboard/${SEED.workspaceSlug}/repositories`;

async function post(fields: Record<string, string>, userId: string = SEED.ownerId) {
  const { response } = await request(
    `${PAGE}?index&_data=routes%2Fdashboard.%24workspace.repositories._index`,
    await sessionCookieFor(userId),
    form(fields),
  );
  return {
    status: response.status,
    body: (await response.json()) as { ok: boolean; message?: string; fieldErrors?: Record<string, string> },
  };
}

async function pageData(userId: string = SEED.ownerId) {
  const { response } = await request(
    `${PAGE}?_data=routes%2Fdashboard.%24workspace.repositories._index`,
    await sessionCookieFor(userId),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as {
    github: {
      ok: true;
      data: {
        connected: Array<{ id: number; account: string }>;
        waiting: Array<{ id: number }>;
        deliveries: Array<{ event: string; action: string | null; status: string; error: string | null }>;
        importable: Array<{ id: string; owner: string; name: string }>;
        installUrl: string | null;
        canManage: boolean;
      };
    };
    list: { ok: true; data: { repositories: Array<{ owner: string; name: string; installed: boolean }> } };
  };
}

async function auditActions() {
  const { results } = await db()
    .$client.prepare("SELECT action FROM audit_events WHERE workspace_id = ? ORDER BY created_at, action")
    .bind(SEED.workspaceId)
    .all<{ action: string }>();
  return results.map((row) => row.action);
}

describe("connecting the GitHub App and importing its repositories", () => {
  beforeEach(async () => {
    await seedDatabase();
    // The seeded owner has also signed in with GitHub, as the account that installed the App.
    await db()
      .insert(identities)
      .values({
        id: "idn_ownergithub00000000000000000",
        userId: SEED.ownerId,
        provider: "github",
        issuer: "https://github.com",
        subject: String(INSTALLER_GITHUB_ID),
        login: "acme-owner",
      });
    await processed(
      (await send("installation", installationCreated(301, "acme", ["platform", "apps"], INSTALLER_GITHUB_ID)))
        .deliveryId,
    );
  });

  it("shows the installer their installation, connects it, then offers its repositories to import", async () => {
    const before = await pageData();
    expect(before.github.data.installUrl).toBe(`${env.GITHUB_URL}/apps/atmos-pro-test/installations/new`);
    expect(before.github.data.waiting.map((installation) => installation.id)).toEqual([301]);
    expect(before.github.data.importable).toEqual([]);

    const connected = await post({ intent: "connect", installationId: "301" });
    expect(connected).toMatchObject({ status: 200, body: { ok: true } });
    const after = await pageData();
    // Beside the seed's installation (which covers acme/infra).
    expect(after.github.data.connected.map((installation) => installation.id).sort()).toEqual([
      301,
      SEED.installationId,
    ]);
    expect(after.github.data.waiting).toEqual([]);
    // Its deliveries are the workspace's now: admins see what GitHub sent and what became of it.
    expect(after.github.data.deliveries).toMatchObject([
      { event: "installation", action: "created", status: "done", error: null },
    ]);
    expect(after.github.data.importable.map((repo) => `${repo.owner}/${repo.name}`)).toEqual([
      "acme/apps",
      "acme/platform",
    ]);

    const platform = after.github.data.importable.find((repo) => repo.name === "platform")!;
    const imported = await post({ intent: "import", repositoryId: platform.id });
    expect(imported).toMatchObject({
      status: 200,
      body: { ok: true, message: "acme/platform imported, with the default permissions." },
    });
    const listed = await pageData();
    expect(listed.list.data.repositories.map((repo) => `${repo.owner}/${repo.name}:${repo.installed}`)).toEqual([
      "acme/infra:true", // the seed's installation covers it
      "acme/platform:true",
    ]);
    expect(listed.github.data.importable.map((repo) => repo.name)).toEqual(["apps"]);
    const { results: permissions } = await db()
      .$client.prepare("SELECT type FROM repository_permissions WHERE repository_id = ? ORDER BY type")
      .bind(platform.id)
      .all<{ type: string }>();
    expect(permissions.map((row) => row.type)).toEqual([
      "Affected Stacks Create",
      "Deployments Create",
      "Instances Upload",
      "Locks Manage",
    ]);

    const removed = await post({ intent: "remove", repositoryId: platform.id });
    expect(removed).toMatchObject({
      status: 200,
      body: { ok: true, message: "acme/platform removed from this workspace." },
    });
    expect((await pageData()).list.data.repositories.map((repo) => repo.name)).toEqual(["infra"]);
    const { results: left } = await db()
      .$client.prepare("SELECT count(*) AS n FROM repository_permissions WHERE repository_id = ?")
      .bind(platform.id)
      .all<{ n: number }>();
    expect(left[0]!.n).toBe(0);
    expect((await auditActions()).filter((action) => /^(installation|repository)\./.test(action))).toEqual([
      "installation.connected",
      "repository.imported",
      "repository.removed",
    ]);
  });

  it("shows admins a delivery that failed, with its error; members see none", async () => {
    expectErrorLogs();
    await post({ intent: "connect", installationId: "301" });
    const broken = installationCreated(301, "acme", []);
    broken.action = "new_permissions_accepted";
    (broken.installation as Record<string, unknown>).permissions = "all of them";
    await processed((await send("installation", broken)).deliveryId);
    const [latest] = (await pageData()).github.data.deliveries;
    expect(latest).toMatchObject({ event: "installation", action: "new_permissions_accepted", status: "failed" });
    expect(latest!.error).toContain("installation.permissions");
    expect((await pageData(SEED.memberId)).github.data.deliveries).toEqual([]);
  });

  it("refuses a forged installation id: someone who did not install it cannot connect it, and nothing changes", async () => {
    // An admin with no GitHub identity that installed 301: an id typed into the form proves nothing.
    await db().$client.prepare("UPDATE memberships SET role = 'admin' WHERE user_id = ?").bind(SEED.memberId).run();
    const before = await dumpDatabase({ except: ["sessions"] });
    const forged = await post({ intent: "connect", installationId: "301" }, SEED.memberId);
    expect(forged).toMatchObject({ status: 403, body: { ok: false } });
    expect(forged.body.message).toMatch(/Only the person who installed the App/);
    const unknown = await post({ intent: "connect", installationId: "999999" });
    expect(unknown).toMatchObject({ status: 404, body: { ok: false } });
    const bad = await post({ intent: "connect", installationId: "1e3" });
    expect(bad.status).toBe(400);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("an installation connected to another workspace cannot be taken, and nothing changes", async () => {
    await db()
      .insert(workspaces)
      .values({ id: "ws_other0000000000000000000000", name: "Other", slug: "other", plan: "team" });
    await db()
      .$client.prepare("UPDATE github_installations SET workspace_id = 'ws_other0000000000000000000000' WHERE id = 301")
      .run();
    const before = await dumpDatabase({ except: ["sessions"] });
    const taken = await post({ intent: "connect", installationId: "301" });
    expect(taken).toMatchObject({
      status: 409,
      body: { ok: false, message: "That installation is connected to another workspace already." },
    });
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("members cannot connect or import; a repository the installations do not cover cannot be imported", async () => {
    const before = await dumpDatabase({ except: ["sessions"] });
    expect((await post({ intent: "connect", installationId: "301" }, SEED.memberId)).status).toBe(403);
    expect((await pageData(SEED.memberId)).github.data.canManage).toBe(false);
    // acme/platform: covered by installation 301, which no workspace has connected yet.
    const { results } = await db()
      .$client.prepare("SELECT id FROM repositories WHERE owner = 'acme' AND name = 'platform'")
      .all<{ id: string }>();
    const notCovered = await post({ intent: "import", repositoryId: results[0]!.id });
    expect(notCovered).toMatchObject({ status: 409, body: { ok: false } });
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("import stays within the plan's repository limit", async () => {
    await post({ intent: "connect", installationId: "301" });
    await db().$client.prepare("UPDATE workspaces SET plan = 'free' WHERE id = ?").bind(SEED.workspaceId).run();
    // Free allows 3: the seed has one; two more fill it.
    await processed(
      (
        await send("installation_repositories", {
          action: "added",
          installation: installationCreated(301, "acme", []).installation,
          repositories_added: [{ id: 301009, node_id: "x", name: "third", full_name: "acme/third", private: true }],
          repositories_removed: [],
          repository_selection: "selected",
          sender: { id: INSTALLER_GITHUB_ID, login: "acme-owner" },
        })
      ).deliveryId,
    );
    const importable = (await pageData()).github.data.importable;
    expect(importable).toHaveLength(3);
    expect((await post({ intent: "import", repositoryId: importable[0]!.id })).status).toBe(200);
    expect((await post({ intent: "import", repositoryId: importable[1]!.id })).status).toBe(200);
    const over = await post({ intent: "import", repositoryId: importable[2]!.id });
    expect(over).toMatchObject({ status: 409, body: { ok: false } });
    expect(over.body.message).toMatch(/Free/);
  });
});
