/**
 * The backstop (app/domain/deployments/sweep.server.ts), driven with a clock minutes ahead of the
 * app's: a run GitHub did not name is found by its title, a run whose webhooks were lost is polled to
 * its end, and a dispatch that never started a run fails with the reason — it is never sent twice.
 */
import { describe, expect, it } from "vitest";
import { advanceBatch } from "~/domain/deployments/dispatch.server";
import { testContext, testNow } from "../context";
import { db } from "../db";
import { fakes } from "../fakes/control";
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
  pullRequest,
  uploadAffected,
} from "./fixtures";

freshSeedEachTest();

describe("the deployments sweeper", () => {
  it("finds a run GitHub did not name by its title, then polls it to its end when its webhooks are lost", async () => {
    const headSha = "d".repeat(40);
    await gitFaults({ dispatch: "no_content" });
    const before = (await dispatches()).length;
    await pullRequest("opened", { headSha });
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    const [sent] = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 1,
    );
    await eventually(jobs, (rows) => rows[0]?.status === "queued");
    const settings = testContext().settings;

    // Too early: a run may take a moment to appear.
    expect(await sweepAhead(1)).toMatchObject({ lookedUp: 0, found: 0 });
    const found = await sweepAhead(3);
    expect(found).toMatchObject({ lookedUp: 1, found: 1, failed: 0 });
    expect((await jobs())[0]).toMatchObject({ status: "queued", runId: sent!.runId });

    // A run that lasts is polled, at most every 15 minutes.
    expect((await sweepAhead(5)).polled).toBe(0);
    expect((await sweepAhead(16)).polled).toBe(1);
    expect((await jobs())[0]!.status).toBe("queued");
    expect((await sweepAhead(17)).polled).toBe(0);

    // The run finished on GitHub, and no webhook told us.
    const response = await fetch(`${fakes().controlUrl}/git`, {
      method: "POST",
      body: JSON.stringify({ runs: { [sent!.runId]: { status: "completed", conclusion: "success" } } }),
    });
    expect(response.status).toBe(200);
    const polled = await sweepAhead(32);
    expect(polled).toMatchObject({ polled: 1 });
    expect((await jobs())[0]!.status).toBe("success");
    for (const batchId of polled.batches) await advanceBatch(db(), settings, batchId, testNow);
    expect((await batches())[0]!.status).toBe("success");
  });

  it("fails a dispatch that never started a run after 10 minutes, without dispatching it again", async () => {
    const headSha = "e".repeat(40);
    await gitFaults({ dispatch: "lost" });
    await pullRequest("opened", { headSha });
    await uploadAffected([item("vpc", [], { pro: PRO })], headSha);
    await eventually(jobs, (rows) => rows.some((row) => row.status === "queued"));
    const settings = testContext().settings;
    expect(await sweepAhead(3)).toMatchObject({ lookedUp: 1, found: 0, failed: 0 });
    const swept = await sweepAhead(11);
    expect(swept).toMatchObject({ lookedUp: 1, failed: 1 });
    await gitFaults({ dispatch: "ok" });
    for (const batchId of swept.batches) await advanceBatch(db(), settings, batchId, testNow);
    const rows = await jobs();
    expect(rows.map((row) => [row.component, row.status])).toEqual([["vpc", "failure"]]);
    expect(rows.find((row) => row.component === "vpc")!.reason).toMatch(
      /^GitHub never reported a run for this dispatch/,
    );
    expect((await batches())[0]!.status).toBe("failure");
  });
});
