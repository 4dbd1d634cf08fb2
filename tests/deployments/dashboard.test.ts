/**
 * The dashboard's pull requests page as ordered deployments fill it: the pull request GitHub told us
 * about (number, title, author, state, head sha, its GitHub link), each batch with every job's state,
 * reason and run link, `?batch=` (the check run's details URL) choosing the batch and its pull
 * request, and the deployments page listing the same runs. A batch of one workspace never shows in
 * another's page, whatever `?batch=` names.
 */
import { describe, expect, it } from "vitest";
import { createWorkspace } from "~/domain/workspaces.server";
import { userActor } from "~/domain/audit.server";
import { users } from "../../db/schema";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { db, FIXED_NOW } from "../db";
import { get } from "../http";
import {
  batches,
  dispatches,
  eventually,
  freshSeedEachTest,
  HEAD_REF,
  item,
  jobs,
  PR_NUMBER,
  pullRequest,
  uploadAffected,
  workflowRun,
} from "./fixtures";

const HEAD = "d".repeat(40);
const ROUTE = "routes/dashboard.$workspace.pull-requests";

type Job = { component: string; status: string; reason: string | null; githubRunUrl: string | null; workflow: string };
type Batch = {
  id: string;
  kind: string;
  status: string;
  headSha: string;
  activity: string;
  jobs: Job[];
  jobCount: number;
};
type Slot<T> = { ok: true; data: T } | { ok: false };
type PageData = {
  pullRequests: Slot<{ pullRequests: Array<Record<string, unknown>> }>;
  batches: Slot<{ pullRequest: Record<string, unknown> | null; missing: boolean; batches: Batch[] }>;
};

async function page(slug: string, query: string, cookie: string): Promise<PageData> {
  const separator = query ? "&" : "";
  const response = await get(
    `/dashboard/${slug}/pull-requests?${query}${separator}_data=${encodeURIComponent(ROUTE)}`,
    {
      headers: { Cookie: cookie },
    },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as PageData;
}
const ok = <T>(slot: Slot<T>): T => {
  if (!slot.ok) throw new Error("the panel failed");
  return slot.data;
};

freshSeedEachTest();

describe("the pull requests page", () => {
  it("shows the pull request and its batch as jobs are dispatched, run and skipped", async () => {
    const cookie = await sessionCookieFor(SEED.memberId);
    const empty = await page("acme", "", cookie);
    expect(ok(empty.pullRequests).pullRequests).toEqual([]);
    expect(ok(empty.batches)).toEqual({ pullRequest: null, missing: false, batches: [] });

    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha: HEAD });
    await uploadAffected([item("vpc", [item("eks/cluster")]), item("dns")], HEAD);
    const planned = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 3,
    );

    let data = await page("acme", "", cookie);
    const pr = {
      number: PR_NUMBER,
      title: "Widen the VPC",
      author: "octocat",
      state: "open",
      headSha: HEAD,
      headRef: HEAD_REF,
      baseRef: "main",
      htmlUrl: `https://github.com/acme/infra/pull/${PR_NUMBER}`,
      repository: "acme/infra",
    };
    expect(ok(data.pullRequests).pullRequests).toEqual([expect.objectContaining({ ...pr, latestBatch: "running" })]);
    let shown = ok(data.batches);
    expect(shown.pullRequest).toMatchObject(pr);
    expect(shown.batches).toHaveLength(1);
    expect(shown.batches[0]).toMatchObject({ kind: "plan", status: "running", headSha: HEAD, activity: "opened" });
    expect(shown.batches[0]!.jobs.map((job) => [job.component, job.status, job.workflow])).toEqual([
      ["dns", "queued", "plan.yaml"],
      ["eks/cluster", "queued", "plan.yaml"],
      ["vpc", "queued", "plan.yaml"],
    ]);
    for (const job of shown.batches[0]!.jobs) expect(job.githubRunUrl).toMatch(/\/actions\/runs\/\d+$/);

    // The merge: vpc's apply fails, its dependent is skipped with the reason; dns succeeds.
    await pullRequest("closed", { merged: true, headSha: HEAD });
    await uploadAffected([item("vpc", [item("eks/cluster")]), item("dns")], HEAD);
    const applies = await eventually(
      async () => (await dispatches()).slice(before + 3),
      (list) => list.length === 2,
    );
    for (const dispatch of applies)
      await workflowRun(dispatch.runId, "completed", dispatch.inputs.component === "vpc" ? "failure" : "success");
    await eventually(batches, (list) => list.some((batch) => batch.kind === "apply" && batch.status === "failure"));

    data = await page("acme", "", cookie);
    expect(ok(data.pullRequests).pullRequests[0]).toMatchObject({ state: "merged", latestBatch: "failure" });
    shown = ok(data.batches);
    expect(shown.batches.map((batch) => [batch.kind, batch.status])).toEqual([
      ["apply", "failure"],
      ["plan", "running"],
    ]);
    const apply = shown.batches[0]!;
    expect(Object.fromEntries(apply.jobs.map((job) => [job.component, [job.status, job.reason]]))).toEqual({
      dns: ["success", null],
      vpc: ["failure", null],
      "eks/cluster": ["skipped", "Skipped: vpc in plat-ue2-dev did not succeed."],
    });
    expect(apply.jobs.find((job) => job.component === "eks/cluster")!.githubRunUrl).toBeNull();
    expect(apply.jobCount).toBe(3);

    // ?batch= (the check run's details URL) puts the named batch first.
    const plan = shown.batches[1]!;
    const named = ok((await page("acme", `batch=${plan.id}`, cookie)).batches);
    expect(named.missing).toBe(false);
    expect(named.batches.map((batch) => batch.id)).toEqual([plan.id, apply.id]);
    expect(named.pullRequest).toMatchObject({ number: PR_NUMBER });
    expect(planned).toHaveLength(3);

    // The document shows them too, with the PR's GitHub link and each run's.
    const html = await (await get("/dashboard/acme/pull-requests", { headers: { Cookie: cookie } })).text();
    expect(html).toContain(`href="https://github.com/acme/infra/pull/${PR_NUMBER}"`);
    expect(html).toContain("Skipped: vpc in plat-ue2-dev did not succeed.");
    expect(html).toContain("Widen the VPC");

    // The deployments page lists the runs, with their reasons.
    const deployments = (await (
      await get(`/dashboard/acme/deployments?_data=${encodeURIComponent("routes/dashboard.$workspace.deployments")}`, {
        headers: { Cookie: cookie },
      })
    ).json()) as { list: Slot<{ deployments: Array<{ id: string; status: string; reason: string | null }> }> };
    const listed = ok(deployments.list).deployments;
    const stored = await jobs();
    for (const job of stored)
      expect(listed.find((row) => row.id === job.id)).toMatchObject({ status: job.status, reason: job.reason });
  });

  it("never shows another workspace's batch, and says so when ?batch= names one", async () => {
    await pullRequest("opened", { headSha: HEAD });
    await uploadAffected([item("vpc")], HEAD);
    const [batch] = await eventually(batches, (list) => list.length === 1);

    const otherId = "usr_globexowner0000000000000000";
    await db()
      .insert(users)
      .values({ id: otherId, login: "globex-owner", name: "Gloria", createdAt: FIXED_NOW, updatedAt: FIXED_NOW });
    const globex = await createWorkspace(db(), {
      name: "Globex",
      userId: otherId,
      actor: userActor({ id: otherId, login: "globex-owner", name: "Gloria" }),
      now: FIXED_NOW,
    });
    const cookie = await sessionCookieFor(otherId);
    for (const query of [`batch=${batch!.id}`, "", `batch=${"x".repeat(65)}`]) {
      const data = await page(globex.slug, query, cookie);
      expect(ok(data.pullRequests).pullRequests, query).toEqual([]);
      expect(ok(data.batches), query).toEqual({
        pullRequest: null,
        missing: query.startsWith("batch="),
        batches: [],
      });
    }
    const html = await (
      await get(`/dashboard/${globex.slug}/pull-requests?batch=${batch!.id}`, { headers: { Cookie: cookie } })
    ).text();
    expect(html).toContain("That deployment batch is not in this workspace");
    expect(html).not.toContain("Widen the VPC");
  });
});
