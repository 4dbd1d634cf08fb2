/**
 * A pull request from opened to merged, through the real webhook endpoint, the API, the queues and
 * the fake GitHub: plans are dispatched in dependency order on the head branch, applies after the
 * merge on the base branch, each only once what it depends on succeeded; failures skip dependents;
 * uploads and webhooks meet in either order.
 */
import { describe, expect, it } from "vitest";
import { db } from "../db";
import {
  batches,
  dispatches,
  eventually,
  freshSeedEachTest,
  HEAD_REF,
  HEAD_SHA,
  item,
  jobs,
  pullRequest,
  reported,
  uploadAffected,
  workflowRun,
} from "./fixtures";

// vpc → eks/cluster → app/api, and vpc → rds (a diamond's half), all in one stack.
const chain = () => [item("vpc", [item("eks/cluster", [item("app/api")]), item("rds", [item("app/api")])])];

const order = (list: Array<{ inputs: Record<string, unknown> }>) => list.map((d) => String(d.inputs.component));

freshSeedEachTest();

describe("ordered deployments of a pull request", () => {
  it("plans every item in dependency order once the PR is opened and its upload arrives, then applies after the merge", async () => {
    const before = (await dispatches()).length;
    await pullRequest("opened");
    await uploadAffected(chain());

    // Plans: every item after the items it depends on were dispatched, without waiting for them to finish.
    const planned = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 4,
    );
    const names = order(planned);
    expect(names.indexOf("vpc")).toBe(0);
    expect(names.indexOf("eks/cluster")).toBeLessThan(names.indexOf("app/api"));
    expect(names.indexOf("rds")).toBeLessThan(names.indexOf("app/api"));
    for (const dispatch of planned) {
      expect(dispatch.workflow).toBe("plan.yaml");
      expect(dispatch.ref).toBe(HEAD_REF);
      expect(dispatch.inputs).toMatchObject({ stack: "plat-ue2-dev", sha: HEAD_SHA });
      expect(dispatch.inputs.atmos_pro_run_id).toMatch(/^dep_[0-9A-Za-z]{28}$/);
    }
    const planJobs = await jobs();
    expect(planJobs.map((job) => job.status)).toEqual(["queued", "queued", "queued", "queued"]);
    expect(new Set(planJobs.map((job) => job.id))).toEqual(new Set(planned.map((d) => d.inputs.atmos_pro_run_id)));

    // On GitHub: the head's "Atmos Pro" check run is in progress, and the PR has our comment.
    let report = await eventually(reported, (r) => r.checkRuns.some((run) => run.headSha === HEAD_SHA));
    const check = report.checkRuns.find((run) => run.headSha === HEAD_SHA)!;
    expect(check).toMatchObject({ name: "Atmos Pro", status: "in_progress", conclusion: null });
    expect(check.detailsUrl).toMatch(/\/dashboard\/acme\/pull-requests\?batch=bat_/);

    for (const dispatch of planned) await workflowRun(dispatch.runId, "completed", "success");
    await eventually(batches, (list) => list[0]?.status === "success");
    report = await eventually(reported, (r) =>
      r.checkRuns.some((run) => run.id === check.id && run.status === "completed"),
    );
    expect(report.checkRuns.find((run) => run.id === check.id)).toMatchObject({
      conclusion: "success",
      title: "Plans succeeded (4)",
    });
    const comments = () =>
      reported().then((r) =>
        r.comments.filter((c) => c.number === 7 && c.body.includes("atmos-pro:pull-request-comment")),
      );
    let [comment] = await eventually(comments, (list) => list.length === 1 && list[0]!.body.includes("succeeded"));
    for (const component of ["vpc", "eks/cluster", "rds", "app/api"])
      expect(comment!.body).toContain(`| plat-ue2-dev | ${component} | plan.yaml | ✅ succeeded | [run](`);

    // The merge: applies wait for each dependency's success.
    await pullRequest("closed", { merged: true });
    await uploadAffected(chain());
    const applies = async () => (await dispatches()).slice(before + 4);
    let applied = await eventually(applies, (list) => list.length === 1);
    expect(applied[0]).toMatchObject({ workflow: "apply.yaml", ref: "main" });
    expect(order(applied)).toEqual(["vpc"]);
    // Nothing more until vpc's apply succeeds.
    await workflowRun(applied[0]!.runId, "in_progress");
    expect(await applies()).toHaveLength(1);
    await workflowRun(applied[0]!.runId, "completed", "success");
    applied = await eventually(applies, (list) => list.length === 3);
    expect(new Set(order(applied.slice(1)))).toEqual(new Set(["eks/cluster", "rds"]));
    await workflowRun(applied[1]!.runId, "completed", "success");
    // app/api still waits for the other side of the diamond.
    expect(await applies()).toHaveLength(3);
    await workflowRun(applied[2]!.runId, "completed", "success");
    applied = await eventually(applies, (list) => list.length === 4);
    expect(order(applied)[3]).toBe("app/api");
    await workflowRun(applied[3]!.runId, "completed", "success");
    const ended = await eventually(batches, (list) => list[1]?.status === "success");
    expect(ended.map((batch) => [batch.kind, batch.activity, batch.status])).toEqual([
      ["plan", "opened", "success"],
      ["apply", "merged", "success"],
    ]);
    // One check run per head sha (the apply edited the plan's), and still one comment, edited in place.
    report = await eventually(reported, (r) =>
      r.checkRuns.some((run) => run.id === check.id && run.title === "Applies succeeded (4)"),
    );
    expect(report.checkRuns.filter((run) => run.headSha === HEAD_SHA)).toHaveLength(1);
    [comment] = await eventually(comments, (list) => list.length === 1 && list[0]!.body.includes("apply.yaml | ✅"));
    expect(comment!.body.indexOf("**Apply**")).toBeLessThan(comment!.body.indexOf("**Plan**"));
    expect(comment!.writes).toBeGreaterThan(2);

    // The workspace's audit log: the pull request's life, and one event per dispatch and per run that ended.
    const { results: audited } = await db()
      .$client.prepare(
        "SELECT action, COUNT(*) AS n FROM audit_events WHERE action LIKE 'pull_request.%' OR action LIKE 'workflow.%' GROUP BY action",
      )
      .all<{ action: string; n: number }>();
    const succeeded = (await jobs()).filter((job) => job.status === "success").length;
    expect(Object.fromEntries(audited.map((row) => [row.action, row.n]))).toEqual({
      "pull_request.opened": 1,
      "pull_request.merged": 1,
      "workflow.dispatched": (await dispatches()).length - before,
      "workflow.completed": succeeded,
    });
  });

  it("meets an upload that came before its webhook, and skips the dependents of a failed apply", async () => {
    const before = (await dispatches()).length;
    const headSha = "c".repeat(40);
    await uploadAffected(chain(), headSha);
    // Nothing to deploy yet: GitHub has not said what this head is.
    expect(await batches()).toEqual([]);
    await pullRequest("opened", { headSha });
    await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 4,
    );

    // The merge webhook comes after the merge upload this time.
    await uploadAffected(chain(), headSha);
    await pullRequest("closed", { merged: true, headSha });
    const applies = async () => (await dispatches()).slice(before + 4);
    const [vpc] = await eventually(applies, (list) => list.length === 1);
    await workflowRun(vpc!.runId, "completed", "failure");
    const ended = await eventually(batches, (list) => list.find((b) => b.kind === "apply")?.status === "failure");
    expect(ended).toHaveLength(2);
    const applyJobs = (await jobs()).filter((job) => job.kind === "apply");
    expect(Object.fromEntries(applyJobs.map((job) => [job.component, job.status]))).toEqual({
      vpc: "failure",
      "eks/cluster": "skipped",
      rds: "skipped",
      "app/api": "skipped",
    });
    expect(applyJobs.find((job) => job.component === "app/api")!.reason).toBe(
      "Skipped: vpc in plat-ue2-dev did not succeed.",
    );
    expect(await applies()).toHaveLength(1);
    const report = await eventually(reported, (r) =>
      r.checkRuns.some(
        (run) => run.headSha === headSha && run.status === "completed" && run.title.startsWith("Applies"),
      ),
    );
    expect(report.checkRuns.find((run) => run.headSha === headSha)).toMatchObject({
      conclusion: "failure",
      title: "Applies failed: 1 failed, 3 skipped",
    });
    expect(report.checkRuns.find((run) => run.headSha === headSha)!.summary).toContain(
      "| plat-ue2-dev | app/api | apply.yaml | ⏭️ skipped |  | Skipped: vpc in plat-ue2-dev did not succeed. |",
    );
  });
});
