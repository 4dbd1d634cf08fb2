/**
 * The public status pages and `GET /api/status` through the Worker: the seeded history, an incident
 * page's sections and times, operators' markdown rendered safely, the edge cache, and graceful
 * degradation when D1 cannot be read.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { renderMarkdown } from "~/content/markdown";
import { statusEnvelope, statusSummary } from "~/status-page/api-schema.server";
import { createStatusHandler } from "~/api/status.server";
import { purgeStatusCache, STATUS_PATH } from "~/status-page/summary-cache.server";
import { openIncident, writePostmortem, getIncident, addUpdate } from "~/status-page/incidents.server";
import { currentStatus } from "~/status-page/live.server";
import { statusPage } from "~/status-page/pages.server";
import { validate } from "~/validation";
import { seedIncidentSlug } from "../../db/seed";
import { testContext } from "../context";
import { db, FIXED_NOW, seedDatabase } from "../db";
import { get, ORIGIN } from "../http";
import { expectErrorLogs, logRecords } from "../logs";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** A database handle whose every query fails, as when D1 is unreachable. */
const brokenDb = new Proxy(
  {},
  { get: () => () => Promise.reject(new Error("D1_ERROR: unreachable")) },
) as unknown as ReturnType<typeof db>;

describe("GET /api/status", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
    await purgeStatusCache(ORIGIN);
  });

  it("answers the summary in the API envelope, as JSON, checked by its schema", async () => {
    const response = await get(STATUS_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await response.json();
    const checked = validate(statusEnvelope, body);
    expect(checked.ok).toBe(true);
    expect(body).toMatchObject({
      status: 200,
      success: true,
      data: {
        indicator: "operational",
        description: "All systems operational",
        incidents: [],
        checks: { database: { ok: true }, authentication: { ok: true, providers: ["github", "oidc", "dev"] } },
      },
    });
  });

  it("is computed once per 30 s and served from the edge cache in between; a purge recomputes", async () => {
    expect((await get(STATUS_PATH)).headers.get("x-status-cache")).toBe("miss");
    const hit = await get(`${STATUS_PATH}?ignored=1`);
    expect(hit.headers.get("x-status-cache")).toBe("hit");
    const first = (await hit.json()) as { request: string };
    const again = (await (await get(STATUS_PATH)).json()) as { request: string };
    // The envelope is per request even when the summary is cached.
    expect(again.request).not.toBe(first.request);

    // A change behind the cache's back stays invisible until the purge an operator's change does.
    await openIncident(
      db(),
      { title: "API errors", impact: "major_outage", components: ["api"], status: "investigating", body: "Looking." },
      { author: "ops", now: FIXED_NOW },
    );
    expect(((await (await get(STATUS_PATH)).json()) as { data: { indicator: string } }).data.indicator).toBe(
      "operational",
    );
    await purgeStatusCache(ORIGIN);
    const fresh = (await (await get(STATUS_PATH)).json()) as { data: { indicator: string; description: string } };
    expect(fresh.data).toMatchObject({ indicator: "major_outage", description: "Major outage: API" });
  });

  it("still answers when the cache fails", async () => {
    const handler = createStatusHandler(() => ({
      match: () => Promise.reject(new Error("cache down")),
      put: () => Promise.reject(new Error("cache down")),
      delete: () => Promise.reject(new Error("cache down")),
    }));
    const context = testContext();
    const response = await handler({
      request: new Request(`${ORIGIN}/api/status`),
      context,
      params: {},
      url: new URL(`${ORIGIN}/api/status`),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { indicator: string } }).data.indicator).toBe("operational");
  });

  it("reports a database that does not answer as a major outage of everything", async () => {
    const { summary } = await currentStatus(testContext({ db: brokenDb }));
    expect(validate(statusSummary, summary).ok).toBe(true);
    expect(summary.checks.database.ok).toBe(false);
    expect(summary.indicator).toBe("major_outage");
    expect(summary.components.every((c) => c.state === "major_outage")).toBe(true);
    expect(logRecords().some((r) => r.event === "status_database_check_failed")).toBe(true);
  });
});

describe("/status", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
    await purgeStatusCache(ORIGIN);
  });

  it("shows each component's state, 90 labelled days of history, and the incidents newest first", async () => {
    const response = await get("/status");
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const name of ["Authentication", "Dashboard", "API", "Webhooks", "Deployments"])
      expect(html).toContain(`>${name}</h3>`);
    expect(html).toContain("All systems operational");
    // One labelled SVG per component, 90 days wide (5 units a day); only incident days are drawn on their own, with a tooltip.
    expect(html.match(/<svg role="img" aria-label="[^"]*last 90 days[^"]*" viewBox="0 0 449 32"/g)).toHaveLength(5);
    expect(html.match(/<rect x="\d+" width="4" height="32" fill="#f97316" data-state="partial_outage"/g)).toHaveLength(
      2,
    );
    const slug = seedIncidentSlug(FIXED_NOW);
    const date = slug.slice(0, 10);
    expect(html).toContain(`aria-label="Deployments, last 90 days: incidents on 1 day.`);
    const month = MONTHS[Number(date.slice(5, 7)) - 1]!.slice(0, 3);
    expect(html).toContain(
      `data-state="partial_outage" data-date="${date}"><title>${Number(date.slice(8))} ${month}: Partial outage (Delayed plan and apply dispatches)</title>`,
    );
    expect(html).toContain(`href="/status/incidents/${slug}"`);
  });

  it("says the status is unavailable, instead of failing, when D1 cannot be read", async () => {
    expectErrorLogs();
    const page = await statusPage(testContext({ db: brokenDb }));
    expect(page).toEqual({ available: false });
  });
});

describe("/status/incidents/<slug>", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
  });

  it("shows the title, UTC times, affected components, author, the report sections and the timeline", async () => {
    const response = await get(`/status/incidents/${seedIncidentSlug(FIXED_NOW)}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Delayed plan and apply dispatches — Incident · Atmos Pro</title>");
    for (const label of ["Occurred", "Mitigated", "Resolved", "Affected components", "Author"])
      expect(html).toContain(`>${label}</dt>`);
    // The seeded incident starts at 14:05 UTC twelve days before FIXED_NOW's day (db/seed.ts).
    const day = seedIncidentSlug(FIXED_NOW).slice(0, 10);
    const longDay = `${Number(day.slice(8))} ${MONTHS[Number(day.slice(5, 7)) - 1]} ${day.slice(0, 4)}`;
    expect(html).toContain(`${longDay}, 14:05 UTC`);
    expect(html).toContain(`${longDay}, 14:46 UTC`);
    expect(html).toContain(`${longDay}, 15:40 UTC`);
    expect(html).toMatch(
      /<ul aria-label="Affected components"[^>]*><li[^>]*>Webhooks<\/li><li[^>]*>Deployments<\/li><\/ul>/,
    );
    const order = ["Summary", "Impact", "Timeline", "What Happened", "What We Did", "Follow-Up"].map((title) =>
      html.indexOf(`>${title}</h2>`),
    );
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("← Back to Incidents");
    expect(html).toContain("<code>401 Bad credentials</code>");
  });

  it("renders operators' markdown with raw HTML escaped and unsafe links dropped", async () => {
    const now = FIXED_NOW;
    const { slug } = await openIncident(
      db(),
      {
        title: "Script test",
        impact: "degraded",
        components: ["api"],
        status: "investigating",
        body: "Update with <script>alert(2)</script>",
      },
      { author: "ops", now },
    );
    const incident = (await getIncident(db(), slug))!;
    await writePostmortem(
      db(),
      incident,
      {
        summary: 'Before <script>alert(1)</script> after.\n\n<img src=x onerror="alert(1)">',
        impactText: "[click me](javascript:alert(1)) and [fine](https://example.com/a?b=1)",
        whatHappened: '<iframe src="https://evil.example"></iframe>',
        whatWeDid: "**Bold** and `code <b>`",
        followUp: null,
      },
      now,
    );
    await addUpdate(
      db(),
      incident,
      { status: "identified", body: '<a href="javascript:alert(2)">x</a>' },
      { author: "ops", now },
    );
    const html = await (await get(`/status/incidents/${slug}`)).text();
    const body = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
    expect(body).toContain("Before &lt;script&gt;alert(1)&lt;/script&gt; after.");
    expect(body).toContain("Update with &lt;script&gt;alert(2)&lt;/script&gt;");
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/<img[^>]*onerror/i);
    expect(body).not.toMatch(/<iframe/i);
    expect(body).not.toMatch(/href="javascript:/i);
    expect(body).toContain('<a href="https://example.com/a?b=1">fine</a>');
    expect(body).toContain("<strong>Bold</strong> and <code>code &lt;b&gt;</code>");
    // An empty section is left out.
    expect(body).not.toContain(">Follow-Up</h2>");
  });

  it("an unknown incident is a 404 page", async () => {
    const response = await get("/status/incidents/2020-01-01-nothing");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });
});

describe("markdown rendering", () => {
  it("escapes raw HTML, keeps safe links, drops unsafe ones and gives headings stable ids", () => {
    const { html, headings } = renderMarkdown(
      '## Hello *world*\n\n## Hello *world*\n\n### Tag <b>in</b> heading\n\n<div onclick="x()">raw</div>\n\n[a](javascript:x) [b](data:text/html,hi) [c](/docs/locks#rules) [d](mailto:ops@example.com)\n\n![i](javascript:x)',
      { topHeading: 3 },
    );
    expect(headings).toEqual([
      { depth: 3, id: "hello-world", text: "Hello world" },
      { depth: 3, id: "hello-world-1", text: "Hello world" },
      { depth: 4, id: "tag-b-in-b-heading", text: "Tag <b>in</b> heading" },
    ]);
    expect(html).toContain('<h3 id="hello-world">Hello <em>world</em></h3>');
    expect(html).toContain('<h4 id="tag-b-in-b-heading">Tag &lt;b&gt;in&lt;/b&gt; heading</h4>');
    expect(html).toContain("&lt;div onclick=&quot;x()&quot;&gt;raw&lt;/div&gt;");
    expect(html).not.toContain("<div onclick");
    expect(html).toContain('<p>a b <a href="/docs/locks#rules">c</a> <a href="mailto:ops@example.com">d</a></p>');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("data:text");
  });
});
