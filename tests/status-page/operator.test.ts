/**
 * The status operator's pages: only logins in OPERATOR_LOGINS get them (everyone else a 404 and no
 * change), every form is checked by its schema (a bad one answers 400 with field messages and
 * changes nothing), the Origin is checked, and each change reaches /status and /api/status at once.
 */
import { SELF } from "cloudflare:test";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import * as manageRoute from "~/routes/status.operator.$slug";
import * as operatorRoute from "~/routes/status.operator._index";
import { purgeStatusCache } from "~/status-page/summary-cache.server";
import { getIncident } from "~/status-page/incidents.server";
import { incidents } from "../../db/schema";
import { SEED, SEED_INCIDENT_ID } from "../../db/seed";
import { db, FIXED_NOW, seedDatabase } from "../db";
import { ORIGIN, get } from "../http";
import { sessionCookieFor } from "../auth";
import { answer, dumpContent, formRequest, getRequest, operatorContext } from "./fixtures";

const OPEN = {
  intent: "open",
  title: "Slow dashboard pages",
  impact: "degraded",
  status: "investigating",
  components: ["dashboard", "api"],
  body: "Pages take **10 s** to load. We are looking into it.",
};

type Args = LoaderFunctionArgs & ActionFunctionArgs;
const call = (fn: (args: Args) => Promise<unknown>, request: Request, params: Record<string, string> = {}) =>
  answer(() => fn({ request, context: operatorContext(), params } as Args));

async function openIncident(fields: Record<string, string | string[]> = OPEN): Promise<string> {
  const response = await call(
    operatorRoute.action,
    await formRequest("/status/operator", fields, { userId: SEED.ownerId }),
  );
  expect(response.status).toBe(302);
  const location = response.headers.get("Location")!;
  expect(location).toMatch(/^\/status\/operator\/\d{4}-\d{2}-\d{2}-slow-dashboard-pages\?done=opened$/);
  return location.split("/").pop()!.split("?")[0]!;
}

async function apiStatus() {
  const response = await get("/api/status");
  return (await response.json()) as {
    data: { indicator: string; description: string; incidents: Array<{ slug: string }> };
  };
}

describe("status operator: who may", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
  });

  it("an operator gets the page; a signed-in non-operator gets a 404", async () => {
    expect((await call(operatorRoute.loader, await getRequest("/status/operator", SEED.ownerId))).status).toBe(200);
    const refused = await call(operatorRoute.loader, await getRequest("/status/operator", SEED.memberId));
    expect(refused.status).toBe(404);
    const seedSlug = (
      await db().select({ slug: incidents.slug }).from(incidents).where(eq(incidents.id, SEED_INCIDENT_ID))
    )[0]!.slug;
    expect(
      (
        await call(manageRoute.loader, await getRequest(`/status/operator/${seedSlug}`, SEED.memberId), {
          slug: seedSlug,
        })
      ).status,
    ).toBe(404);
  });

  it("the Worker with no OPERATOR_LOGINS: 404 for everyone signed in, sign-in first for everyone else", async () => {
    const signedIn = await get("/status/operator", { headers: { Cookie: await sessionCookieFor(SEED.ownerId) } });
    expect(signedIn.status).toBe(404);
    expect(await signedIn.text()).toContain("Page not found");
    const signedOut = await get("/status/operator");
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toBe(`/login?returnTo=${encodeURIComponent("/status/operator")}`);
  });

  it("a non-operator's forms change nothing: 404 for each of them", async () => {
    const before = await dumpContent();
    expect(
      (await call(operatorRoute.action, await formRequest("/status/operator", OPEN, { userId: SEED.memberId }))).status,
    ).toBe(404);
    const seedSlug = (await db().select({ slug: incidents.slug }).from(incidents))[0]!.slug;
    const forms: Array<Record<string, string | string[]>> = [
      { intent: "update", status: "investigating", body: "Hijacked" },
      { intent: "mitigate" },
      { intent: "resolve", body: "Done" },
      { intent: "components", components: ["api"], impact: "major_outage" },
      { intent: "postmortem", summary: "x", impactText: "", whatHappened: "", whatWeDid: "", followUp: "" },
    ];
    for (const fields of forms) {
      const response = await call(
        manageRoute.action,
        await formRequest(`/status/operator/${seedSlug}`, fields, { userId: SEED.memberId }),
        { slug: seedSlug },
      );
      expect(response.status, String(fields.intent)).toBe(404);
    }
    // Through the Worker too (no operators configured there), signed in and signed out.
    const viaWorker = await SELF.fetch(await formRequest("/status/operator", OPEN, { userId: SEED.ownerId }), {
      redirect: "manual",
    });
    expect(viaWorker.status).toBe(404);
    const signedOut = await SELF.fetch(await formRequest("/status/operator", OPEN), { redirect: "manual" });
    expect(signedOut.status).toBe(302);
    expect(await dumpContent()).toEqual(before);
  });

  it("a form posted from another site is refused before anything else", async () => {
    const request = await formRequest("/status/operator", OPEN, {
      userId: SEED.ownerId,
      origin: "https://evil.example",
    });
    const before = await dumpContent();
    const response = await call(operatorRoute.action, request);
    expect(response.status).toBe(403);
    expect(await dumpContent()).toEqual(before);
  });
});

describe("status operator: forms", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
    await purgeStatusCache(ORIGIN);
  });

  it("a bad incident form answers 400 with a message per field and writes nothing", async () => {
    const request = await formRequest(
      "/status/operator",
      {
        intent: "open",
        title: "   ",
        impact: "meltdown",
        status: "resolved",
        components: ["api", "mainframe"],
        body: "",
      },
      { userId: SEED.ownerId },
    );
    const before = await dumpContent();
    const response = await call(operatorRoute.action, request);
    expect(response.status).toBe(400);
    const { fieldErrors } = (await response.json()) as { fieldErrors: Record<string, string> };
    expect(Object.keys(fieldErrors).sort()).toEqual(["body", "components", "impact", "status", "title"]);
    expect(fieldErrors.components).toBe("Choose at least one affected component.");
    expect(await dumpContent()).toEqual(before);
  });

  it("no components at all is refused too", async () => {
    const { components: _components, ...withoutComponents } = OPEN;
    const response = await call(
      operatorRoute.action,
      await formRequest("/status/operator", withoutComponents, { userId: SEED.ownerId }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
      components: "Choose at least one affected component.",
    });
  });

  it("opening an incident writes it, its components and its first update, and shows it at once", async () => {
    expect((await apiStatus()).data.indicator).toBe("operational");
    const slug = await openIncident();
    const incident = (await getIncident(db(), slug))!;
    expect(incident).toMatchObject({
      title: OPEN.title,
      impact: "degraded",
      status: "investigating",
      author: "acme-owner",
      mitigatedAt: null,
      resolvedAt: null,
    });
    expect(incident.components).toEqual(["dashboard", "api"]);
    expect(incident.updates).toEqual([
      expect.objectContaining({ status: "investigating", body: OPEN.body, author: "acme-owner" }),
    ]);
    const status = await apiStatus();
    expect(status.data).toMatchObject({ indicator: "degraded", description: "Degraded performance: Dashboard, API" });
    expect(status.data.incidents.map((i) => i.slug)).toEqual([slug]);
    // The same title on the same day gets its own address.
    const second = await call(
      operatorRoute.action,
      await formRequest("/status/operator", OPEN, { userId: SEED.ownerId }),
    );
    expect(second.headers.get("Location")).toContain(`${slug}-2?done=opened`);
    // Long titles too (D1 refuses LIKE patterns over 50 characters, so the address check must not use one).
    const long = { ...OPEN, title: "Webhook deliveries delayed for workspaces in every region 1795935906408" };
    for (const suffix of ["", "-2"]) {
      const response = await call(
        operatorRoute.action,
        await formRequest("/status/operator", long, { userId: SEED.ownerId }),
      );
      expect(response.headers.get("Location")).toMatch(
        new RegExp(
          `^/status/operator/\\d{4}-\\d{2}-\\d{2}-webhook-deliveries-delayed-for-workspaces-in-every-region-17${suffix}\\?done=opened$`,
        ),
      );
    }
  });

  it("updates, components, mitigation, resolution and the report, each checked by its schema", async () => {
    const slug = await openIncident();
    const manage = async (fields: Record<string, string | string[]>) =>
      call(manageRoute.action, await formRequest(`/status/operator/${slug}`, fields, { userId: SEED.ownerId }), {
        slug,
      });

    // Invalid inputs: 400, nothing written.
    const before = await dumpContent();
    for (const [fields, field] of [
      [{ intent: "update", status: "exploded", body: "x" }, "status"],
      [{ intent: "update", status: "identified", body: "" }, "body"],
      [{ intent: "components", components: [], impact: "degraded" }, "components"],
      [{ intent: "components", components: ["api"], impact: "apocalypse" }, "impact"],
      [{ intent: "resolve", body: "" }, "body"],
      [
        {
          intent: "postmortem",
          summary: "x".repeat(20_001),
          impactText: "",
          whatHappened: "",
          whatWeDid: "",
          followUp: "",
        },
        "summary",
      ],
      [{ intent: "shred" }, "intent"],
    ] as const) {
      const response = await manage(fields as Record<string, string | string[]>);
      expect(response.status, JSON.stringify(fields).slice(0, 60)).toBe(400);
      expect(Object.keys(((await response.json()) as { fieldErrors: object }).fieldErrors)).toContain(field);
    }
    expect(await dumpContent()).toEqual(before);

    expect(
      (await manage({ intent: "update", status: "identified", body: "A bad index on sessions." })).headers.get(
        "Location",
      ),
    ).toBe(`/status/operator/${slug}?done=update`);
    expect((await manage({ intent: "components", components: ["dashboard"], impact: "partial_outage" })).status).toBe(
      302,
    );
    let incident = (await getIncident(db(), slug))!;
    expect(incident).toMatchObject({ status: "identified", impact: "partial_outage", components: ["dashboard"] });
    expect((await apiStatus()).data.description).toBe("Partial outage: Dashboard");

    expect((await manage({ intent: "mitigate" })).headers.get("Location")).toBe(
      `/status/operator/${slug}?done=mitigate`,
    );
    incident = (await getIncident(db(), slug))!;
    expect(incident.mitigatedAt).toBeInstanceOf(Date);
    expect((await apiStatus()).data.description).toBe("Degraded performance: Dashboard");
    expect((await manage({ intent: "mitigate" })).status).toBe(409);

    expect(
      (await manage({ intent: "resolve", body: "Index rebuilt; pages load normally." })).headers.get("Location"),
    ).toBe(`/status/operator/${slug}?done=resolve`);
    incident = (await getIncident(db(), slug))!;
    expect(incident.status).toBe("resolved");
    expect(incident.resolvedAt).toBeInstanceOf(Date);
    expect(incident.updates.map((u) => u.status)).toEqual(["investigating", "identified", "resolved"]);
    expect((await apiStatus()).data).toMatchObject({
      indicator: "operational",
      description: "All systems operational",
      incidents: [],
    });

    // A resolved incident takes no other status, and cannot be resolved twice.
    const afterResolve = await dumpContent();
    expect((await manage({ intent: "update", status: "investigating", body: "Again?" })).status).toBe(409);
    expect((await manage({ intent: "resolve", body: "Twice" })).status).toBe(409);
    expect(await dumpContent()).toEqual(afterResolve);

    const report = {
      intent: "postmortem",
      summary: "Pages were slow.",
      impactText: "Dashboard only.",
      whatHappened: "",
      whatWeDid: "Rebuilt the index.",
      followUp: "- Alert on p95",
    };
    expect((await manage(report)).headers.get("Location")).toBe(`/status/operator/${slug}?done=postmortem`);
    incident = (await getIncident(db(), slug))!;
    expect(incident).toMatchObject({
      summary: "Pages were slow.",
      impactText: "Dashboard only.",
      whatHappened: null,
      whatWeDid: "Rebuilt the index.",
      followUp: "- Alert on p95",
    });

    const page = await call(
      manageRoute.loader,
      await getRequest(`/status/operator/${slug}?done=postmortem`, SEED.ownerId),
      { slug },
    );
    expect(((await page.json()) as { notice: string }).notice).toBe("Incident report saved.");
  });

  it("an unknown incident is a 404 for operators too", async () => {
    const response = await call(
      manageRoute.loader,
      await getRequest("/status/operator/2026-01-01-nothing", SEED.ownerId),
      { slug: "2026-01-01-nothing" },
    );
    expect(response.status).toBe(404);
  });
});
