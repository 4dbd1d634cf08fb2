/**
 * The dashboard in a real browser, signed in as the seeded owner: every page of the seeded
 * workspace (and one instance page, and the repository page filtered through its form) at desktop
 * and mobile sizes — what a user looks for (headings, rows, counts), axe-core (WCAG 2.0/2.1 A and
 * AA: no serious or critical violation), the keyboard (Tab reaches every sidebar link and the user
 * menu, which opens with Enter), a screenshot per page and viewport in tests/e2e/artifacts/, no
 * sideways scrolling on mobile, no console errors. Then an empty workspace, created through
 * /workspaces/new: its empty states, including the `gh variable set ATMOS_PRO_WORKSPACE_ID` line.
 * That workspace is deleted at the end (through its settings page), so other files see the seed.
 */
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, test } from "vitest";
import { SEED, SEED_COMPONENTS, SEED_STACKS } from "../../db/seed";
import {
  chromiumForFile,
  DESKTOP,
  expectNoConsoleErrors,
  horizontalOverflow,
  isVisible,
  MOBILE,
  screenshot,
  url,
  VIEWPORTS,
  waitForHydration,
  type E2EPage,
  type Viewport,
} from "./harness";

const BASE = `/dashboard/${SEED.workspaceSlug}`;
const OWNER_NAME = "Ada Owner";
const NAV_LINKS = [
  "Overview",
  "Repositories",
  "Pull requests",
  "Deployments",
  "Locks",
  "Drift",
  "Members",
  "Audit log",
  "Settings",
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

const chromium = chromiumForFile();
const openPage = (viewport: Viewport) => chromium.openPage(viewport, { signedIn: true });

afterAll(() => {
  const lines = axeLog.map(
    ({ label, violations }) =>
      `${label.padEnd(36)} ${violations.length === 0 ? "no violations" : violations.map((v) => `${v.id} [${v.impact}] ×${v.nodes.length}`).join(", ")}`,
  );
  if (lines.length > 0) console.log(`axe-core ${axe.version} (${AXE_TAGS.join(", ")}), per page:\n${lines.join("\n")}`);
});

/** Loads `path` as a document and waits for React to hydrate the dashboard shell. */
async function visit(target: E2EPage, path: string): Promise<void> {
  const response = await target.page.goto(url(path));
  expect(response?.status(), path).toBe(200);
  await waitForHydration(target.page, "#workspace-switcher");
}

// ─── axe-core ────────────────────────────────────────────────────────────────────────────────

type AxeNode = { target: unknown[]; html: string; failureSummary?: string };
type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  tags: string[];
  nodes: AxeNode[];
};

/** axe-core's WCAG 2.0/2.1 A + AA rules on the page as it is now. */
async function runAxe(page: Page): Promise<AxeViolation[]> {
  // The page at rest: no hovered button (a tap leaves :hover on), no focused control.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === "object");
  if (!loaded) await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const runner = (
      window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: unknown[] }> } }
    ).axe;
    const results = await runner.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return results.violations as never;
  }, AXE_TAGS);
}

function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((violation) =>
      [
        `[${violation.impact ?? "unknown"}] ${violation.id}: ${violation.help}`,
        `    ${violation.helpUrl}`,
        ...violation.nodes
          .slice(0, 5)
          .map(
            (node) =>
              `    - ${JSON.stringify(node.target)}  ${node.html.slice(0, 160)}\n      ${(node.failureSummary ?? "").replace(/\n/g, "\n      ")}`,
          ),
        violation.nodes.length > 5 ? `    … and ${violation.nodes.length - 5} more` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    )
    .join("\n");
}

/** Every axe finding is printed; a serious or critical one fails the test. */
async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await runAxe(page);
  axeLog.push({ label, violations });
  if (violations.length > 0)
    console.log(`axe (${AXE_TAGS.join(", ")}) on ${label}:\n${describeViolations(violations)}`);
  const blocking = violations.filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ""));
  expect(blocking, `serious/critical accessibility violations on ${label}:\n${describeViolations(blocking)}`).toEqual(
    [],
  );
}

/** Every axe run, for the summary printed at the end. */
const axeLog: Array<{ label: string; violations: AxeViolation[] }> = [];

// ─── The keyboard ────────────────────────────────────────────────────────────────────────────

type Stop = { tag: string; text: string; href: string | null; visible: boolean };

async function focused(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { tag: "body", text: "", href: null, visible: false };
    const box = element.getBoundingClientRect();
    return {
      tag: element.tagName.toLowerCase(),
      text: (element.innerText || element.textContent || "").trim().slice(0, 60),
      href: element.getAttribute("href"),
      visible: box.width > 0 && box.height > 0,
    };
  });
}

/** Where Tab goes from the first element of the page (the logo link), for up to `max` presses. */
async function tabStops(page: Page, max: number): Promise<Stop[]> {
  await page.locator("aside a").first().focus();
  const stops: Stop[] = [await focused(page)];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    stops.push(await focused(page));
  }
  return stops;
}

/** Tab reaches every sidebar link and the user menu; Enter opens the menu and Tab goes into it. */
async function expectKeyboardReachable(page: Page, label: string): Promise<void> {
  const stops = await tabStops(page, 16);
  expect(stops[0]!.tag, "the Tab walk starts at the logo").toBe("a");
  const seen = stops.map((stop) => `${stop.tag}:${stop.text}`).join(" | ");
  for (const name of NAV_LINKS) {
    const stop = stops.find((candidate) => candidate.tag === "a" && candidate.text === name);
    expect(stop, `${label}: Tab never reaches the "${name}" sidebar link. Tab order: ${seen}`).toBeDefined();
    expect(stop!.visible, `${label}: "${name}" is focused but not visible`).toBe(true);
  }
  const menuAt = stops.findIndex((stop) => stop.tag === "summary" && stop.text === OWNER_NAME);
  expect(menuAt, `${label}: Tab never reaches the user menu. Tab order: ${seen}`).toBeGreaterThanOrEqual(0);
  expect(menuAt, "the user menu comes after the sidebar").toBeGreaterThan(
    stops.findIndex((stop) => stop.text === "Settings"),
  );

  // On the menu, Enter opens it: its first item is next in the Tab order.
  await page.locator("header summary").focus();
  await page.keyboard.press("Enter");
  expect(await page.locator("header details").evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText.trim())).toBe(
    "Create workspace",
  );
  expect(await isVisible(page.getByRole("button", { name: "Sign out", exact: true }))).toBe(true);
  // And Enter on the summary closes it again.
  await page.keyboard.down("Shift");
  await page.keyboard.press("Tab");
  await page.keyboard.up("Shift");
  await page.keyboard.press("Enter");
  expect(await page.locator("header details").evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
}

// ─── What each page shows ────────────────────────────────────────────────────────────────────

const INSTANCES = SEED_STACKS.length * SEED_COMPONENTS.length;

async function heading(page: Page, name: string): Promise<void> {
  expect(await isVisible(page.getByRole("heading", { level: 1, name, exact: true })), `h1 "${name}"`).toBe(true);
}

async function statusCounts(page: Page): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of ["in_sync", "drifted", "error", "unknown"]) {
    const text = (await page.getByTestId(`count-${status}`).textContent())?.trim() ?? "";
    expect(text, `count-${status}`).toMatch(/^\d+$/);
    counts[status] = Number(text);
  }
  return counts;
}

type DashboardPage = {
  key: string;
  /** The address, or how to find it from the seeded pages. */
  path: (page: Page) => Promise<string>;
  check: (page: Page) => Promise<void>;
};

const fixed = (path: string) => async () => path;

/** The instance page of eks/cluster in plat-ue2-prod (the seeded lock), found from the repository table. */
async function instancePath(page: Page): Promise<string> {
  await visitPath(page, `${BASE}/repositories/acme/infra`);
  const link = page
    .getByRole("row")
    .filter({ hasText: "plat-ue2-prod" })
    .getByRole("link", { name: "eks/cluster", exact: true });
  const href = await link.getAttribute("href");
  expect(href).toMatch(new RegExp(`^${BASE}/instances/inst_`));
  return href!;
}

async function visitPath(page: Page, path: string): Promise<void> {
  const response = await page.goto(url(path));
  expect(response?.status(), path).toBe(200);
}

const PAGES: DashboardPage[] = [
  {
    key: "overview",
    path: fixed(BASE),
    check: async (page) => {
      await heading(page, "Overview");
      const counts = await statusCounts(page);
      expect(
        Object.values(counts).reduce((sum, n) => sum + n, 0),
        JSON.stringify(counts),
      ).toBe(INSTANCES);
      const recent = page.getByRole("region", { name: "Recent deployments" }).getByRole("table");
      expect(await recent.locator("tbody tr").count()).toBe(8);
      expect(
        await page.getByRole("region", { name: "Repositories" }).getByRole("link", { name: "acme/infra" }).count(),
      ).toBe(1);
      expect(await page.getByRole("region", { name: "Needs attention" }).getByRole("listitem").count()).toBeGreaterThan(
        0,
      );
    },
  },
  {
    key: "repositories",
    path: fixed(`${BASE}/repositories`),
    check: async (page) => {
      await heading(page, "Repositories");
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "acme/infra" }) });
      expect(await row.count()).toBe(1);
      expect((await row.getByRole("cell").nth(1).textContent())?.trim()).toBe(String(INSTANCES));
    },
  },
  {
    key: "repository",
    path: fixed(`${BASE}/repositories/acme/infra`),
    check: async (page) => {
      await heading(page, "acme/infra");
      const rows = page.getByRole("region", { name: "Instances" }).locator("tbody tr");
      expect(await rows.count()).toBe(50);
      expect(await isVisible(page.getByRole("link", { name: "Next page →" }))).toBe(true);
      // The seeded lock shows on its row.
      expect(await page.getByRole("row").filter({ hasText: "plat-ue2-prod" }).filter({ hasText: "🔒" }).count()).toBe(
        1,
      );
    },
  },
  {
    key: "instance",
    path: instancePath,
    check: async (page) => {
      await heading(page, "eks/cluster");
      const lock = page.getByRole("region", { name: "Lock" });
      expect(await lock.textContent()).toContain("Locked by acme-owner");
      expect(await lock.textContent()).toContain("Upgrading the EKS control plane");
      expect(await isVisible(lock.getByRole("button", { name: /^Unlock/ }))).toBe(true);
      expect(await page.getByRole("region", { name: "Status history" }).locator("tbody tr").count()).toBeGreaterThan(0);
      expect(await page.getByRole("region", { name: "Workflows (settings.pro)" }).textContent()).toContain(
        "atmos-terraform-plan.yaml",
      );
    },
  },
  {
    key: "pull-requests",
    path: fixed(`${BASE}/pull-requests`),
    check: async (page) => {
      await heading(page, "Pull requests");
      // The seed has no affected-stacks uploads.
      expect(await page.getByRole("region", { name: "Affected-stacks uploads" }).textContent()).toContain(
        "No uploads yet",
      );
    },
  },
  {
    key: "deployments",
    path: fixed(`${BASE}/deployments`),
    check: async (page) => {
      await heading(page, "Deployments");
      // The seed's 20 deployments and its nightly drift runs' detect jobs: more than a page of 50.
      const runs = page.getByRole("region", { name: "Dispatched runs" });
      expect(await runs.locator("tbody tr").count()).toBe(50);
      expect(await runs.getByRole("link", { name: "Older runs →" }).count()).toBe(1);
      expect(await page.getByRole("combobox", { name: "Kind" }).count()).toBe(1);
    },
  },
  {
    key: "locks",
    path: fixed(`${BASE}/locks`),
    check: async (page) => {
      await heading(page, "Locks");
      const active = page.getByRole("region", { name: "Active locks" }).getByRole("listitem");
      expect(await active.count()).toBe(1);
      expect(await active.textContent()).toContain(SEED.lockKey);
    },
  },
  {
    key: "drift",
    path: fixed(`${BASE}/drift`),
    check: async (page) => {
      await heading(page, "Drift");
      const schedules = page.getByRole("region", { name: "Schedules" }).getByRole("listitem");
      expect(await schedules.count()).toBe(1);
      expect(await schedules.textContent()).toContain("0 3 * * *");
      const row = page
        .getByRole("region", { name: "Drift status by repository" })
        .getByRole("row")
        .filter({ hasText: "acme/infra" });
      expect(await row.count()).toBe(1);
    },
  },
  {
    key: "members",
    path: fixed(`${BASE}/members`),
    check: async (page) => {
      await heading(page, "Members");
      expect(await page.getByTestId(`member-${SEED.ownerLogin}`).textContent()).toContain(`${OWNER_NAME} (you)`);
      expect(await page.getByTestId(`member-${SEED.memberLogin}`).textContent()).toContain("Max Member");
      expect(await isVisible(page.getByRole("heading", { name: "Invite someone" }))).toBe(true);
    },
  },
  {
    key: "audit",
    path: fixed(`${BASE}/audit`),
    check: async (page) => {
      await heading(page, "Audit log");
      expect(await page.getByTestId("audit-event").count()).toBeGreaterThanOrEqual(4);
      expect(await page.getByRole("table").textContent()).toContain("workspace.created");
    },
  },
  {
    key: "settings",
    path: fixed(`${BASE}/settings`),
    check: async (page) => {
      await heading(page, "Workspace settings");
      expect((await page.getByTestId("workspace-id").textContent())?.trim()).toBe(SEED.workspaceId);
      expect(await page.locator("pre").textContent()).toContain(
        `gh variable set ATMOS_PRO_WORKSPACE_ID --body "${SEED.workspaceId}"`,
      );
    },
  },
];

/** The checks every page gets, after its own: screenshot, axe, keyboard (desktop), overflow (mobile), console. */
async function commonChecks(target: E2EPage, name: string): Promise<void> {
  const { page, viewport } = target;
  await screenshot(target, `dashboard-${name}`);
  await expectAccessible(page, `${name} (${viewport.name})`);
  if (viewport.name === "desktop") await expectKeyboardReachable(page, name);
  if (viewport.name === "mobile")
    expect(await horizontalOverflow(page), `${name}: the page scrolls sideways on mobile`).toBeLessThanOrEqual(0);
  expectNoConsoleErrors(target.errors);
}

describe.each(VIEWPORTS)("the seeded dashboard, $name ($width×$height)", (viewport) => {
  test.each(PAGES.map((dashboardPage) => [dashboardPage.key, dashboardPage] as const))(
    "%s",
    async (_key, dashboardPage) => {
      const target = await openPage(viewport);
      const path = await dashboardPage.path(target.page);
      target.errors.length = 0;
      await visit(target, path);
      await dashboardPage.check(target.page);
      await commonChecks(target, dashboardPage.key);
    },
  );

  test("the repository page filtered by status through its form", async () => {
    const target = await openPage(viewport);
    const { page } = target;
    await visit(target, BASE);
    const drifted = (await statusCounts(page)).drifted!;
    expect(drifted).toBeGreaterThan(0);

    await visit(target, `${BASE}/repositories/acme/infra`);
    await page.getByRole("combobox", { name: "Status" }).selectOption("drifted");
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await page.waitForURL((address) => address.searchParams.get("status") === "drifted");
    const rows = page.getByRole("region", { name: "Instances" }).locator("tbody tr");
    // A client-side navigation: the table re-renders once the filtered data is in.
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(drifted);
    const statuses = await rows.locator("td:nth-child(4)").allInnerTexts();
    expect(new Set(statuses.map((text) => text.trim()))).toEqual(new Set(["drifted"]));
    expect(await page.getByRole("combobox", { name: "Status" }).inputValue()).toBe("drifted");
    expect(await page.getByRole("link", { name: "Next page →" }).count()).toBe(0);
    await commonChecks(target, "repository-filtered");
  });
});

describe("an empty workspace, created through the UI", () => {
  /** /workspaces/new → "Create workspace" → the new workspace's overview. Returns its slug. */
  async function createWorkspace(target: E2EPage, name: string): Promise<string> {
    const { page } = target;
    const response = await page.goto(url("/workspaces/new"));
    expect(response?.status()).toBe(200);
    await waitForHydration(page, "main form button");
    await page.getByLabel("Workspace name").fill(name);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL((address) => /^\/dashboard\/e2e-empty-[a-z0-9-]+$/.test(address.pathname));
    return new URL(page.url()).pathname.split("/")[2]!;
  }

  test(
    "shows its empty states, with the gh variable set ATMOS_PRO_WORKSPACE_ID line",
    { timeout: 300_000 },
    async () => {
      const target = await openPage(DESKTOP);
      const { page } = target;
      const name = `E2E Empty ${Date.now().toString(36)}`;
      const slug = await createWorkspace(target, name);
      const base = `/dashboard/${slug}`;

      try {
        await waitForHydration(page, "#workspace-switcher");
        await heading(page, "Overview");
        expect(await page.getByRole("combobox", { name: "Workspace" }).inputValue()).toBe(slug);
        expect(await statusCounts(page)).toEqual({ in_sync: 0, drifted: 0, error: 0, unknown: 0 });
        const repositories = page.getByRole("region", { name: "Repositories" });
        expect(await isVisible(repositories.getByText("Install the GitHub App"))).toBe(true);
        const line = (await repositories.locator("pre code").textContent())?.trim() ?? "";
        expect(line).toMatch(/^gh variable set ATMOS_PRO_WORKSPACE_ID --body "ws_[0-9A-Za-z]{28}"$/);
        const workspaceId = /"(ws_[0-9A-Za-z]{28})"/.exec(line)![1]!;
        expect(await page.getByRole("region", { name: "Needs attention" }).textContent()).toContain(
          "Nothing needs attention",
        );
        expect(await page.getByRole("region", { name: "Recent deployments" }).textContent()).toContain(
          "No deployments yet",
        );
        await commonChecks(target, "empty-overview");

        const empty: Array<[string, string, string]> = [
          ["repositories", "Repositories", "Install the GitHub App"],
          ["pull-requests", "Pull requests", "No uploads yet"],
          ["deployments", "Deployments", "No deployments match"],
          ["locks", "Locks", "Nothing is locked"],
          ["drift", "Drift", "No drift schedules"],
          ["members", "Members", `${OWNER_NAME} (you)`],
          ["audit", "Audit log", "workspace.created"],
          ["settings", "Workspace settings", `gh variable set ATMOS_PRO_WORKSPACE_ID --body "${workspaceId}"`],
        ];
        for (const [path, title, text] of empty) {
          target.errors.length = 0;
          await visit(target, `${base}/${path}`);
          await heading(page, title);
          expect(await page.locator("main").textContent(), `${path} shows "${text}"`).toContain(text);
          await expectAccessible(page, `empty ${path} (desktop)`);
          await screenshot(target, `dashboard-empty-${path}`);
          expectNoConsoleErrors(target.errors);
        }
        expect(await page.getByTestId("workspace-id").textContent()).toBe(workspaceId);

        // The same empty workspace on a phone.
        const mobile = await openPage(MOBILE);
        for (const [path, key] of [
          ["", "overview"],
          ["/repositories", "repositories"],
        ] as const) {
          mobile.errors.length = 0;
          await visit(mobile, `${base}${path}`);
          expect(await mobile.page.locator("main pre code").first().textContent()).toContain(
            `ATMOS_PRO_WORKSPACE_ID --body "${workspaceId}"`,
          );
          await expectAccessible(mobile.page, `empty ${key} (mobile)`);
          await screenshot(mobile, `dashboard-empty-${key}`);
          expect(await horizontalOverflow(mobile.page), `empty ${key} scrolls sideways on mobile`).toBeLessThanOrEqual(
            0,
          );
          expectNoConsoleErrors(mobile.errors);
        }
      } finally {
        // Leave the e2e database as the seed made it: delete the workspace through its settings page,
        // and make Acme the owner's last workspace again (/dashboard opens it).
        await visit(target, `${base}/settings`);
        await page.getByLabel(`Type ${slug} to confirm`).fill(slug);
        await page.getByRole("button", { name: "Delete this workspace" }).click();
        await page.waitForURL((address) => address.pathname === BASE);
        await visit(target, BASE);
        expect(await page.getByRole("combobox", { name: "Workspace" }).locator("option").allInnerTexts()).not.toContain(
          name,
        );
      }
    },
  );
});
