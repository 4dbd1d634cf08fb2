/**
 * The triggers no pull request carries. A merge group plans its head on its head ref (its own
 * workflows, else the pull request's synchronize ones) and never applies; one that no upload meets in
 * time gets a neutral check run, once, edited in place if the upload comes after all. A release
 * applies its tagged commit on its tag, in dependency order, once for `published` and `released`.
 */
import { describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { db } from "../db";
import { fakes } from "../fakes/control";
import { example, processed, send } from "../webhooks/fixtures";
import {
  batches,
  dispatches,
  eventually,
  gitFaults,
  freshSeedEachTest,
  item,
  sweepAhead,
  jobs,
  PRO,
  reported,
  uploadAffected,
  workflowRun,
} from "./fixtures";

const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
const repository = { id: SEED.repositoryGithubId, name: "infra", full_name: "acme/infra" };

async function mergeGroup(headSha: string, headRef: string) {
  const payload = example("merge_group", "checks_requested");
  payload.merge_group = { ...(payload.merge_group as Record<string, unknown>), head_sha: headSha, head_ref: headRef };
  payload.repository = { ...(payload.repository as Record<string, unknown>), ...repository };
  const { deliveryId } = await send("merge_group", payload);
  return processed(deliveryId);
}

async function release(action: "published" | "released", tag: string) {
  const payload = example("release", action);
  payload.release = { ...(payload.release as Record<string, unknown>), tag_name: tag, draft: false };
  payload.repository = { ...(payload.repository as Record<string, unknown>), ...repository };
  const { deliveryId } = await send("release", payload);
  return processed(deliveryId);
}

async function tag(name: string, sha: string) {
  const response = await fetch(`${fakes().controlUrl}/git`, {
    method: "POST",
    body: JSON.stringify({ tags: { "acme/infra": { [name]: sha } } }),
  });
  expect(response.status).toBe(200);
}

// Head shas of this file only: the fake GitHub keeps every check run of the whole run.
freshSeedEachTest();

describe("merge groups", () => {
  it("plans the head on its head ref with its own workflows, else the synchronize ones, and never applies", async () => {
    const headSha = "5a1".padEnd(40, "0");
    const headRef = `gh-readonly-queue/main/pr-7-${"9".repeat(40)}`;
    const own = { ...PRO, merge_group: { checks_requested: { workflows: { "queue-plan.yaml": { inputs } } } } };
    const before = (await dispatches()).length;
    expect((await mergeGroup(headSha, headRef)).status).toBe("done");
    await uploadAffected([item("vpc", [item("eks/cluster")], { pro: own })], headSha);

    const sent = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 2,
    );
    expect(sent.map((d) => [d.workflow, d.inputs.component, d.ref, d.inputs.sha])).toEqual([
      ["queue-plan.yaml", "vpc", headRef, headSha],
      ["plan.yaml", "eks/cluster", headRef, headSha],
    ]);
    const [batch] = await batches();
    expect(batch).toMatchObject({ kind: "plan", activity: "checks_requested", headSha });
    expect((await jobs()).every((job) => job.kind === "plan")).toBe(true);
    // Its check run follows the dispatches (the report is made after them).
    const checks = await eventually(
      async () => (await reported()).checkRuns.filter((run) => run.headSha === headSha),
      (list) => list.length > 0,
    );
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "Atmos Pro", status: "in_progress" });
    // Its upload was met: the sweeper leaves it alone.
    expect((await sweepAhead(30)).neutral).toBe(0);
  });

  it("says 'No affected stacks workflow detected' once when no upload comes, and edits that check run if one does", async () => {
    const headSha = "5a2".padEnd(40, "0");
    expect((await mergeGroup(headSha, "gh-readonly-queue/main/pr-8-x")).status).toBe("done");

    expect((await sweepAhead(5)).neutral).toBe(0);
    expect((await reported()).checkRuns.filter((run) => run.headSha === headSha)).toEqual([]);

    // GitHub failing: the claim is let go, and the next sweep tries again.
    await gitFaults({ checkRuns: "http_500" });
    expect((await sweepAhead(10)).neutral).toBe(0);
    await gitFaults({ checkRuns: "ok" });
    const settled = await db()
      .$client.prepare("SELECT settled_at AS settledAt FROM deployment_triggers WHERE head_sha = ?")
      .bind(headSha)
      .first<{ settledAt: number | null }>();
    expect(settled).toEqual({ settledAt: null });

    // Two overlapping sweeps: one of them claims it.
    const [one, other] = await Promise.all([sweepAhead(11), sweepAhead(11)]);
    expect(one.neutral + other.neutral).toBe(1);
    const [neutral, ...more] = (await reported()).checkRuns.filter((run) => run.headSha === headSha);
    expect(more).toEqual([]);
    expect(neutral).toMatchObject({
      name: "Atmos Pro",
      status: "completed",
      conclusion: "neutral",
      title: "No affected stacks workflow detected",
      writes: 1,
    });
    expect(neutral!.summary).toContain("within 10 minutes");
    expect(neutral!.detailsUrl).toMatch(/\/docs\/ordered-deployments$/);

    // A later sweep posts nothing more.
    expect((await sweepAhead(12)).neutral).toBe(0);
    expect((await reported()).checkRuns.find((run) => run.id === neutral!.id)!.writes).toBe(1);

    // The upload came after all: its batch reports on the same check run.
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    const runs = await eventually(
      async () => (await reported()).checkRuns.filter((run) => run.headSha === headSha),
      (list) => list.length === 1 && list[0]!.writes > 1,
    );
    expect(runs[0]!.id).toBe(neutral!.id);
    expect(runs[0]!.title).not.toBe("No affected stacks workflow detected");
  });

  it("gives up on a merge group older than a day, and on one of a repository no workspace imports", async () => {
    const headSha = "5a3".padEnd(40, "0");
    expect((await mergeGroup(headSha, "gh-readonly-queue/main/pr-9-x")).status).toBe("done");
    expect((await sweepAhead(24 * 60 + 1)).neutral).toBe(0);
    await db().$client.prepare("DELETE FROM workspace_repositories").run();
    expect((await sweepAhead(11)).neutral).toBe(0);
    expect((await reported()).checkRuns.filter((run) => run.headSha === headSha)).toEqual([]);
  });
});

describe("releases", () => {
  const apply = { release: { published: { workflows: { "apply.yaml": { inputs } } } } };

  it("applies the tagged commit on its tag in dependency order, once for published and released", async () => {
    const sha = "5a4".padEnd(40, "0");
    await tag("v1.2.0", sha);
    const before = (await dispatches()).length;
    expect((await release("published", "v1.2.0")).status).toBe("done");
    expect((await release("released", "v1.2.0")).status).toBe("done");
    await uploadAffected([item("vpc", [item("eks/cluster", [], { pro: apply })], { pro: apply })], sha);

    const first = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 1,
    );
    expect(first[0]).toMatchObject({ workflow: "apply.yaml", ref: "v1.2.0", inputs: { component: "vpc", sha } });
    // An apply waits for what it depends on to succeed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await dispatches()).length - before).toBe(1);
    await workflowRun(first[0]!.runId, "completed", "success");
    const both = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 2,
    );
    expect(both[1]).toMatchObject({ workflow: "apply.yaml", ref: "v1.2.0", inputs: { component: "eks/cluster" } });

    const all = await batches();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ kind: "apply", activity: "published", headSha: sha });
    const { results } = await db()
      .$client.prepare("SELECT event, ref FROM deployment_triggers WHERE event = 'release'")
      .all<{ event: string; ref: string }>();
    expect(results).toEqual([{ event: "release", ref: "v1.2.0" }]);
  });

  it("fails a release whose tag names no commit, with the reason, and records nothing", async () => {
    const delivery = await release("published", "v9.9.9-missing");
    expect(delivery.status).toBe("failed");
    expect(delivery.error).toContain("v9.9.9-missing");
    const { results } = await db().$client.prepare("SELECT id FROM deployment_triggers").all();
    expect(results).toEqual([]);
  });
});
