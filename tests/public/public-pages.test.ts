/**
 * Every public page answers 200 with a title, a description, a canonical URL and OpenGraph tags
 * built from the request's origin; the header links lead to real pages; the pricing table is the
 * plans module; unknown docs/blog/changelog addresses are friendly 404s.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CHANGELOG, DOCS, POSTS, SEARCH_INDEX } from "~/content/generated";
import { hitHref, searchDocs } from "~/content/search";
import {
  FEATURES,
  formatLimit,
  LIMITS,
  PLAN_DEFINITIONS,
  PLANS,
  planAllows,
  planLimit,
  withinPlanLimit,
} from "~/domain/plans";
import { seedIncidentSlug } from "../../db/seed";
import { FIXED_NOW, seedDatabase } from "../db";
import { get, ORIGIN } from "../http";

const PUBLIC_PAGES = [
  "/",
  "/product",
  "/pricing",
  "/docs",
  ...DOCS.map((doc) => `/docs/${doc.slug}`),
  "/blog",
  ...POSTS.map((post) => `/blog/${post.slug}`),
  "/changelog",
  ...CHANGELOG.map((entry) => `/changelog/${entry.slug}`),
  "/status",
  `/status/incidents/${seedIncidentSlug(FIXED_NOW)}`,
];

function metaContent(html: string, attribute: "name" | "property", key: string): string | undefined {
  const tag = html.match(new RegExp(`<meta ${attribute}="${key}" content="([^"]*)"`));
  return tag?.[1];
}

describe("public pages", () => {
  beforeEach(async () => {
    await seedDatabase(FIXED_NOW);
  });

  it("the content has what the issue asks for", () => {
    expect(DOCS.length).toBeGreaterThanOrEqual(9);
    for (const slug of [
      "quick-start",
      "how-it-works",
      "ordered-deployments",
      "drift-detection",
      "locks",
      "repository-permissions",
      "authentication",
      "self-hosting",
      "api",
    ]) {
      expect(DOCS.map((doc) => doc.slug)).toContain(slug);
    }
    expect(new Set(DOCS.map((doc) => doc.section))).toEqual(new Set(["Learn", "Configure", "Reference"]));
    expect(POSTS.length).toBeGreaterThanOrEqual(2);
    expect(CHANGELOG.length).toBeGreaterThanOrEqual(3);
    for (const entry of CHANGELOG) expect(entry.slug).toMatch(new RegExp(`^${entry.date}-[a-z0-9-]+$`));
  });

  for (const path of PUBLIC_PAGES) {
    it(`${path} answers 200 with its title, description, canonical URL and OpenGraph tags`, async () => {
      const response = await get(path);
      expect(response.status).toBe(200);
      const html = await response.text();
      const title = html.match(/<title>([^<]+)<\/title>/)?.[1];
      expect(title).toMatch(/Atmos Pro/);
      const description = metaContent(html, "name", "description");
      expect(description && description.length).toBeGreaterThan(50);
      expect(html).toContain(`<link rel="canonical" href="${ORIGIN}${path}"/>`);
      expect(metaContent(html, "property", "og:title")).toBe(title);
      expect(metaContent(html, "property", "og:description")).toBe(description);
      expect(metaContent(html, "property", "og:url")).toBe(`${ORIGIN}${path}`);
      expect(metaContent(html, "property", "og:image")).toBe(`${ORIGIN}/og-image.png`);
      expect(metaContent(html, "property", "og:type")).toMatch(/^(website|article)$/);
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
      // The footer's live indicator starts as "Checking status…" and links to the status page.
      expect(html).toMatch(/<p role="status" aria-live="polite" data-status="checking"><a[^>]*href="\/status"/);
    });
  }

  it("titles and descriptions are unique across pages", async () => {
    const seen = new Map<string, string>();
    for (const path of PUBLIC_PAGES) {
      const html = await (await get(path)).text();
      const title = html.match(/<title>([^<]+)<\/title>/)![1]!;
      expect(seen.get(title), `${path} repeats the title of ${seen.get(title)}`).toBeUndefined();
      seen.set(title, path);
    }
  });

  it("every header link leads to a page that answers 200", async () => {
    const html = await (await get("/")).text();
    const header = html.slice(html.indexOf("<header"), html.indexOf("</header>"));
    const links = [...header.matchAll(/href="(\/[^"#]*)"/g)].map(([, href]) => href!);
    expect(links).toEqual(
      expect.arrayContaining([
        "/",
        "/product",
        "/pricing",
        "/docs",
        "/blog",
        "/changelog",
        "/login",
        "/workspaces/new",
      ]),
    );
    for (const link of links.filter((href) => href !== "/workspaces/new"))
      expect((await get(link)).status, link).toBe(200);
    // Creating a workspace needs a signed-in person: it sends you to sign in first.
    expect((await get("/workspaces/new")).headers.get("location")).toBe(
      `/login?returnTo=${encodeURIComponent("/workspaces/new")}`,
    );
  });

  it("the home page explains the loop and calls to create a workspace", async () => {
    const html = await (await get("/")).text();
    for (const step of ["Pull request", "Affected stacks", "Dispatch", "Results"])
      expect(html).toContain(`>${step}</h3>`);
    expect(html).toContain('<svg role="img" aria-labelledby="waves-title waves-desc"');
    expect(html.match(/href="\/workspaces\/new"[^>]*>Create Workspace</g)!.length).toBeGreaterThanOrEqual(3);
  });

  it("unknown docs, posts and changelog entries are friendly 404s", async () => {
    for (const path of ["/docs/nope", "/blog/nope", "/changelog/2026-01-01-nope"]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("Page not found");
    }
  });
});

describe("pricing comes from the plans module", () => {
  it("renders every limit and feature of every plan as the module says", async () => {
    const html = await (await get("/pricing")).text();
    for (const plan of PLANS) {
      expect(html).toContain(`>${PLAN_DEFINITIONS[plan].name}</th>`);
      for (const limit of LIMITS) {
        expect(html).toContain(
          `data-plan="${plan}" data-limit="${limit}">${formatLimit(limit, planLimit(plan, limit))}</td>`,
        );
      }
      for (const feature of FEATURES) {
        const cell = html.match(new RegExp(`data-plan="${plan}" data-feature="${feature}">([\\s\\S]*?)</td>`))![1]!;
        expect(cell).toContain(planAllows(plan, feature) ? "Included" : "Not included");
      }
    }
  });

  it("gates: limits grow with the plan; single sign-on is Enterprise only", () => {
    expect(planLimit("free", "repositories")).toBe(3);
    expect(withinPlanLimit("free", "repositories", 2)).toBe(true);
    expect(withinPlanLimit("free", "repositories", 3)).toBe(false);
    expect(withinPlanLimit("enterprise", "members", 10_000)).toBe(true);
    expect(planAllows("team", "oidcSignIn")).toBe(false);
    expect(planAllows("enterprise", "oidcSignIn")).toBe(true);
    for (const limit of LIMITS) {
      const values = PLANS.map((plan) => planLimit(plan, limit) ?? Infinity);
      expect([...values].sort((a, b) => a - b)).toEqual(values);
    }
    expect(formatLimit("auditRetentionDays", 365)).toBe("1 year");
    expect(formatLimit("auditRetentionDays", 730)).toBe("2 years");
    expect(formatLimit("members", null)).toBe("Unlimited");
  });
});

describe("docs search", () => {
  it("finds pages by title, headings and text, best first", () => {
    expect(hitHref(searchDocs(SEARCH_INDEX, "workspace id")[0]!)).toMatch(/^\/docs\/quick-start/);
    expect(searchDocs(SEARCH_INDEX, "ATMOS_PRO_WORKSPACE_ID").map((hit) => hit.slug)).toContain("quick-start");
    expect(searchDocs(SEARCH_INDEX, "drift")[0]!.slug).toBe("drift-detection");
    expect(searchDocs(SEARCH_INDEX, "regular expression pattern")[0]!.slug).toBe("repository-permissions");
    expect(hitHref(searchDocs(SEARCH_INDEX, "preview alias")[0]!)).toBe("/docs/self-hosting#preview-deployments");
    expect(searchDocs(SEARCH_INDEX, "zzzz-nothing")).toEqual([]);
    expect(searchDocs(SEARCH_INDEX, "   ")).toEqual([]);
  });

  it("serves the prebuilt index as JSON", async () => {
    const response = await get("/docs/search-index.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { entries: unknown[] };
    expect(body.entries).toEqual(SEARCH_INDEX);
  });
});
