/**
 * POST /webhooks/github through the built Worker and its real local queue (miniflare): signatures and
 * their rotation, size, redelivery, unknown events, and the installation records the consumer keeps,
 * in whatever order the events arrive. The consumer's retries and dead-letter path are driven directly
 * (tests/webhooks/consumer.test.ts).
 */
import { describe, expect, it } from "vitest";
import { signWebhook } from "~/webhooks/signature.server";
import { dumpDatabase, db } from "../db";
import { expectErrorLogs } from "../logs";
import { TEST_WEBHOOK_SECRETS } from "../settings";
import { deliveryRow, example, githubLists, installationCreated, newDeliveryId, processed, send } from "./fixtures";

async function installationRow(id: number) {
  return db()
    .$client.prepare(
      "SELECT id, account_login, account_type, installed_by_github_id, repository_selection, suspended_at, deleted_at, permissions FROM github_installations WHERE id = ?",
    )
    .bind(id)
    .first<Record<string, unknown>>();
}

async function repositoriesOf(installationId: number) {
  const { results } = await db()
    .$client.prepare(
      "SELECT owner, name, github_id FROM repositories WHERE installation_id = ? AND deleted_at IS NULL ORDER BY name",
    )
    .bind(installationId)
    .all<{ owner: string; name: string; github_id: number }>();
  return results.map((row) => `${row.owner}/${row.name}#${row.github_id}`);
}

describe("POST /webhooks/github: what is received", () => {
  it("refuses a delivery without a signature, or with a wrong or malformed one: 401, nothing stored", async () => {
    const payload = installationCreated(71, "acme", ["infra"]);
    const before = await dumpDatabase();
    for (const options of [
      { secret: null },
      { secret: "not-the-secret-at-all-0123456789" },
      { signature: "sha1=0123456789abcdef0123456789abcdef01234567" },
      { signature: "sha256=zz" },
      { signature: `sha256=${"0".repeat(64)}` },
    ]) {
      const { response, envelope } = await send("installation", payload, options);
      expect(response.status, JSON.stringify(options)).toBe(401);
      expect(envelope).toMatchObject({ success: false, errorTag: "Unauthorized" });
    }
    // A body changed after signing is refused too.
    const signed = JSON.stringify(payload);
    const tampered = await send("installation", payload, {
      signature: await signWebhook(TEST_WEBHOOK_SECRETS[0], signed),
      body: signed.replace('"acme"', '"evil"'),
    });
    expect(tampered.response.status).toBe(401);
    expect(await dumpDatabase()).toEqual(before);
  });

  it("verifies with every configured secret, so a secret can be rotated", async () => {
    for (const secret of TEST_WEBHOOK_SECRETS) {
      const { response, deliveryId } = await send("installation", installationCreated(72, "acme", ["infra"]), {
        secret,
      });
      expect(response.status).toBe(202);
      expect((await processed(deliveryId)).status).toBe("done");
    }
  });

  it("answers ping, and stores nothing for it", async () => {
    const { response, envelope } = await send("ping", example("ping"));
    expect(response.status).toBe(200);
    expect(envelope.data?.message).toBe("pong");
    expect((await dumpDatabase()).webhook_deliveries).toEqual([]);
  });

  it("refuses a body over GitHub's 25 MiB with 413, and stores nothing", async () => {
    const huge = JSON.stringify({ action: "created", padding: "x".repeat(25 * 1024 * 1024) });
    const { response, envelope } = await send("installation", null, { body: huge });
    expect(response.status).toBe(413);
    expect(envelope.errorTag).toBe("PayloadTooLarge");
    expect((await dumpDatabase()).webhook_deliveries).toEqual([]);
  });

  it("refuses a signed delivery without its delivery id or event, or that is not JSON: 400, nothing stored", async () => {
    const before = await dumpDatabase();
    expect((await send("installation", {}, { headers: { "X-GitHub-Delivery": "" } })).response.status).toBe(400);
    expect((await send("installation", {}, { headers: { "X-GitHub-Event": "Not An Event!" } })).response.status).toBe(
      400,
    );
    expect((await send("installation", null, { body: "{not json" })).response.status).toBe(400);
    const form = await send("installation", null, {
      body: "payload=%7B%7D",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.response.status).toBe(415);
    expect(await dumpDatabase()).toEqual(before);
  });

  it("answers other methods with 405 and Allow: POST", async () => {
    const { SELF } = await import("cloudflare:test");
    const response = await SELF.fetch("http://localhost/webhooks/github");
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST");
  });

  it("processes a delivery once: a redelivery is acknowledged and changes nothing", async () => {
    const deliveryId = newDeliveryId();
    const payload = installationCreated(73, "acme", ["infra"]);
    const first = await send("installation", payload, { deliveryId });
    expect(first.response.status).toBe(202);
    const done = await processed(deliveryId);
    expect(done).toMatchObject({ status: "done", attempts: 1 });
    const after = await dumpDatabase();

    const again = await send("installation", payload, { deliveryId });
    expect(again.response.status).toBe(200);
    expect(again.envelope.data?.message).toMatch(/Already received/);
    expect(await dumpDatabase()).toEqual(after);
    expect(await deliveryRow(deliveryId)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("acknowledges events and actions we do not act on, and records them as ignored", async () => {
    const star = await send("star", { action: "created", starred_at: "2026-11-01T00:00:00Z" });
    expect(star.response.status).toBe(202);
    expect(await processed(star.deliveryId)).toMatchObject({
      status: "ignored",
      error: "The star event is not one we act on.",
    });
    const edited = await send("repository", example("repository", "edited"));
    expect(await processed(edited.deliveryId)).toMatchObject({
      status: "ignored",
      error: "The repository.edited action is not one we act on.",
    });
  });

  it("a payload we act on that fails its schema is failed at once (no retries), naming the fields", async () => {
    expectErrorLogs();
    const payload = installationCreated(74, "acme", ["infra"]);
    (payload.installation as Record<string, unknown>).id = "seventy-four";
    const { deliveryId } = await send("installation", payload);
    const row = await processed(deliveryId);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.error).toContain("installation.id");
    expect(row.error).not.toContain("seventy-four");
    expect(await installationRow(74)).toBeNull();
  });
});

describe("installations and their repositories, in whatever order the events arrive", () => {
  it("installation.created records the installation, who installed it, and its repositories", async () => {
    const { deliveryId } = await send("installation", installationCreated(81, "acme", ["infra", "apps"], 5001));
    await processed(deliveryId);
    expect(await installationRow(81)).toMatchObject({
      account_login: "acme",
      account_type: "Organization",
      installed_by_github_id: 5001,
      repository_selection: "selected",
      suspended_at: null,
      deleted_at: null,
    });
    expect(await repositoriesOf(81)).toEqual(["acme/apps#81002", "acme/infra#81001"]);
  });

  it("repositories added before installation.created arrives still count, and created adds its own", async () => {
    const added = example("installation_repositories", "added");
    added.installation = installationCreated(82, "acme", []).installation as Record<string, unknown>;
    added.repositories_added = [{ id: 82009, node_id: "x", name: "late", full_name: "acme/late", private: true }];
    await githubLists(82, "acme", [[82009, "late"]]);
    await processed((await send("installation_repositories", added)).deliveryId);
    expect(await repositoriesOf(82)).toEqual(["acme/late#82009"]);
    await processed((await send("installation", installationCreated(82, "acme", ["infra"], 5002))).deliveryId);
    expect(await repositoriesOf(82)).toEqual(["acme/infra#82001", "acme/late#82009"]);
    expect(await installationRow(82)).toMatchObject({ installed_by_github_id: 5002 });
  });

  it.each([
    [
      "added, then removed on GitHub; the removal arrives first",
      [[87001, "infra"]] as Array<[number, string]>,
      ["acme/infra#87001"],
    ],
    [
      "removed, then added again on GitHub; the addition arrives first",
      [
        [87001, "infra"],
        [87002, "apps"],
      ] as Array<[number, string]>,
      ["acme/apps#87002", "acme/infra#87001"],
    ],
  ])("repository changes that arrive out of order end as GitHub lists them: %s", async (_case, truth, expected) => {
    await processed((await send("installation", installationCreated(87, "acme", ["infra"]))).deliveryId);
    const apps = { id: 87002, node_id: "x", name: "apps", full_name: "acme/apps", private: true };
    const change = (action: "added" | "removed") => ({
      ...example("installation_repositories", action),
      installation: installationCreated(87, "acme", []).installation,
      repositories_added: action === "added" ? [apps] : [],
      repositories_removed: action === "removed" ? [apps] : [],
    });
    await githubLists(87, "acme", truth);
    // The later change on GitHub is delivered first; applying the events as deltas would end the other way round.
    const [first, second] =
      expected.length === 1 ? [change("removed"), change("added")] : [change("added"), change("removed")];
    await processed((await send("installation_repositories", first)).deliveryId);
    await processed((await send("installation_repositories", second)).deliveryId);
    expect(await repositoriesOf(87)).toEqual(expected);
  });

  it("removed repositories are no longer covered; suspend and unsuspend are recorded", async () => {
    await processed((await send("installation", installationCreated(83, "acme", ["infra", "apps"]))).deliveryId);
    const removed = example("installation_repositories", "removed");
    removed.installation = installationCreated(83, "acme", []).installation;
    removed.repositories_removed = [{ id: 83002, node_id: "x", name: "apps", full_name: "acme/apps", private: true }];
    await githubLists(83, "acme", [[83001, "infra"]]);
    await processed((await send("installation_repositories", removed)).deliveryId);
    expect(await repositoriesOf(83)).toEqual(["acme/infra#83001"]);

    const suspend = example("installation", "suspend");
    suspend.installation = {
      ...(installationCreated(83, "acme", []).installation as object),
      suspended_at: "2026-11-01T12:00:00Z",
    };
    await processed((await send("installation", suspend)).deliveryId);
    expect((await installationRow(83))?.suspended_at).not.toBeNull();
    const unsuspend = example("installation", "unsuspend");
    unsuspend.installation = { ...(installationCreated(83, "acme", []).installation as object), suspended_at: null };
    await processed((await send("installation", unsuspend)).deliveryId);
    expect((await installationRow(83))?.suspended_at).toBeNull();
  });

  it("an uninstalled installation stays gone: a late created or added does not bring it back", async () => {
    await processed((await send("installation", installationCreated(84, "acme", ["infra"]))).deliveryId);
    const deleted = example("installation", "deleted");
    deleted.installation = installationCreated(84, "acme", []).installation;
    await processed((await send("installation", deleted)).deliveryId);
    expect((await installationRow(84))?.deleted_at).not.toBeNull();
    expect(await repositoriesOf(84)).toEqual([]);

    await processed((await send("installation", installationCreated(84, "acme", ["infra"]))).deliveryId);
    const added = example("installation_repositories", "added");
    added.installation = installationCreated(84, "acme", []).installation;
    await processed((await send("installation_repositories", added)).deliveryId);
    expect((await installationRow(84))?.deleted_at).not.toBeNull();
    expect(await repositoriesOf(84)).toEqual([]);
  });

  it("a deleted event that arrives before created leaves a tombstone that created respects", async () => {
    const deleted = example("installation", "deleted");
    deleted.installation = installationCreated(85, "acme", []).installation;
    await processed((await send("installation", deleted)).deliveryId);
    await processed((await send("installation", installationCreated(85, "acme", ["infra"]))).deliveryId);
    expect((await installationRow(85))?.deleted_at).not.toBeNull();
    expect(await repositoriesOf(85)).toEqual([]);
  });

  it("renamed and transferred repositories keep their record under the new name; deleted ones are gone", async () => {
    await processed((await send("installation", installationCreated(86, "acme", ["infra", "apps"]))).deliveryId);
    const renamed = example("repository", "renamed");
    renamed.repository = {
      ...(renamed.repository as object),
      id: 86001,
      name: "platform",
      full_name: "acme/platform",
      owner: { login: "acme" },
    };
    await processed((await send("repository", renamed)).deliveryId);
    const transferred = example("repository", "transferred");
    transferred.repository = {
      ...(transferred.repository as object),
      id: 86002,
      name: "apps",
      full_name: "globex/apps",
      owner: { login: "globex" },
    };
    await processed((await send("repository", transferred)).deliveryId);
    expect(await repositoriesOf(86)).toEqual(["globex/apps#86002", "acme/platform#86001"]);

    const deleted = example("repository", "renamed");
    deleted.action = "deleted";
    deleted.repository = {
      ...(deleted.repository as object),
      id: 86001,
      name: "platform",
      full_name: "acme/platform",
      owner: { login: "acme" },
    };
    await processed((await send("repository", deleted)).deliveryId);
    expect(await repositoriesOf(86)).toEqual(["globex/apps#86002"]);
  });
});
