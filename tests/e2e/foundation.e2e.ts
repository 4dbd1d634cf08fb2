/**
 * The foundation in a real browser: the public home page, the seeded dashboard (signed in as the
 * seeded owner), the /dashboard redirect and the friendly 404 — each rendered by the Worker,
 * hydrated by React without console errors, screenshotted at desktop and mobile sizes.
 */
import { describe, expect, test } from "vitest";
import { SEED, SEED_COMPONENTS, SEED_STACKS } from "../../db/seed";
import {
  chromiumForFile,
  DESKTOP,
  expectNoConsoleErrors,
  horizontalOverflow,
  isVisible,
  screenshot,
  url,
  VIEWPORTS,
  waitForHydration,
} from "./harness";

const HEADER_LINKS = [
  { name: "Product", href: "/product" },
  { name: "Pricing", href: "/pricing" },
  { name: "Docs", href: "/docs" },
  { name: "Blog", href: "/blog" },
  { name: "Changelog", href: "/changelog" },
  { name: "Sign in", href: "/login" },
  { name: "Create Workspace", href: "/workspaces/new" },
];

const { openPage } = chromiumForFile();

describe.each(VIEWPORTS)("$name ($width×$height)", (viewport) => {
  test("the home page renders its heading and the public header", async () => {
    const target = await openPage(viewport);
    const { page } = target;
    const response = await page.goto(url("/"));
    expect(response?.status()).toBe(200);
    await waitForHydration(page, "header a");

    const heading = page.getByRole("heading", { level: 1 });
    expect(await isVisible(heading)).toBe(true);
    expect(await heading.textContent()).toContain("Deploy Terraform on AWS in dependency order");
    expect(await page.title()).toContain("Atmos Pro");

    const header = page.getByRole("banner");
    for (const link of HEADER_LINKS) {
      const locator = header.getByRole("link", { name: link.name, exact: true });
      expect(await locator.count(), `header link "${link.name}"`).toBe(1);
      expect(await isVisible(locator), `header link "${link.name}" is visible`).toBe(true);
      expect(await locator.getAttribute("href"), `header link "${link.name}"`).toBe(link.href);
    }

    await screenshot(target, "home");
    expect(await horizontalOverflow(page), "the page scrolls sideways").toBeLessThanOrEqual(0);
    expectNoConsoleErrors(target.errors);
  });

  test("the seeded dashboard renders the Acme overview", async () => {
    const target = await openPage(viewport, { signedIn: true });
    const { page } = target;
    const response = await page.goto(url(`/dashboard/${SEED.workspaceSlug}`));
    expect(response?.status()).toBe(200);
    await waitForHydration(page, "#workspace-switcher");

    expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);

    const switcher = page.getByRole("combobox", { name: "Workspace" });
    expect(await switcher.inputValue()).toBe(SEED.workspaceSlug);
    expect((await switcher.locator("option:checked").textContent())?.trim()).toBe(SEED.workspaceName);

    const repositories = page.getByRole("region", { name: "Repositories" }).getByRole("listitem");
    expect(await repositories.allInnerTexts()).toEqual([expect.stringContaining("acme/infra")]);

    const counts: Record<string, number> = {};
    for (const status of ["in_sync", "drifted", "error", "unknown"]) {
      const text = (await page.getByTestId(`count-${status}`).textContent())?.trim() ?? "";
      expect(text, `count-${status}`).toMatch(/^\d+$/);
      counts[status] = Number(text);
    }
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    expect(total, `instances by status ${JSON.stringify(counts)}`).toBe(SEED_STACKS.length * SEED_COMPONENTS.length);
    expect(total).toBe(60);

    const deployments = page.getByRole("region", { name: "Recent deployments" });
    const table = deployments.getByRole("table");
    expect(await isVisible(table)).toBe(true);
    const headers = (await table.locator("thead th").allInnerTexts()).map((text) => text.trim());
    expect(headers.slice(0, 4)).toEqual(["Instance", "Kind", "Status", "Created"]);
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    const firstRow = (await rows.first().locator("td").allInnerTexts()).map((text) => text.trim());
    expect(firstRow[0]).toMatch(/ in \S+/);
    expect(firstRow[1]).toMatch(/^(plan|apply|detect|remediate)$/);

    await screenshot(target, "dashboard");
    expect(await horizontalOverflow(page), "the page scrolls sideways").toBeLessThanOrEqual(0);
    expectNoConsoleErrors(target.errors);
  });

  test("an unknown address shows the friendly 404 page", async () => {
    const target = await openPage(viewport);
    const { page } = target;
    const missing = url("/no-such-page-e2e");
    const response = await page.goto(missing);
    expect(response?.status()).toBe(404);
    await waitForHydration(page, "[role=alert] a");

    const alert = page.getByRole("alert");
    expect(await isVisible(alert.getByRole("heading", { name: "Page not found" }))).toBe(true);
    expect(await alert.textContent()).toContain("Error 404");
    // The public header frames the error, so the visitor can carry on.
    expect(await page.getByRole("banner").getByRole("link", { name: "Docs", exact: true }).count()).toBe(1);

    await screenshot(target, "not-found");

    // Hydrated: the way back is a client-side navigation (the window survives, no new document).
    await page.evaluate(() => ((window as unknown as { __e2eMarker: number }).__e2eMarker = 42));
    await alert.getByRole("link", { name: /Back to the home page/ }).click();
    await page.waitForURL(url("/"));
    expect(await isVisible(page.getByRole("heading", { level: 1, name: /Deploy Terraform/ }))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __e2eMarker?: number }).__e2eMarker)).toBe(42);

    // Chromium reports the 404 document itself as a failed resource; anything else is a bug.
    expectNoConsoleErrors(
      target.errors,
      (error) => error.kind === "console" && error.url === missing && /status of 404/.test(error.text),
    );
  });
});

test("/dashboard opens the seeded workspace for its owner", async () => {
  const target = await openPage(DESKTOP, { signedIn: true });
  const { page } = target;
  const response = await page.goto(url("/dashboard"));
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe(`/dashboard/${SEED.workspaceSlug}`);
  const redirect = response!.request().redirectedFrom();
  expect(redirect && new URL(redirect.url()).pathname).toBe("/dashboard");
  expect((await redirect!.response())?.status()).toBe(302);
  expect(await isVisible(page.getByRole("heading", { level: 1, name: "Overview" }))).toBe(true);
  expectNoConsoleErrors(target.errors);
});

test("signed out, the dashboard sends the visitor to sign in and back", async () => {
  for (const path of ["/dashboard", `/dashboard/${SEED.workspaceSlug}`]) {
    const response = await fetch(url(path), { redirect: "manual" });
    expect(response.status, path).toBe(302);
    const location = new URL(response.headers.get("location") ?? "", url("/"));
    expect(location.pathname, path).toBe("/login");
    expect(location.searchParams.get("returnTo"), path).toBe(path);
    await response.arrayBuffer();
  }
});
