/**
 * Ordered deployments in a real browser, as a team meets them: in a workspace of their own with the
 * GitHub App connected and Codertocat/Hello-World imported, GitHub's signed `pull_request.opened`
 * arrives and the atmos CLI uploads the affected stacks (vpc → eks/cluster) through the API; the
 * queue dispatches both plans to the fake GitHub, and the Pull requests page shows the pull request
 * and its batch. Then GitHub's `workflow_run` deliveries move the runs, and the page follows them
 * to the end: each job queued → in progress → success with its run link, the batch success. The
 * App is uninstalled and the workspace deleted at the end, so other files see the seed as it was.
 */
import { describe, expect, test } from "vitest";
import { affectedItem } from "../../scripts/loopback";
import {
  deliver,
  example,
  exchange,
  fakeGit,
  HELLO_WORLD as REPOSITORY,
  reloadUntil,
  uninstallAndDelete,
  workspaceWithHelloWorld,
} from "./github";
import { chromiumForFile, DESKTOP, expectNoConsoleErrors, screenshot, url, waitForHydration } from "./harness";

const chromium = chromiumForFile();
const PR_NUMBER = 42;

type Dispatch = { repo: string; runId: number; inputs: Record<string, string> };

describe("ordered deployments on the Pull requests page", () => {
  test("a pull request's plans, dispatched in order and followed to success", { timeout: 240_000 }, async () => {
    const target = await chromium.openPage(DESKTOP, { signedIn: true });
    const { page } = target;
    const installationId = 8_500_000 + (Date.now() % 400_000);
    const headSha = Date.now().toString(16).padEnd(40, "e");

    const { slug, workspaceId } = await workspaceWithHelloWorld(page, "Deploy", installationId);
    const pullRequests = `/dashboard/${slug}/pull-requests`;
    const installation = { id: installationId };

    try {
      // GitHub: the pull request is opened.
      const opened = example("pull_request.opened");
      const pr = opened.pull_request as Record<string, unknown>;
      opened.number = PR_NUMBER;
      opened.installation = installation;
      Object.assign(pr, {
        number: PR_NUMBER,
        title: "Widen the VPC",
        updated_at: new Date().toISOString(),
        html_url: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.name}/pull/${PR_NUMBER}`,
        head: { ...(pr.head as Record<string, unknown>), sha: headSha, ref: "feature/vpc" },
        base: { ...(pr.base as Record<string, unknown>), ref: "main" },
      });
      await deliver("pull_request", opened);

      // The CLI: `atmos describe affected --upload` in the pull request's workflow.
      const { token } = await exchange(workspaceId, "main");
      const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
      const pro = { pull_request: { opened: { workflows: { "plan.yaml": { inputs } } } } };
      const upload = await fetch(url("/api/v1/affected-stacks"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({
          head_sha: headSha,
          base_sha: "b".repeat(40),
          repo_url: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.name}`,
          repo_name: REPOSITORY.name,
          repo_owner: REPOSITORY.owner,
          repo_host: "github.com",
          stacks: [affectedItem("vpc", pro, [affectedItem("eks/cluster", pro)])],
        }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(upload.status, await upload.clone().text()).toBe(200);

      // Both plans are dispatched (a plan waits only for its dependencies' dispatch), and the page shows them.
      const mine = async () =>
        (await fakeGit<{ dispatches: Dispatch[] }>()).dispatches.filter((d) => d.inputs.sha === headSha);
      await expect.poll(async () => (await mine()).length, { timeout: 20_000 }).toBe(2);
      const dispatched = await mine();
      // vpc first: eks/cluster depends on it.
      expect(dispatched.map((d) => d.inputs.component)).toEqual(["vpc", "eks/cluster"]);
      const vpc = dispatched.find((d) => d.inputs.component === "vpc")!;
      const eks = dispatched.find((d) => d.inputs.component === "eks/cluster")!;
      await reloadUntil(page, pullRequests, "Widen the VPC");
      const jobs = page.getByRole("region", { name: `Jobs of the plan at ${headSha.slice(0, 7)}` });
      const states = async () => {
        await page.goto(url(pullRequests));
        await waitForHydration(page, "#workspace-switcher");
        return (await jobs.locator("tbody tr").allInnerTexts()).map((row) => row.replace(/\s+/g, " ").trim());
      };
      const main = page.locator("main");
      expect(await main.textContent()).toContain(`${REPOSITORY.owner}/${REPOSITORY.name}#${PR_NUMBER}`);
      expect(await main.textContent()).toContain("Widen the VPC");
      await expect
        .poll(states, { timeout: 20_000 })
        .toEqual([
          expect.stringMatching(/^eks\/cluster in plat-ue2-dev plan\.yaml queued GitHub run/),
          expect.stringMatching(/^vpc in plat-ue2-dev plan\.yaml queued GitHub run/),
        ]);
      await screenshot(target, "deployments-dispatched");

      // GitHub Actions: vpc's run starts and succeeds, then eks/cluster's.
      const run = (dispatch: Dispatch, action: "in_progress" | "completed") => {
        const payload = example(action === "completed" ? "workflow_run.completed" : "workflow_run.requested");
        payload.action = action;
        payload.installation = installation;
        payload.repository = opened.repository;
        payload.workflow_run = {
          ...(payload.workflow_run as Record<string, unknown>),
          id: dispatch.runId,
          head_sha: headSha,
          status: action === "completed" ? "completed" : "in_progress",
          conclusion: action === "completed" ? "success" : null,
          html_url: `https://github.com/${REPOSITORY.owner}/${REPOSITORY.name}/actions/runs/${dispatch.runId}`,
        };
        return deliver("workflow_run", payload);
      };
      await run(vpc, "in_progress");
      await expect
        .poll(states, { timeout: 20_000 })
        .toEqual([
          expect.stringContaining("eks/cluster in plat-ue2-dev plan.yaml queued"),
          expect.stringContaining("vpc in plat-ue2-dev plan.yaml in progress"),
        ]);
      await run(vpc, "completed");
      await run(eks, "completed");
      await expect
        .poll(states, { timeout: 20_000 })
        .toEqual([
          expect.stringContaining("eks/cluster in plat-ue2-dev plan.yaml success"),
          expect.stringContaining("vpc in plat-ue2-dev plan.yaml success"),
        ]);
      // The batch ends once the queue has moved it on after the last run.
      const batch = page.getByRole("region", { name: `plan at ${headSha.slice(0, 7)}` });
      await expect
        .poll(
          async () => {
            await page.goto(url(pullRequests));
            return batch.locator("h3").textContent();
          },
          { timeout: 20_000 },
        )
        .toMatch(/^plan\s*success/);
      const runLink = jobs.getByRole("link", { name: "GitHub run for vpc in plat-ue2-dev" });
      expect(await runLink.getAttribute("href")).toMatch(new RegExp(`/actions/runs/${vpc.runId}$`));
      await screenshot(target, "deployments-succeeded");
      expectNoConsoleErrors(target.errors);
    } finally {
      await uninstallAndDelete(page, installationId, slug);
    }
  });
});
