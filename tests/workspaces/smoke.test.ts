import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { seedDatabase } from "../db";
import { form, request } from "../auth/flow";

describe("workspace pages", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("owner sees members, settings and audit pages", async () => {
    const jar = await sessionCookieFor(SEED.ownerId);
    for (const path of ["/dashboard/acme/members", "/dashboard/acme/settings", "/workspaces/new"]) {
      const page = await request(path, jar);
      expect(page.response.status, path).toBe(200);
    }
  });

  it("an invitation link works only for the account it names", async () => {
    const ownerJar = await sessionCookieFor(SEED.ownerId);
    const invite = await request("/dashboard/acme/members", ownerJar, form({ intent: "invite", invitee: "new-person", role: "admin" }));
    expect(invite.response.status).toBe(200);
    const html = await invite.response.text();
    const link = html.match(/http:\/\/localhost\/invitations\/[A-Za-z0-9_-]{40,}/)?.[0];
    expect(link).toBeDefined();
    const member = await sessionCookieFor(SEED.memberId);
    // The invitation is for "new-person": the seeded member may not use it.
    const wrong = await request(new URL(link!).pathname, member, form({}));
    expect(wrong.response.status).toBe(403);
  });
});
