/**
 * The GitHub App in a real browser, as a developer tries it with `npm run dev`: the demo owner (who
 * has signed in with GitHub as the sender of GitHub's example payloads, scripts/local-d1.ts) creates
 * a workspace, GitHub's signed `installation.created` arrives at /webhooks/github (what
 * `npm run webhook:send -- installation.created` posts), GitHub sends the owner back through the
 * App's setup URL, they connect the installation and import its repository, then narrow the
 * repository's Affected Stacks Create permission to `main` on its page (an invalid pattern first: the
 * editor refuses it with the parser's reason), and the repository's CLI exchanges its GitHub token
 * from main (200) but not from another branch (403). At the end the App is uninstalled (GitHub's
 * `installation.deleted`) and the workspace deleted, so other files see the seed as it was.
 */
import { describe, expect, test } from "vitest";
import { deliver, uninstallAndDelete, exchange, installationEvent, reloadUntil } from "./github";
import { chromiumForFile, DESKTOP, expectNoConsoleErrors, screenshot, url, waitForHydration } from "./harness";

const chromium = chromiumForFile();

describe("the GitHub App: connect an installation, import a repository, narrow a permission", () => {
  test("from GitHub's installation.created to a permission on main only", { timeout: 240_000 }, async () => {
    const target = await chromium.openPage(DESKTOP, { signedIn: true });
    const { page } = target;
    const installationId = 8_000_000 + (Date.now() % 1_000_000);

    await page.goto(url("/workspaces/new"));
    await waitForHydration(page, "main form button");
    const name = `E2E App ${Date.now().toString(36)}`;
    await page.getByLabel("Workspace name").fill(name);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL((address) => /^\/dashboard\/e2e-app-[a-z0-9-]+$/.test(address.pathname));
    const slug = new URL(page.url()).pathname.split("/")[2]!;
    const repositories = `/dashboard/${slug}/repositories`;

    try {
      // On GitHub: install the App, which sends its webhook; then GitHub sends the owner back. The
      // installation id GitHub adds to the setup URL is ignored (a forged one would not matter).
      await deliver("installation", installationEvent("installation.created", installationId));
      const back = await page.goto(url(`/github/setup?installation_id=1&setup_action=install`));
      expect(back?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe(repositories);
      await reloadUntil(page, `${repositories}?github=install`, "Installed by you, not connected yet");
      await waitForHydration(page, "main form button");
      expect(await page.getByRole("status").first().textContent()).toContain("GitHub told us about your installation");
      await screenshot(target, "github-app-waiting");

      await page.getByRole("button", { name: "Connect Codertocat" }).click();
      await page.getByText("Installation connected. Import its repositories below.").waitFor();
      await page.getByRole("button", { name: "Import Codertocat/Hello-World" }).click();
      await page.getByText("Codertocat/Hello-World imported, with the default permissions.").waitFor();
      await page.getByRole("link", { name: "Codertocat/Hello-World" }).click();
      await page.waitForURL((address) => address.pathname === `${repositories}/Codertocat/Hello-World`);
      await waitForHydration(page, "main form button");

      const permissions = page.getByRole("region", { name: "Permissions" });
      const rows = () => permissions.locator("tbody tr").allInnerTexts();
      expect(await rows()).toHaveLength(4);

      // An invalid expression is refused on its field, with the reason; nothing is added.
      await permissions.getByLabel("Allow", { exact: true }).selectOption("Affected Stacks Create");
      await permissions.getByLabel("Branch", { exact: true }).fill("release/[0-9");
      await permissions.getByRole("button", { name: "Add permission" }).click();
      await permissions.getByText("Not a valid regular expression").waitFor();
      expect(await rows()).toHaveLength(4);

      // Narrow: allow main, then remove the `*` one.
      await permissions.getByLabel("Branch", { exact: true }).fill("main");
      await permissions.getByRole("button", { name: "Add permission" }).click();
      await page.getByText("Affected Stacks Create allowed for workflow *, branch main, environment *.").waitFor();
      // The message comes with the action's answer; the table with the page's reloaded data.
      await expect.poll(rows, { timeout: 5_000 }).toHaveLength(5);
      await permissions
        .getByRole("button", { name: "Remove Affected Stacks Create for workflow *, branch *, environment *" })
        .click();
      await page.getByText("Permission removed (Affected Stacks Create).").waitFor();
      await expect.poll(rows, { timeout: 5_000 }).toHaveLength(4);
      const left = await rows();
      expect(left.filter((row) => row.includes("Affected Stacks Create"))).toEqual([
        expect.stringMatching(/Affected Stacks Create\s+\*\s+main\s+\*/),
      ]);
      await screenshot(target, "github-app-permissions");
      // The refused pattern's answer is a 400, which Chromium reports; nothing else may be.
      expectNoConsoleErrors(
        target.errors,
        (error) => error.text.includes("status of 400") && (error.url ?? "").includes("repositories.%24owner.%24name"),
      );

      // The atmos CLI of Codertocat/Hello-World can exchange its GitHub token now: from main only.
      await page.goto(url(`/dashboard/${slug}/settings`));
      const workspaceId = (await page.getByTestId("workspace-id").textContent())?.trim() ?? "";
      expect(workspaceId).toMatch(/^ws_[0-9A-Za-z]{28}$/);
      expect((await exchange(workspaceId, "main")).status).toBe(200);
      expect((await exchange(workspaceId, "feature/x")).status).toBe(403);

      // The audit log has each step.
      await page.goto(url(`/dashboard/${slug}/audit`));
      const audit = (await page.locator("main").textContent()) ?? "";
      for (const action of ["repository.imported", "permission.assigned", "permission.removed"])
        expect(audit, action).toContain(action);
    } finally {
      await uninstallAndDelete(page, installationId, slug);
    }
  });
});
