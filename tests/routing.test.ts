import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../db/seed";
import { sessionCookieFor } from "./auth";
import { seedDatabase } from "./db";
import { get } from "./http";

describe("pages", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("serves the home page with the public header", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const label of ["Product", "Pricing", "Docs", "Blog", "Changelog", "Sign in", "Create Workspace"]) {
      expect(html).toContain(`>${label}</a>`);
    }
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers an unknown address with the friendly 404 page", async () => {
    const response = await get("/no/such/page");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("answers 404 for a workspace the user is not a member of", async () => {
    const response = await get("/dashboard/someone-else", {
      headers: { Cookie: await sessionCookieFor(SEED.ownerId) },
    });
    expect(response.status).toBe(404);
  });

  it("the dashboard requires sign-in", async () => {
    const response = await get("/dashboard/acme?tab=x");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/login?returnTo=${encodeURIComponent("/dashboard/acme?tab=x")}`);
  });

  it("/dashboard opens the last workspace used", async () => {
    const response = await get("/dashboard", { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/dashboard/acme");
  });
});
