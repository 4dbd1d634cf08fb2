/**
 * "Require single sign-on" (issue 11, part 3): who may turn it on and off, what the plan allows, the
 * audit events, the page members signed in another way get, and what it leaves alone (the CLI API,
 * the user's other workspaces). Every dashboard route × with single sign-on / without is the
 * "single sign-on required" block of tests/workspaces/isolation-matrix.test.ts.
 * Sessions are real rows made by createSession with the provider they signed in with (`oidc` is
 * single sign-on); data and times at FIXED_NOW.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditEvents, workspaces } from "../../db/schema";
import { SEED } from "../../db/seed";
import type { SignInProvider } from "~/config/env.server";
import { setRequireSso } from "~/domain/workspaces.server";
import { api, apiToken } from "../api/client";
import { sessionCookieFor } from "../auth";
import { testNow } from "../context";
import { form, request } from "../auth/sign-in";
import { db, dumpDatabase, FIXED_NOW } from "../db";
import { ACME_ADMIN, addMembership, GLOBEX, pageText, restoreWorld } from "./fixtures";

type Plan = "free" | "team" | "enterprise";

async function setAcme(values: { plan?: Plan; requireSso?: boolean }) {
  await db().update(workspaces).set(values).where(eq(workspaces.id, SEED.workspaceId));
}

async function acme() {
  return (
    await db()
      .select({ plan: workspaces.plan, requireSso: workspaces.requireSso })
      .from(workspaces)
      .where(eq(workspaces.id, SEED.workspaceId))
  )[0]!;
}

async function ssoEvents() {
  return db()
    .select({
      action: auditEvents.action,
      category: auditEvents.category,
      actorId: auditEvents.actorId,
      metadata: auditEvents.metadata,
      createdAt: auditEvents.createdAt,
    })
    .from(auditEvents)
    .where(eq(auditEvents.workspaceId, SEED.workspaceId))
    .then((rows) => rows.filter((row) => row.action.startsWith("workspace.sso_")));
}

const as = (userId: string, provider: SignInProvider) => sessionCookieFor(userId, undefined, provider);

/** POSTs the settings form's "sso" intent; returns the status and the page (or data) as text. */
async function toggle(cookie: string, required: "on" | "off") {
  const { response } = await request("/dashboard/acme/settings", cookie, form({ intent: "sso", required }));
  return { status: response.status, text: pageText(await response.text()) };
}

const PLAN_MESSAGE = (plan: "Free" | "Team") =>
  `The ${plan} plan does not include single sign-on (OpenID Connect), so this workspace cannot require it. It comes with the Enterprise plan: see /pricing.`;

beforeEach(async () => {
  await restoreWorld();
});

describe("turning on “Require single sign-on”", () => {
  it("an Owner of an Enterprise workspace, signed in with single sign-on: on, with a workspace.sso_required event", async () => {
    await setAcme({ plan: "enterprise" });
    const result = await toggle(await as(SEED.ownerId, "oidc"), "on");
    expect(result.status).toBe(200);
    expect(result.text).toContain("This workspace now requires single sign-on.");
    expect((await acme()).requireSso).toBe(true);
    expect(await ssoEvents()).toEqual([
      {
        action: "workspace.sso_required",
        category: "workspace",
        actorId: SEED.ownerId,
        metadata: { provider: "oidc" },
        createdAt: expect.any(Date),
      },
    ]);
    const [event] = await ssoEvents();
    expect(Math.abs(event!.createdAt.getTime() - testNow().getTime()), "written on the run's clock").toBeLessThan(
      10_000,
    );
    // Turning it on again changes nothing and writes no second event.
    expect((await toggle(await as(SEED.ownerId, "oidc"), "on")).status).toBe(200);
    expect(await ssoEvents()).toHaveLength(1);
  });

  it("an Owner signed in another way (GitHub, dev): refused with the reason, nothing changed", async () => {
    await setAcme({ plan: "enterprise" });
    for (const provider of ["github", "dev"] as const) {
      const cookie = await as(SEED.ownerId, provider);
      const before = await dumpDatabase();
      const result = await toggle(cookie, "on");
      expect(result.status, provider).toBe(403);
      expect(result.text).toContain(
        "Sign in with single sign-on first: you are signed in another way, and requiring single sign-on now would lock you out of this workspace.",
      );
      expect(await dumpDatabase(), provider).toEqual(before);
    }
    expect((await acme()).requireSso).toBe(false);
  });

  it.each([
    ["team", "Team"],
    ["free", "Free"],
  ] as const)(
    "on the %s plan: refused with the plan message, nothing changed (also when signed in with single sign-on)",
    async (plan, name) => {
      await setAcme({ plan });
      for (const provider of ["oidc", "github"] as const) {
        const cookie = await as(SEED.ownerId, provider);
        const before = await dumpDatabase();
        const result = await toggle(cookie, "on");
        expect(result.status, provider).toBe(409);
        expect(result.text).toContain(PLAN_MESSAGE(name));
        expect(await dumpDatabase(), provider).toEqual(before);
      }
    },
  );

  it("the plan is checked inside the write: a plan changed since the page was read still refuses", async () => {
    await setAcme({ plan: "team" });
    const before = await dumpDatabase();
    // The caller believes the workspace is on Enterprise (read before the downgrade).
    const change = await setRequireSso(
      db(),
      { id: SEED.workspaceId, plan: "enterprise" },
      {
        required: true,
        signedInWith: "oidc",
        actor: { type: "user", id: SEED.ownerId, label: SEED.ownerLogin },
        now: FIXED_NOW,
      },
    );
    expect(change).toEqual({ ok: false, reason: "plan_limit", message: PLAN_MESSAGE("Team") });
    expect(await dumpDatabase()).toEqual(before);
  });

  it("an Admin or a Member (even signed in with single sign-on): 403, nothing changed", async () => {
    await setAcme({ plan: "enterprise" });
    for (const userId of [ACME_ADMIN.id, SEED.memberId]) {
      const cookie = await as(userId, "oidc");
      const before = await dumpDatabase();
      const result = await toggle(cookie, "on");
      expect(result.status).toBe(403);
      expect(result.text).toContain(
        "does not allow this: rename the workspace, change its slug, require single sign-on. Ask an owner of Acme",
      );
      expect(await dumpDatabase()).toEqual(before);
    }
  });
});

describe("turning it off", () => {
  it("the Owner, signed in with single sign-on: off, with a workspace.sso_not_required event", async () => {
    await setAcme({ plan: "enterprise", requireSso: true });
    const result = await toggle(await as(SEED.ownerId, "oidc"), "off");
    expect(result.status).toBe(200);
    expect(result.text).toContain("This workspace no longer requires single sign-on.");
    expect((await acme()).requireSso).toBe(false);
    expect(await ssoEvents()).toEqual([
      {
        action: "workspace.sso_not_required",
        category: "workspace",
        actorId: SEED.ownerId,
        metadata: { provider: "oidc" },
        createdAt: expect.any(Date),
      },
    ]);
  });

  it("the Owner signed in another way cannot reach it while it is on: the single sign-on page, nothing changed", async () => {
    await setAcme({ plan: "enterprise", requireSso: true });
    const cookie = await as(SEED.ownerId, "github");
    const before = await dumpDatabase();
    const result = await toggle(cookie, "off");
    expect(result.status).toBe(403);
    expect(result.text).toContain("Acme requires signing in with your organisation's provider (Acme SSO)");
    expect(await dumpDatabase()).toEqual(before);
  });

  it("works on a plan without single sign-on (a workspace moved off Enterprise keeps its requirement until an owner lifts it)", async () => {
    await setAcme({ plan: "team", requireSso: true });
    // Still enforced after the downgrade …
    const member = await request("/dashboard/acme", await as(SEED.memberId, "github"));
    expect(member.response.status).toBe(403);
    // … and the owner, signed in with single sign-on, may turn it off.
    const result = await toggle(await as(SEED.ownerId, "oidc"), "off");
    expect(result.status).toBe(200);
    expect((await acme()).requireSso).toBe(false);
    expect((await request("/dashboard/acme", await as(SEED.memberId, "github"))).response.status).toBe(200);
  });
});

describe("the settings page", () => {
  it("offers the switch to an Owner signed in with single sign-on, the provider's sign-in to one signed in another way, and the plan to Team", async () => {
    await setAcme({ plan: "enterprise" });
    const withSso = pageText(
      await (await request("/dashboard/acme/settings", await as(SEED.ownerId, "oidc"))).response.text(),
    );
    expect(withSso).toContain(">Require single sign-on</button>");
    expect(withSso).not.toContain("sign in with single sign-on first");

    const without = await (await request("/dashboard/acme/settings", await as(SEED.ownerId, "github"))).response.text();
    expect(pageText(without)).toContain(
      "To turn it on, sign in with single sign-on first, so that you keep access yourself.",
    );
    expect(without).toMatch(
      /<form method="post" action="\/auth\/oidc"[^>]*><input type="hidden" name="returnTo" value="\/dashboard\/acme\/settings"\/><button[^>]*>Continue with Acme SSO<\/button>/,
    );

    await setAcme({ plan: "team" });
    const team = pageText(
      await (await request("/dashboard/acme/settings", await as(SEED.ownerId, "oidc"))).response.text(),
    );
    expect(team).toContain("Requiring single sign-on comes with the Enterprise plan");
    expect(team).not.toContain(">Require single sign-on</button>");

    await setAcme({ plan: "enterprise", requireSso: true });
    const on = pageText(
      await (await request("/dashboard/acme/settings", await as(SEED.ownerId, "oidc"))).response.text(),
    );
    expect(on).toContain("This workspace requires single sign-on");
    expect(on).toContain(">Stop requiring single sign-on</button>");
    const admin = pageText(
      await (await request("/dashboard/acme/settings", await as(ACME_ADMIN.id, "oidc"))).response.text(),
    );
    expect(admin).toContain("Only owners can change this.");
    expect(admin).not.toContain("Stop requiring single sign-on");
  });
});

describe("what requiring single sign-on leaves alone", () => {
  beforeEach(async () => {
    await setAcme({ plan: "enterprise", requireSso: true });
  });

  it("the user's other workspaces: Globex opens as before and its switcher still lists Acme; Acme's page links to Globex", async () => {
    await addMembership(GLOBEX.workspaceId, SEED.ownerId, "member");
    const cookie = await as(SEED.ownerId, "github");
    const globex = await request("/dashboard/globex", cookie);
    expect(globex.response.status).toBe(200);
    expect(await globex.response.text(), "the switcher lists Acme").toMatch(
      /<select id="workspace-switcher"[^>]*>[\s\S]*<option value="acme">Acme<\/option>[\s\S]*<\/select>/,
    );

    const refused = await request("/dashboard/acme/locks", cookie);
    expect(refused.response.status).toBe(403);
    const html = await refused.response.text();
    expect(pageText(html)).toContain("Your other workspaces:");
    expect(html).toMatch(/href="\/dashboard\/globex"[^>]*>Globex Corp</);
  });

  it("the CLI API: an API token still exchanges, locks and unlocks on a workspace that requires single sign-on", async () => {
    const token = await apiToken();
    const key = "acme/infra/plat-ue2-dev/vpc";
    const locked = await api("POST", "/api/v1/locks", { token, body: { key, ttl: 3600, lockMessage: "sso" } });
    expect(locked.response.status, JSON.stringify(locked.envelope)).toBe(200);
    expect(locked.envelope.success).toBe(true);
    expect(locked.envelope.data).toMatchObject({ key, lockMessage: "sso", workspaceId: SEED.workspaceId });
    expect((await api("DELETE", "/api/v1/locks", { token, body: { key } })).envelope.success).toBe(true);
  });

  it("the page members signed in another way get: 403, the reason, the provider's sign-in back to this page", async () => {
    const { response } = await request("/dashboard/acme/deployments?status=failed", await as(SEED.memberId, "github"));
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(pageText(html)).toContain("Sign in with your organisation's provider");
    expect(pageText(html)).toContain(
      "Acme requires signing in with your organisation's provider (Acme SSO). You are signed in another way: sign in with Acme SSO to continue.",
    );
    expect(html).toMatch(
      /<form method="post" action="\/auth\/oidc"[^>]*data-testid="sso-sign-in"[^>]*><input type="hidden" name="returnTo" value="\/dashboard\/acme\/deployments\?status=failed"\/><button[^>]*>Continue with Acme SSO<\/button>/,
    );
    // The button starts the provider's sign-in as the login page does (302 to the provider), carrying returnTo.
    const start = await request("/auth/oidc", "", form({ returnTo: "/dashboard/acme/deployments?status=failed" }));
    expect(start.response.status).toBe(302);
    expect(start.response.headers.get("location")).toMatch(/^https?:\/\/[^/]+\/.*authorize/);
  });
});
