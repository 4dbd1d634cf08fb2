/**
 * The public site in a real browser: navigating by the header, docs search from the keyboard, the
 * footer's live status indicator, and a status operator opening and resolving an incident (the
 * seeded owner is in the e2e server's OPERATOR_LOGINS, see server-settings.ts).
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  chromiumForFile,
  DESKTOP,
  expectNoConsoleErrors,
  horizontalOverflow,
  isVisible,
  MOBILE,
  screenshot,
  url,
  waitForHydration,
} from "./harness";

const { openPage } = chromiumForFile();

/** Waits until the footer's indicator shows `state` (it refreshes after every navigation) and returns its text. */
async function footerSays(page: Page, state: string): Promise<string> {
  await page.waitForFunction(
    (expected) => document.querySelector("footer [data-status]")?.getAttribute("data-status") === expected,
    state,
    { timeout: 15_000 },
  );
  return ((await page.getByRole("contentinfo").locator("[data-status]").textContent()) ?? "").trim();
}

describe("public site", () => {
  test("the header links lead through Product, Pricing, Docs, Blog and Changelog", async () => {
    const target = await openPage(DESKTOP);
    const { page } = target;
    await page.goto(url("/"));
    await waitForHydration(page, "header a");
    const steps = [
      {
        link: "Product",
        path: "/product",
        heading: "A control plane for Atmos and GitHub Actions",
        title: "Product · Atmos Pro",
      },
      { link: "Pricing", path: "/pricing", heading: "Pricing", title: "Pricing · Atmos Pro" },
      { link: "Docs", path: "/docs", heading: "Documentation", title: "Documentation · Atmos Pro" },
      { link: "Blog", path: "/blog", heading: "Blog", title: "Blog · Atmos Pro" },
      { link: "Changelog", path: "/changelog", heading: "Changelog", title: "Changelog · Atmos Pro" },
    ];
    for (const step of steps) {
      await page.getByRole("banner").getByRole("link", { name: step.link, exact: true }).click();
      await page.waitForURL(url(step.path));
      await page.getByRole("heading", { level: 1, name: step.heading, exact: true }).waitFor();
      expect(await page.title()).toBe(step.title);
      // The active section is marked in the header.
      expect(
        await page.getByRole("banner").getByRole("link", { name: step.link, exact: true }).getAttribute("aria-current"),
      ).toBe("page");
    }
    // Deeper: a changelog entry, the docs sidebar, a blog post, and the footer's status link.
    await page.getByRole("main").getByRole("link", { name: "Plan limits in one place" }).click();
    await page.waitForURL(url("/changelog/2026-11-24-plan-limits"));
    await page.getByRole("heading", { level: 1, name: "Plan limits in one place" }).waitFor();
    await page.getByRole("banner").getByRole("link", { name: "Docs", exact: true }).click();
    await page.getByRole("navigation", { name: "Docs" }).getByRole("link", { name: "Locks" }).click();
    await page.getByRole("heading", { level: 1, name: "Locks", exact: true }).waitFor();
    await page.getByRole("banner").getByRole("link", { name: "Blog", exact: true }).click();
    await page.getByRole("main").getByRole("link", { name: "Drift you can act on" }).click();
    await page.getByRole("heading", { level: 1, name: "Drift you can act on" }).waitFor();
    expect(await page.getByRole("main").textContent()).toContain("By Jonas Lindqvist");
    await page.getByRole("contentinfo").getByRole("link", { name: "Status", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Atmos Pro status" }).waitFor();
    expectNoConsoleErrors(target.errors);
  });

  test("⌘K / Ctrl+K opens docs search; type, pick a result with the keyboard, land on the page", async () => {
    const target = await openPage(DESKTOP);
    const { page } = target;
    await page.goto(url("/pricing"));
    await waitForHydration(page, "header button");

    // The shortcut's listener is attached by an effect, which runs a moment after hydration (later on a
    // busy machine): a key pressed before that is lost, as it would be for a person. Press until it opens.
    const dialog = page.getByRole("dialog", { name: "Search the docs" });
    let opened = false;
    for (let attempt = 0; attempt < 10 && !opened; attempt++) {
      await page.keyboard.press("Control+k");
      opened = await dialog.waitFor({ state: "visible", timeout: 1_000 }).then(
        () => true,
        () => false,
      );
    }
    expect(opened).toBe(true);
    const input = dialog.getByRole("combobox", { name: "Search the docs" });
    expect(await input.evaluate((element) => element === document.activeElement)).toBe(true);
    await input.fill("drift schedule");
    const options = dialog.getByRole("option");
    await options.first().waitFor();
    expect(await options.first().getAttribute("aria-selected")).toBe("true");
    expect(await input.getAttribute("aria-activedescendant")).toBe(await options.first().getAttribute("id"));
    expect(await options.first().textContent()).toContain("Drift detection");
    await screenshot(target, "docs-search");

    // Escape closes it and leaves the page where it was.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(page.url()).toBe(url("/pricing"));

    // ⌘K works too; the second result is one ArrowDown away; Enter opens it.
    await page.keyboard.press("Meta+k");
    expect(await isVisible(dialog)).toBe(true);
    await input.fill("workspace id");
    await options.first().waitFor();
    await page.keyboard.press("ArrowDown");
    expect(await options.nth(1).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowUp");
    expect(await options.first().getAttribute("aria-selected")).toBe("true");
    const first = (await options.first().textContent()) ?? "";
    expect(first).toContain("Quick start");
    await page.keyboard.press("Enter");
    await page.waitForURL((address) => address.pathname === "/docs/quick-start");
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("heading", { level: 1, name: "Quick start" }).waitFor();

    // A result can also be picked with the pointer, and lands on its section.
    await page.getByRole("button", { name: "Search docs" }).click();
    await input.fill("preview alias");
    await options.first().click();
    await page.waitForURL(url("/docs/self-hosting#preview-deployments"));
    await page.getByRole("heading", { level: 1, name: "Self-hosting" }).waitFor();
    expectNoConsoleErrors(target.errors);
  });

  test("the footer says 'Checking status…' first, then what /api/status says, and 'Status unavailable' when it cannot tell", async () => {
    const target = await openPage(MOBILE);
    const { page } = target;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/status", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(url("/"));
    await waitForHydration(page, "footer a");
    expect((await page.getByRole("contentinfo").locator("[data-status]").textContent())?.trim()).toBe(
      "Checking status…",
    );
    release();
    expect(await footerSays(page, "operational")).toBe("All systems operational");
    expect(await horizontalOverflow(page), "the page scrolls sideways").toBeLessThanOrEqual(0);
    await screenshot(target, "home-footer");
    await page.unroute("**/api/status");

    const failing = await openPage(DESKTOP);
    await failing.page.route("**/api/status", (route) => route.abort("failed"));
    await failing.page.goto(url("/docs"));
    expect(await footerSays(failing.page, "unavailable")).toBe("Status unavailable");
    expectNoConsoleErrors(failing.errors, (error) =>
      /api\/status|Failed to load resource/.test(`${error.text} ${error.url ?? ""}`),
    );
    expectNoConsoleErrors(target.errors);
  });

  test("an operator opens an incident and resolves it; the footer follows", async () => {
    const operator = await openPage(DESKTOP, { signedIn: true });
    const { page } = operator;
    const visitor = await openPage(DESKTOP);

    await visitor.page.goto(url("/"));
    expect(await footerSays(visitor.page, "operational")).toBe("All systems operational");

    await page.goto(url("/status/operator"));
    await waitForHydration(page, "main form button");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Status operator");

    // A bad form re-renders with field messages and opens nothing.
    await page.getByRole("button", { name: "Open incident" }).click();
    await page.getByText("Nothing was saved. Fix the fields below and submit again.").waitFor();
    expect(await page.getByText("Give the incident a title of 1 to 120 characters.").isVisible()).toBe(true);
    expect(await page.getByText("Choose at least one affected component.").isVisible()).toBe(true);
    expect(await page.getByLabel("Title").getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/status/operator");

    const title = `Webhook deliveries delayed ${Date.now()}`;
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Impact").selectOption("partial_outage");
    await page.getByRole("checkbox", { name: "API" }).check();
    await page.getByRole("checkbox", { name: "Webhooks" }).check();
    await page
      .getByLabel("First update")
      .fill("GitHub webhook deliveries are **queued** for up to 10 minutes. We are investigating.");
    await page.getByRole("button", { name: "Open incident" }).click();
    await page.waitForURL((address) =>
      /^\/status\/operator\/\d{4}-\d{2}-\d{2}-webhook-deliveries-delayed-\d+$/.test(address.pathname),
    );
    const slug = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByText("Incident opened. It is on the status page now.").waitFor();
    expect(await footerSays(page, "partial_outage")).toBe("Partial outage: API, Webhooks");

    // Everyone sees it: the footer on any page, the status page, the incident page.
    await visitor.page.goto(url("/pricing"));
    expect(await footerSays(visitor.page, "partial_outage")).toBe("Partial outage: API, Webhooks");
    await visitor.page.goto(url("/status"));
    await visitor.page.getByRole("main").getByRole("link", { name: title }).first().waitFor();
    await visitor.page.goto(url(`/status/incidents/${slug}`));
    expect(await visitor.page.getByRole("heading", { level: 1 }).textContent()).toBe(title);
    expect(await visitor.page.getByRole("list", { name: "Affected components" }).textContent()).toBe("APIWebhooks");
    expect(await visitor.page.getByRole("main").innerHTML()).toContain("<strong>queued</strong>");
    await screenshot(visitor, "incident-open");

    // Mitigate, then resolve: mitigated counts as degraded; resolved as operational.
    await page.getByRole("button", { name: "Mark mitigated" }).click();
    await page.getByText("Marked mitigated.").waitFor();
    expect(await footerSays(page, "degraded")).toBe("Degraded performance: API, Webhooks");
    await page.getByLabel("Closing update").fill("Deliveries are back to normal and the backlog has been processed.");
    await page.getByRole("button", { name: "Resolve incident" }).click();
    await page.getByText("Incident resolved.").waitFor();
    expect(await footerSays(page, "operational")).toBe("All systems operational");

    // The report, written in markdown; HTML in it is shown as text.
    await page
      .getByLabel("Summary")
      .fill("Webhook deliveries were delayed by up to 10 minutes. <script>alert(1)</script>");
    await page.getByLabel("What We Did").fill("1. Scaled the queue consumers.\n2. Drained the backlog.");
    await page.getByRole("button", { name: "Save report" }).click();
    await page.getByText("Incident report saved.").waitFor();

    await visitor.page.goto(url("/"));
    expect(await footerSays(visitor.page, "operational")).toBe("All systems operational");
    await visitor.page.goto(url(`/status/incidents/${slug}`));
    const main = visitor.page.getByRole("main");
    expect(await main.getByRole("heading", { name: "Summary" }).isVisible()).toBe(true);
    expect(await main.textContent()).toContain("<script>alert(1)</script>");
    expect(await visitor.page.locator("main script").count()).toBe(0);
    expect(await main.getByRole("heading", { name: "What We Did" }).isVisible()).toBe(true);
    const resolved = await main.locator("dt:text-is('Resolved') + dd").textContent();
    expect(resolved).toMatch(/UTC$/);
    await main.getByRole("link", { name: "← Back to Incidents" }).click();
    await visitor.page.waitForURL(url("/status"));
    await screenshot(visitor, "status-after-incident");

    // The one refused form (400) is the browser's only complaint.
    expectNoConsoleErrors(
      operator.errors,
      (error) => /status of 400/.test(error.text) && (error.url ?? "").includes("/status/operator?index"),
    );
    expectNoConsoleErrors(visitor.errors);
  });
});
