import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { seedDatabase } from "../db";
import { get } from "../http";

const PAGES = [
  "",
  "/repositories",
  "/repositories/acme/infra",
  "/pull-requests",
  "/deployments",
  "/locks",
  "/drift",
  "/members",
  "/audit",
  "/settings",
];

describe("dashboard pages on the seeded workspace", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it.each(PAGES)("/dashboard/acme%s renders with no panel error", async (path) => {
    const response = await get(`/dashboard/acme${path}`, { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
    const html = await response.text();
    expect(response.status, html.slice(0, 2000)).toBe(200);
    expect(html).not.toContain('data-testid="panel-error"');
  });

  it("an instance page shows history, workflows and lock", async () => {
    const instance = await env.DB.prepare(
      "SELECT id FROM instances WHERE component = 'eks/cluster' AND stack = 'plat-ue2-prod'",
    ).first<{ id: string }>();
    const response = await get(`/dashboard/acme/instances/${instance!.id}`, {
      headers: { Cookie: await sessionCookieFor(SEED.ownerId) },
    });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("Upgrading the EKS control plane");
    expect(html).toContain("atmos-terraform-plan.yaml");
  });
});
