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
import { actionsToken, api } from "../api/client";
import { example, githubLists, installationCreated, processed, send } from "./fixtures";

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

/** The seeded owner has also signed in with GitHub, as the account that installed the App. */
async function ownerSignedInWithGithub() {
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
}

describe("connecting the GitHub App and importing its repositories", () => {
  beforeEach(async () => {
    await seedDatabase();
    await ownerSignedInWithGithub();
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
    // Before the import, the atmos CLI of acme/platform is refused; after it, its token exchange works.
    const exchange = async () =>
      (
        await api("POST", "/api/v1/auth/github-oidc", {
          body: {
            token: await actionsToken({ repository: "acme/platform", repository_owner: "acme" }),
            workspaceId: SEED.workspaceId,
          },
        })
      ).response.status;
    expect(await exchange()).toBe(404);
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
    expect(await exchange()).toBe(200);
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

  it("a suspended installation offers nothing to import, and its repositories cannot be imported", async () => {
    await post({ intent: "connect", installationId: "301" });
    const importable = (await pageData()).github.data.importable;
    expect(importable).toHaveLength(2);
    const suspend = {
      ...example("installation", "suspend"),
      installation: {
        ...(installationCreated(301, "acme", []).installation as object),
        suspended_at: "2026-11-01T12:00:00Z",
      },
    };
    expect((await processed((await send("installation", suspend)).deliveryId)).status).toBe("done");
    expect((await pageData()).github.data.importable).toEqual([]);
    const before = await dumpDatabase({ except: ["sessions"] });
    const refused = await post({ intent: "import", repositoryId: importable[0]!.id });
    expect(refused).toMatchObject({ status: 409, body: { ok: false } });
    expect(refused.body.message).toContain("suspended");
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("import stays within the plan's repository limit", async () => {
    await post({ intent: "connect", installationId: "301" });
    await db().$client.prepare("UPDATE workspaces SET plan = 'free' WHERE id = ?").bind(SEED.workspaceId).run();
    // Free allows 3: the seed has one; two more fill it.
    await githubLists(301, "acme", [
      [301001, "platform"],
      [301002, "apps"],
      [301009, "third"],
    ]);
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

describe("back from GitHub through the App's setup URL (/github/setup)", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  async function setup(query: string, userId: string | null = SEED.ownerId) {
    const { response } = await request(`/github/setup${query}`, userId ? await sessionCookieFor(userId) : "");
    return { status: response.status, location: response.headers.get("location") };
  }

  async function panelAfter(location: string, userId: string = SEED.ownerId) {
    const url = new URL(location, "http://x");
    url.searchParams.set("_data", "routes/dashboard.$workspace.repositories._index");
    const { response } = await request(`${url.pathname}${url.search}`, await sessionCookieFor(userId));
    expect(response.status).toBe(200);
    const data = (await response.json()) as {
      github: { data: { returnedFrom: string | null; githubIdentity: boolean; waiting: Array<{ id: number }> } };
    };
    return data.github.data;
  }

  it("sends an admin to their workspace's Repositories page, never trusting the installation id", async () => {
    // Someone else's installation, reported by GitHub, and a forged id in the address.
    await processed((await send("installation", installationCreated(302, "globex", ["secret"], 9999))).deliveryId);
    const before = await dumpDatabase({ except: ["sessions"] });
    const back = await setup("?installation_id=302&setup_action=install");
    expect(back).toEqual({ status: 302, location: "/dashboard/acme/repositories?github=install" });
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
    const github = await panelAfter(back.location!);
    // The installation is not theirs: it is not offered, and the page says how to prove one that is.
    expect(github).toMatchObject({ returnedFrom: "install", githubIdentity: false, waiting: [] });
    const html = await (await request(back.location!, await sessionCookieFor(SEED.ownerId))).response.text();
    expect(html).toContain("sign in with GitHub as the account that installed the App");
    expect(html).not.toContain("globex");
  });

  it("with the installer's GitHub sign-in, their installation waits for them to connect it", async () => {
    await ownerSignedInWithGithub();
    const before = await setup("?installation_id=301&setup_action=install");
    expect(await panelAfter(before.location!)).toMatchObject({ githubIdentity: true, waiting: [] });
    const html = await (await request(before.location!, await sessionCookieFor(SEED.ownerId))).response.text();
    expect(html).toContain("GitHub has not told us about your installation yet");

    await processed(
      (await send("installation", installationCreated(301, "acme", ["platform"], INSTALLER_GITHUB_ID))).deliveryId,
    );
    const github = await panelAfter(before.location!);
    expect(github.waiting.map((installation) => installation.id)).toEqual([301]);
    const after = await (await request(before.location!, await sessionCookieFor(SEED.ownerId))).response.text();
    expect(after).toContain("GitHub told us about your installation: connect it below");
  });

  it("passes on only what GitHub's setup_action says (request, update), and nothing unknown", async () => {
    expect((await setup("?setup_action=request")).location).toBe("/dashboard/acme/repositories?github=request");
    expect((await setup("?installation_id=1&setup_action=update")).location).toBe(
      "/dashboard/acme/repositories?github=update",
    );
    expect((await setup("?setup_action=%3Cscript%3E")).location).toBe("/dashboard/acme/repositories?github=install");
    const html = await (
      await request("/dashboard/acme/repositories?github=request", await sessionCookieFor(SEED.ownerId))
    ).response.text();
    expect(html).toContain("Your request to install the App went to your organisation&#x27;s owners on GitHub");
    // An unknown value in the page's own address is ignored.
    const github = await panelAfter("/dashboard/acme/repositories?github=nonsense");
    expect(github.returnedFrom).toBeNull();
  });

  it("signs people in first, and sends someone with no workspace to create one", async () => {
    const signedOut = await setup("?installation_id=301&setup_action=install", null);
    expect(signedOut).toEqual({
      status: 302,
      location: `/login?returnTo=${encodeURIComponent("/github/setup?installation_id=301&setup_action=install")}`,
    });
    await db().$client.prepare("DELETE FROM memberships WHERE user_id = ?").bind(SEED.memberId).run();
    expect((await setup("", SEED.memberId)).location).toBe("/workspaces/new");
  });

  it("a member who manages no workspace goes to their own workspace, where the page shows no notice", async () => {
    const back = await setup("?setup_action=install", SEED.memberId);
    expect(back.location).toBe("/dashboard/acme/repositories?github=install");
    const html = await (await request(back.location!, await sessionCookieFor(SEED.memberId))).response.text();
    expect(html).not.toContain("GitHub has not told us");
    expect(html).not.toContain("sign in with GitHub as the account");
  });
});
