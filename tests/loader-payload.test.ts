import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "~/observability/logger";
import { type } from "~/validation";
import { payload, PAYLOAD_ERROR_MESSAGE } from "~/validation/payload.server";
import { PANEL_ERROR_MESSAGE } from "~/dashboard/panel.server";
import { SEED } from "../db/seed";
import { sessionCookieFor } from "./auth";
import { seedDatabase } from "./db";
import { get } from "./http";
import { expectErrorLogs, logRecords } from "./logs";

const schema = type({ workspace: { name: "string", slug: "string" }, count: "number" });

describe("loader payloads", () => {
  it("returns a payload that satisfies its schema as JSON", async () => {
    const context = { logger: createLogger({ requestId: "req-1" }), requestId: "req-1" };
    const response = payload(schema, { workspace: { name: "Acme", slug: "acme" }, count: 3 }, context, {
      name: "test",
    });
    expect(await response.json()).toEqual({ workspace: { name: "Acme", slug: "acme" }, count: 3 });
  });

  it("a payload missing a required field never reaches the component: 500 Response, field names logged, data not", async () => {
    expectErrorLogs();
    const context = { logger: createLogger({ requestId: "req-2" }), requestId: "req-2" };
    const incomplete = { workspace: { name: "Top Secret Corp" }, count: 3 } as unknown as typeof schema.inferIn;
    let thrown: unknown;
    try {
      payload(schema, incomplete, context, { name: "test.page" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Response);
    const response = thrown as Response;
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      kind: "payload_invalid",
      message: PAYLOAD_ERROR_MESSAGE,
      requestId: "req-2",
    });
    const records = logRecords().filter((record) => record.event === "loader_payload_invalid");
    expect(records).toEqual([
      expect.objectContaining({ payload: "test.page", fields: ["workspace.slug"], requestId: "req-2" }),
    ]);
    expect(JSON.stringify(logRecords())).not.toContain("Top Secret Corp");
  });
});

describe("a dashboard loader whose data breaks its schema", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("renders the route's error boundary with a clear message and request id, inside the dashboard shell", async () => {
    expectErrorLogs();
    // A row the schema refuses (an unknown role), as a bad migration or writer could leave behind.
    await env.DB.prepare("UPDATE memberships SET role = 'superuser-secret-value' WHERE user_id = ?")
      .bind(SEED.memberId)
      .run();

    const response = await get("/dashboard/acme/members", {
      headers: { Cookie: await sessionCookieFor(SEED.ownerId) },
    });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("We could not show this page");
    expect(html).toContain(PAYLOAD_ERROR_MESSAGE);
    const requestId = response.headers.get("x-request-id")!;
    expect(html).toContain(requestId);
    // The layout (shell with the workspace switcher) still rendered around the failed page.
    expect(html).toContain('id="workspace-switcher"');

    const records = logRecords().filter((record) => record.event === "loader_payload_invalid");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ payload: "dashboard.members", fields: ["members.1.role"], requestId });
    expect(JSON.stringify(logRecords())).not.toContain("superuser-secret-value");
  });

  it("one broken panel shows its own error while the rest of the page renders", async () => {
    expectErrorLogs();
    await env.DB.prepare(
      "UPDATE deployments SET kind = 'exfiltrate-secret-value' WHERE id = (SELECT id FROM deployments ORDER BY created_at DESC LIMIT 1)",
    ).run();
    const response = await get("/dashboard/acme", { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(PANEL_ERROR_MESSAGE);
    expect(html.match(/data-testid="panel-error"/g)).toHaveLength(1);
    // The other panels are there.
    expect(html).toContain('data-testid="count-in_sync"');
    expect(html).toContain("acme/infra");
    const records = logRecords().filter((record) => record.event === "panel_payload_invalid");
    expect(records).toEqual([expect.objectContaining({ panel: "overview.recent", fields: ["deployments.0.kind"] })]);
    expect(JSON.stringify(logRecords())).not.toContain("exfiltrate-secret-value");
  });

  it("renders the overview when the data is sound", async () => {
    const response = await get("/dashboard/acme", { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Overview");
    expect(html).toContain("acme/infra");
    expect(html).not.toContain('data-testid="panel-error"');
  });
});
