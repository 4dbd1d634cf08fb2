/**
 * Drift detection in a real browser, as an admin meets it: in a workspace of their own with the
 * GitHub App connected and Codertocat/Hello-World imported, the CLI uploads the inventory (two
 * instances with drift detection on, one off); the admin creates a schedule on the Drift page (a bad
 * expression first: refused, naming the field), sees its next run, runs it now, and watches the detect
 * runs appear: dispatched to the fake GitHub on the default branch, then reported by the CLI (one
 * drifted, one in sync), the run listed with its results. The App is uninstalled and the workspace
 * deleted at the end, so other files see the seed as it was.
 */
import { describe, expect, test } from "vitest";
import { exchange, fakeGit, HELLO_WORLD, uninstallAndDelete, workspaceWithHelloWorld } from "./github";
import { chromiumForFile, DESKTOP, expectNoConsoleErrors, screenshot, url, waitForHydration } from "./harness";

const chromium = chromiumForFile();

type Dispatch = { repo: string; workflow: string; ref: string; runId: number; inputs: Record<string, string> };

const detect = {
  workflows: { "drift.yaml": { inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" } } },
};
const instance = (component: string, drift: boolean) => ({
  component,
  stack: "plat-ue2-prod",
  component_type: "terraform",
  settings: { pro: { enabled: true, drift_detection: { enabled: drift, detect } } },
  vars: null,
  env: null,
  backend: null,
  metadata: null,
});

describe("drift detection on the Drift page", () => {
  test(
    "an admin creates a schedule, runs it now, and sees the detect runs and their results",
    { timeout: 240_000 },
    async () => {
      const target = await chromium.openPage(DESKTOP, { signedIn: true });
      const { page } = target;
      const installationId = 8_100_000 + (Date.now() % 400_000);
      const { slug, workspaceId } = await workspaceWithHelloWorld(page, "Drift", installationId);
      const drift = `/dashboard/${slug}/drift`;
      try {
        // The CLI: `atmos list instances --upload` in the nightly inventory workflow.
        const { token } = await exchange(workspaceId, "main");
        const cli = (method: string, path: string, body: unknown) =>
          fetch(url(path), {
            method,
            headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
        const inventory = await cli("POST", "/api/v1/instances", {
          repo_url: `https://github.com/${HELLO_WORLD.owner}/${HELLO_WORLD.name}`,
          repo_name: HELLO_WORLD.name,
          repo_owner: HELLO_WORLD.owner,
          repo_host: "github.com",
          instances: [instance("vpc", true), instance("eks/cluster", true), instance("sandbox", false)],
        });
        expect(inventory.status, await inventory.clone().text()).toBe(200);

        await page.goto(url(drift));
        await waitForHydration(page, "main form button");
        const main = page.locator("main");
        expect(await main.textContent()).toContain("No drift schedules");
        const form = page.getByRole("region", { name: "New schedule" });
        await form.getByLabel("Name").fill("Nightly, Berlin");
        await form.getByLabel("Repository").selectOption({ label: `${HELLO_WORLD.owner}/${HELLO_WORLD.name}` });
        await form.getByLabel("Cron expression").fill("0 3 * *");
        await form.getByLabel("Time zone").fill("Europe/Berlin");
        await form.getByRole("button", { name: "Create schedule" }).click();
        await form
          .getByText('A cron expression has five fields (minute hour day-of-month month day-of-week); "0 3 * *" has 4.')
          .waitFor();
        expect(await form.getByLabel("Cron expression").getAttribute("aria-invalid")).toBe("true");
        await form.getByLabel("Cron expression").fill("0 3 * * *");
        await form.getByRole("button", { name: "Create schedule" }).click();
        await page.getByText('Schedule "Nightly, Berlin" created.').waitFor();
        const schedules = page.getByRole("region", { name: "Schedules" });
        const row = schedules.locator("li", { hasText: "Nightly, Berlin" });
        expect((await row.innerText()).replace(/\s+/g, " ")).toMatch(
          /Codertocat\/Hello-World · 0 3 \* \* \* \(Europe\/Berlin\) Last run — · next run \d{4}-\d{2}-\d{2} (01|02):00 UTC/,
        );
        await screenshot(target, "drift-schedule-created");

        // Run it now: one detect per instance with drift detection on, on the default branch.
        await row.getByRole("button", { name: "Run now Nightly, Berlin" }).click();
        await page.getByText("Checking 2 instances for drift now: the run is listed below.").waitFor();
        const mine = async () =>
          (await fakeGit<{ dispatches: Dispatch[] }>()).dispatches.filter(
            // The fake keys repositories as GitHub's API paths do: case-insensitively, in lower case.
            (d) => d.repo === `${HELLO_WORLD.owner}/${HELLO_WORLD.name}`.toLowerCase() && d.workflow === "drift.yaml",
          );
        await expect.poll(async () => (await mine()).length, { timeout: 20_000 }).toBe(2);
        const sent = await mine();
        expect(sent.map((d) => d.inputs.component).sort()).toEqual(["eks/cluster", "vpc"]);
        expect(sent.every((d) => d.ref === "main" && /^[0-9a-f]{40}$/.test(d.inputs.sha ?? ""))).toBe(true);

        // The detects report through the CLI: vpc drifted (plan exit code 2), eks/cluster in sync.
        for (const [component, exitCode] of [
          ["vpc", 2],
          ["eks/cluster", 0],
        ] as const) {
          const reported = await cli(
            "PATCH",
            `/api/v1/repos/${HELLO_WORLD.owner}/${HELLO_WORLD.name}/instances?stack=plat-ue2-prod&component=${encodeURIComponent(component)}`,
            { command: "plan", exit_code: exitCode },
          );
          expect(reported.status, await reported.clone().text()).toBe(200);
        }
        const runs = page.getByRole("region", { name: "Drift runs" });
        await expect
          .poll(
            async () => {
              await page.goto(url(drift));
              return (await runs.locator("summary").first().innerText()).replace(/\s+/g, " ");
            },
            { timeout: 20_000 },
          )
          .toMatch(/running Codertocat\/Hello-World Checked by .+ · .+ 2 checked · 1 in sync · 1 drifted · 0 errors/);
        await waitForHydration(page, "main form button");
        await runs.locator("summary").first().click();
        const jobs = (await runs.locator("li li").allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
        expect(jobs).toEqual([
          expect.stringMatching(/^queued detect · eks\/cluster in plat-ue2-prod drift\.yaml run/),
          expect.stringMatching(/^queued detect · vpc in plat-ue2-prod drift\.yaml run/),
        ]);
        const status = page.getByRole("region", { name: "Drift status by repository" });
        expect((await status.locator("tbody tr").innerText()).replace(/\s+/g, " ")).toContain(
          "Codertocat/Hello-World 2 1 1 0 1",
        );
        await screenshot(target, "drift-run");
        // The refused expression's answer is a 400, which Chromium reports (once); nothing else may be.
        expectNoConsoleErrors(
          target.errors,
          (error) =>
            error.kind === "console" &&
            error.text.includes("status of 400") &&
            (error.url ?? "").endsWith("/drift?_data=routes%2Fdashboard.%24workspace.drift"),
        );
        expect(target.errors.length).toBe(1);
      } finally {
        await uninstallAndDelete(page, installationId, slug);
      }
    },
  );
});
