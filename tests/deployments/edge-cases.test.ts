/**
 * Ordered deployments where they go wrong: a lock holds an item (and its dependents) until it is
 * released; a new push supersedes what was waiting; a dependency cycle and an input we cannot render
 * are refused before anything is dispatched; GitHub answering 204 (the run found by its title);
 * GitHub rate limiting us (retried after Retry-After, dispatched once); a redelivered webhook.
 */
import { describe, expect, it } from "vitest";
import { api, apiToken } from "../api/client";
import { db } from "../db";
import { fakes } from "../fakes/control";
import {
  batches,
  dispatches,
  eventually,
  gitFaults,
  freshSeedEachTest,
  item,
  jobs,
  PRO,
  pullRequest,
  reported,
  uploadAffected,
  workflowRun,
} from "./fixtures";

const chain = () => [item("vpc", [item("eks/cluster")])];

freshSeedEachTest();

describe("ordered deployments, when things go wrong", () => {
  it("holds an item locked for something else as blocked, with its dependents, until the lock is released", async () => {
    const headSha = "1".repeat(40);
    const token = await apiToken();
    const lock = await api("POST", "/api/v1/locks", { token, body: { key: "acme/infra/plat-ue2-dev/vpc", ttl: 600 } });
    expect(lock.envelope.success).toBe(true);
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    await uploadAffected(chain(), headSha);
    const blocked = await eventually(jobs, (list) => list.some((job) => job.status === "blocked"));
    expect(blocked.find((job) => job.component === "vpc")).toMatchObject({
      status: "blocked",
      reason: "Blocked by lock on acme/infra/plat-ue2-dev/vpc: dispatched once it is released or expires.",
    });
    expect(blocked.find((job) => job.component === "eks/cluster")!.status).toBe("pending");
    expect((await dispatches()).length).toBe(before);
    await eventually(reported, (r) =>
      r.comments.some((c) => c.body.includes("| plat-ue2-dev | vpc | plan.yaml | 🔒 blocked by lock |")),
    );

    const unlock = await api("DELETE", "/api/v1/locks", { token, body: { key: "acme/infra/plat-ue2-dev/vpc" } });
    expect(unlock.envelope.success).toBe(true);
    const sent = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 2,
    );
    expect(sent.map((d) => d.inputs.component)).toEqual(["vpc", "eks/cluster"]);
  });

  it("cancels what a push made moot and leaves runs in flight alone", async () => {
    const first = "2".repeat(40);
    const second = "3".repeat(40);
    const token = await apiToken();
    // eks/cluster is held back by a lock, so it is still waiting when the next push comes.
    await api("POST", "/api/v1/locks", { token, body: { key: "acme/infra/plat-ue2-dev/eks/cluster", ttl: 600 } });
    await pullRequest("opened", { headSha: first });
    await uploadAffected(chain(), first);
    await eventually(
      jobs,
      (list) => list.some((job) => job.status === "blocked") && list.some((j) => j.status === "queued"),
    );

    await pullRequest("synchronize", { headSha: second });
    const after = await eventually(batches, (list) => list[0]?.status === "superseded");
    expect(after).toHaveLength(1);
    expect(Object.fromEntries((await jobs()).map((job) => [job.component, [job.status, job.reason]]))).toEqual({
      vpc: ["queued", null],
      "eks/cluster": ["cancelled", `Superseded by a newer push (${second.slice(0, 7)}).`],
    });
    // The new head's upload is planned in its own batch; a late upload of the old head is not.
    await uploadAffected(chain(), first);
    await uploadAffected(chain(), second);
    const planned = await eventually(batches, (list) => list.length === 2);
    expect(planned.map((batch) => [batch.headSha, batch.status])).toEqual([
      [first, "superseded"],
      [second, "running"],
    ]);
  });

  it("refuses a dependency cycle with a clear error on the check run, dispatching nothing", async () => {
    const headSha = "4".repeat(40);
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    // a → b → a: the dependents trees say each waits for the other.
    await uploadAffected([item("a", [item("b", [item("a")])])], headSha);
    const [batch] = await eventually(batches, (list) => list.length === 1);
    expect(batch).toMatchObject({ status: "invalid" });
    expect(batch!.error).toBe(
      "Dependency cycle: a in plat-ue2-dev → b in plat-ue2-dev → a in plat-ue2-dev. Nothing was dispatched; break the cycle in the stacks' dependencies.",
    );
    const report = await eventually(reported, (r) => r.checkRuns.some((run) => run.headSha === headSha));
    expect(report.checkRuns.find((run) => run.headSha === headSha)).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "Configuration error",
    });
    expect(report.checkRuns.find((run) => run.headSha === headSha)!.summary).toContain(
      "Dependency cycle: a in plat-ue2-dev",
    );
    expect((await dispatches()).length).toBe(before);
    expect(await jobs()).toEqual([]);
  });

  it("never dispatches an input it cannot render: that item fails with the reason, its dependents are skipped", async () => {
    const headSha = "5".repeat(40);
    const before = (await dispatches()).length;
    const bad = {
      pull_request: {
        opened: {
          workflows: { "plan.yaml": { inputs: { stage: "{{ .vars.stage }}" } }, "notes.yaml": "not an object" },
        },
      },
    };
    await pullRequest("opened", { headSha });
    await uploadAffected(
      [item("vpc", [item("eks/cluster")], { pro: bad }), item("dns", [], { stack: "core-gbl-dns" })],
      headSha,
    );
    await eventually(batches, (list) => list[0]?.status === "failure" || list[0]?.status === "running");
    const list = await eventually(
      jobs,
      (rows) => rows.length === 3 && !rows.some((r) => ["pending", "dispatching"].includes(r.status)),
    );
    expect(Object.fromEntries(list.map((job) => [job.component, [job.status, job.reason]]))).toEqual({
      vpc: [
        "failure",
        'Configuration error in settings.pro of vpc in plat-ue2-dev: input "stage" uses {{ .vars.stage }}, which Atmos Pro cannot render (only {{ .atmos_component }} and {{ .atmos_stack }}).',
      ],
      "eks/cluster": ["skipped", "Skipped: vpc in plat-ue2-dev did not succeed."],
      dns: ["queued", null],
    });
    const sent = (await dispatches()).slice(before);
    expect(sent.map((d) => d.inputs.component)).toEqual(["dns"]);
    expect(JSON.stringify(sent)).not.toContain("{{");
  });

  it("finds the run by its title when GitHub answers the dispatch with 204", async () => {
    const headSha = "6".repeat(40);
    await gitFaults({ dispatch: "no_content" });
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    const [sent] = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 1,
    );
    const [job] = await eventually(jobs, (rows) => rows[0]?.status === "queued");
    expect(job).toMatchObject({ runId: null, reason: "Dispatched; waiting for GitHub to report the run." });
    await workflowRun(sent!.runId, "completed", "success", `plan ${job!.id}`);
    const [done] = await eventually(jobs, (rows) => rows[0]?.status === "success");
    expect(done!.runId).toBe(sent!.runId);
    await eventually(batches, (rows) => rows[0]?.status === "success");
  });

  it("makes its pull request comment again when someone deleted it on GitHub", async () => {
    const headSha = "6d".padEnd(40, "0");
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    const [sent] = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 1,
    );
    const ours = async () =>
      (await reported()).comments.filter((c) => c.number === 7 && c.body.includes("atmos-pro:pull-request-comment"));
    const [first] = await eventually(ours, (list) => list.length === 1 && list[0]!.body.includes(headSha.slice(0, 7)));
    const deleted = await fetch(`${fakes().controlUrl}/git`, {
      method: "POST",
      body: JSON.stringify({ deletedComments: [first!.id] }),
    });
    expect(deleted.status).toBe(200);

    await workflowRun(sent!.runId, "completed", "success");
    const [again] = await eventually(ours, (list) => list.length === 1 && list[0]!.body.includes("✅ succeeded"));
    expect(again!.id).not.toBe(first!.id);
    const stored = await db()
      .$client.prepare("SELECT comment_id AS commentId FROM pull_requests WHERE number = 7")
      .first<{ commentId: number }>();
    expect(stored!.commentId).toBe(again!.id);
  });

  it("retries a dispatch GitHub rate-limited after its Retry-After, and dispatches it once", async () => {
    const headSha = "7".repeat(40);
    await gitFaults({ dispatch: "rate_limited" });
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    const [waiting] = await eventually(jobs, (rows) => rows[0]?.reason?.includes("rate limiting") ?? false);
    expect(waiting).toMatchObject({ status: "pending" });
    expect(waiting!.reason).toMatch(
      /^GitHub is rate limiting us \(dispatch_workflow\): API rate limit exceeded; retrying in 1 s\.$/,
    );
    await gitFaults({ dispatch: "ok" });
    await eventually(jobs, (rows) => rows[0]?.status === "queued", 15_000);
    expect((await dispatches()).slice(before)).toHaveLength(1);
  });

  it("does nothing twice for a redelivered pull_request webhook", async () => {
    const headSha = "8".repeat(40);
    const before = (await dispatches()).length;
    await uploadAffected(chain(), headSha);
    await pullRequest("opened", { headSha, deliveryId: "11111111-1111-4111-8111-111111111111" });
    await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 2,
    );
    await pullRequest("opened", { headSha, deliveryId: "11111111-1111-4111-8111-111111111111" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await dispatches()).slice(before)).toHaveLength(2);
    expect(await batches()).toHaveLength(1);
  });
});
