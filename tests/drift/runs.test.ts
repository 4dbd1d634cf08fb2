/**
 * Drift runs (app/domain/drift/runs.server.ts) on the seeded Acme workspace, with three instances of
 * acme/infra left with drift detection on (one of them locked by the seed), through the every-minute
 * scheduled handler, the deployment queue, the fake GitHub and the CLI's status PATCH: due and not
 * due, overlapping handlers, the spread of starts, skipped locked instances, detect → drifted →
 * remediate once, and the run's end.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { userActor } from "~/domain/audit.server";
import { advanceDriftRun, claimDueSchedules, startDriftRuns } from "~/domain/drift/runs.server";
import { nextRunAfter } from "~/domain/drift/schedule-time";
import { handleScheduled } from "~/worker/background.server";
import { SEED } from "../../db/seed";
import { api, apiToken } from "../api/client";
import { testContext, testNow } from "../context";
import { db } from "../db";
import { githubLists } from "../webhooks/fixtures";
import { dispatches, eventually, freshSeedEachTest, sweepAhead, workflowRun } from "../deployments/fixtures";

freshSeedEachTest();

const SCHEDULE = `drs_${"acmenightly".padEnd(28, "0")}`;
const WATCHED = [
  ["plat-ue2-dev", "vpc"],
  ["plat-ue2-dev", "eks/cluster"],
  // Locked by the seed ("Upgrading the EKS control plane…").
  ["plat-ue2-prod", "eks/cluster"],
] as const;

beforeEach(async () => {
  // The seed's past nightly runs are not this test's.
  await db().$client.prepare("DELETE FROM drift_runs").run();
  // Only the three watched instances have drift detection on.
  await db()
    .$client.prepare(
      `UPDATE instances SET drift_enabled = (stack || ' ' || component) IN (${WATCHED.map(() => "?").join(", ")})`,
    )
    .bind(...WATCHED.map(([stack, component]) => `${stack} ${component}`))
    .run();
});

type DriftJob = {
  id: string;
  kind: string;
  status: string;
  stack: string;
  component: string;
  reason: string | null;
  runId: number | null;
  notBefore: number | null;
};
const driftJobs = async () =>
  (
    await db()
      .$client.prepare(
        `SELECT d.id, d.kind, d.status, i.stack, i.component, d.reason, d.github_run_id AS runId, d.not_before AS notBefore
         FROM deployments d JOIN instances i ON i.id = d.instance_id
         WHERE d.drift_run_id IS NOT NULL ORDER BY d.kind, i.stack, i.component`,
      )
      .all<DriftJob>()
  ).results;
const runs = async () =>
  (
    await db()
      .$client.prepare(
        "SELECT id, status, cause, requested_by AS requestedBy, schedule_id AS scheduleId, head_sha AS headSha FROM drift_runs ORDER BY created_at",
      )
      .all<{
        id: string;
        status: string;
        cause: string;
        requestedBy: string;
        scheduleId: string | null;
        headSha: string | null;
      }>()
  ).results;
const schedule = async () =>
  (await db()
    .$client.prepare("SELECT last_run_at AS lastRunAt, next_run_at AS nextRunAt FROM drift_schedules WHERE id = ?")
    .bind(SCHEDULE)
    .first<{ lastRunAt: number | null; nextRunAt: number | null }>())!;

/** Makes the seeded schedule due a minute ago, with remediation as given. */
async function dueNow(remediate = false) {
  const due = testNow().getTime() - 60_000;
  await db()
    .$client.prepare("UPDATE drift_schedules SET next_run_at = ?, remediate = ? WHERE id = ?")
    .bind(due, remediate ? 1 : 0, SCHEDULE)
    .run();
  return due;
}

/** The every-minute Cron Trigger, with the detect jobs' starts spread over `spread` seconds. */
async function tick(spread = 0) {
  const ctx = createExecutionContext();
  await handleScheduled(
    createScheduledController({ scheduledTime: testNow(), cron: "* * * * *" }),
    { ...env, DRIFT_SPREAD_SECONDS: String(spread) } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

const detectDispatches = async (before: number) =>
  (await dispatches()).slice(before).filter((dispatch) => dispatch.workflow === "atmos-terraform-plan.yaml");

describe("claiming due schedules", () => {
  it("takes a due schedule once, moves its next run on by the expression, and leaves one not due alone", async () => {
    const now = testNow();
    const due = await dueNow();
    // Two overlapping invocations: one claim wins.
    const [first, second] = await Promise.all([claimDueSchedules(db(), now), claimDueSchedules(db(), now)]);
    expect([...first, ...second].map((claimed) => claimed.id)).toEqual([SCHEDULE]);
    expect(await schedule()).toEqual({ lastRunAt: due, nextRunAt: nextRunAfter("0 3 * * *", "UTC", now)!.getTime() });
    // Not due any more.
    expect(await claimDueSchedules(db(), now)).toEqual([]);
    // A paused schedule is never due.
    await dueNow();
    await db().$client.prepare("UPDATE drift_schedules SET enabled = 0 WHERE id = ?").bind(SCHEDULE).run();
    expect(await claimDueSchedules(db(), now)).toEqual([]);
  });

  it("reads the expression in the schedule's time zone across a daylight-saving change", async () => {
    // 02:30 every day in Berlin; on 2027-03-28 the clocks skip from 02:00 to 03:00.
    const before = new Date("2027-03-27T01:30:00Z"); // 02:30 CET on the 27th
    await db()
      .$client.prepare(
        "UPDATE drift_schedules SET cron = '30 2 * * *', timezone = 'Europe/Berlin', next_run_at = ? WHERE id = ?",
      )
      .bind(before.getTime(), SCHEDULE)
      .run();
    expect((await claimDueSchedules(db(), new Date(before.getTime() - 60_000))).length).toBe(0);
    expect((await claimDueSchedules(db(), before)).length).toBe(1);
    // The 28th has no 02:30: it runs at 03:00 CEST (01:00Z), then 02:30 CEST (00:30Z) on the 29th.
    expect((await schedule()).nextRunAt).toBe(Date.parse("2027-03-28T01:00:00Z"));
    expect((await claimDueSchedules(db(), new Date("2027-03-28T01:00:00Z"))).length).toBe(1);
    expect((await schedule()).nextRunAt).toBe(Date.parse("2027-03-29T00:30:00Z"));
  });
});

describe("a schedule that came due", () => {
  it("dispatches a detect per drift-enabled instance on the default branch's commit, skipping the locked one with its reason", async () => {
    const before = (await dispatches()).length;
    await dueNow();
    await Promise.all([tick(), tick()]); // overlapping handlers: one run
    const sent = await eventually(
      () => detectDispatches(before),
      (list) => list.length === 2,
    );
    const [run, ...others] = await runs();
    expect(others).toEqual([]);
    expect(run).toMatchObject({ cause: "schedule", requestedBy: "Nightly drift detection", scheduleId: SCHEDULE });
    expect(run!.headSha).toMatch(/^[0-9a-f]{40}$/);
    const ids = new Map((await driftJobs()).map((job) => [`${job.stack} ${job.component}`, job]));
    for (const dispatch of sent) {
      expect(dispatch.ref).toBe("main");
      expect(dispatch.inputs).toMatchObject({ sha: run!.headSha, upload_status: "true" });
      const job = ids.get(`${dispatch.inputs.stack} ${dispatch.inputs.component}`)!;
      expect(dispatch.inputs.atmos_pro_run_id).toBe(job.id);
      expect(job).toMatchObject({ kind: "detect", runId: dispatch.runId });
    }
    expect(sent.map((dispatch) => `${dispatch.inputs.stack} ${dispatch.inputs.component}`).sort()).toEqual([
      "plat-ue2-dev eks/cluster",
      "plat-ue2-dev vpc",
    ]);
    expect(ids.get("plat-ue2-prod eks/cluster")).toMatchObject({
      status: "skipped",
      reason: `Skipped: locked by ${SEED.ownerLogin} (Upgrading the EKS control plane to 1.31 — please hold applies).`,
    });

    // The runs end: the run ends with them.
    for (const dispatch of sent) await workflowRun(dispatch.runId, "completed", "success");
    await eventually(runs, (list) => list[0]?.status === "success");
    const audit = await db()
      .$client.prepare("SELECT action, actor_label AS actor FROM audit_events WHERE action = 'drift.started'")
      .all<{ action: string; actor: string }>();
    expect(audit.results).toEqual([{ action: "drift.started", actor: 'Schedule "Nightly drift detection"' }]);
  });

  it("spreads the starts over the window and dispatches each when its time comes", async () => {
    const before = (await dispatches()).length;
    await dueNow();
    await tick(600);
    await eventually(
      () => detectDispatches(before),
      (list) => list.length === 1,
    );
    const waiting = (await driftJobs()).filter((job) => job.status === "pending");
    expect(waiting).toHaveLength(1);
    // Three to start (the locked one is skipped when its turn comes): a third and two thirds into the window.
    const offset = waiting[0]!.notBefore! - testNow().getTime();
    expect(offset).toBeGreaterThan(150_000);
    expect(offset).toBeLessThanOrEqual(400_000);
    const [run] = await runs();
    const context = testContext();
    expect((await advanceDriftRun(db(), context.settings, run!.id, context.now)).dispatched).toBe(0);
    // The sweeper advances it when its time comes, should the queue's delayed message be lost.
    expect((await sweepAhead(1)).driftRuns).toEqual([]);
    expect((await sweepAhead(11)).driftRuns).toEqual([run!.id]);
    const later = new Date(testNow().getTime() + 601_000);
    expect((await advanceDriftRun(db(), context.settings, run!.id, context.now, later)).dispatched).toBe(1);
    expect(await detectDispatches(before)).toHaveLength(2);
  });

  it("does nothing when the schedule is not due", async () => {
    const before = (await dispatches()).length;
    await tick();
    expect(await runs()).toEqual([]);
    expect(await detectDispatches(before)).toEqual([]);
  });
});

describe("results and remediation", () => {
  /** The CLI's status upload from a detect workflow: exit code 2 is drifted. */
  async function reportStatus(stack: string, component: string, exitCode: number) {
    const token = await apiToken();
    const { envelope } = await api(
      "PATCH",
      `/api/v1/repos/acme/infra/instances?stack=${encodeURIComponent(stack)}&component=${encodeURIComponent(component)}`,
      {
        token,
        body: { command: "plan", exit_code: exitCode, last_run: new Date(testNow().getTime() + 1000).toISOString() },
      },
    );
    expect(envelope.success, JSON.stringify(envelope)).toBe(true);
  }
  const instanceStatus = async (stack: string, component: string) =>
    (await db()
      .$client.prepare("SELECT status FROM instances WHERE stack = ? AND component = ?")
      .bind(stack, component)
      .first<{ status: string }>())!.status;

  it("remediates an instance its detect found drifted, once, when the schedule says so", async () => {
    await db()
      .$client.prepare(
        "UPDATE instances SET settings_pro = json_set(settings_pro, '$.drift_detection.remediate', json(?)) WHERE workspace_id = ?",
      )
      .bind(
        JSON.stringify({
          workflows: {
            "atmos-terraform-apply.yaml": {
              inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" },
            },
          },
        }),
        SEED.workspaceId,
      )
      .run();
    const before = (await dispatches()).length;
    await dueNow(true);
    await tick();
    const sent = await eventually(
      () => detectDispatches(before),
      (list) => list.length === 2,
    );
    for (const dispatch of sent) await workflowRun(dispatch.runId, "in_progress");

    await reportStatus("plat-ue2-dev", "vpc", 2);
    await reportStatus("plat-ue2-dev", "eks/cluster", 0);
    expect(await instanceStatus("plat-ue2-dev", "vpc")).toBe("drifted");
    const remediations = await eventually(
      async () =>
        (await dispatches()).slice(before).filter((dispatch) => dispatch.workflow === "atmos-terraform-apply.yaml"),
      (list) => list.length === 1,
    );
    expect(remediations[0]!.inputs).toMatchObject({ component: "vpc", stack: "plat-ue2-dev" });
    // A second report of the same drift, and the detect's end: no second remediation.
    await reportStatus("plat-ue2-dev", "vpc", 2);
    for (const dispatch of sent) await workflowRun(dispatch.runId, "completed", "success");
    await workflowRun(remediations[0]!.runId, "completed", "success");
    await eventually(runs, (list) => list[0]?.status === "success");
    const jobs = await driftJobs();
    expect(jobs.filter((job) => job.kind === "remediate")).toHaveLength(1);
    expect(
      (await dispatches()).slice(before).filter((dispatch) => dispatch.workflow === "atmos-terraform-apply.yaml"),
    ).toHaveLength(1);
  });

  it("leaves drift alone without remediation, and a failed detect fails the run", async () => {
    const before = (await dispatches()).length;
    await dueNow(false);
    await tick();
    const sent = await eventually(
      () => detectDispatches(before),
      (list) => list.length === 2,
    );
    await reportStatus("plat-ue2-dev", "vpc", 2);
    await workflowRun(sent[0]!.runId, "completed", "success");
    await workflowRun(sent[1]!.runId, "completed", "failure");
    await eventually(runs, (list) => list[0]?.status === "failure");
    expect((await driftJobs()).filter((job) => job.kind === "remediate")).toEqual([]);
    expect((await dispatches()).slice(before)).toHaveLength(2);
  });
});

describe("a run GitHub refuses", () => {
  it("ends at once, failed, when every dispatch fails for good", async () => {
    const before = (await dispatches()).length;
    // acme/infra was taken out of the installation on GitHub and its webhook has not arrived yet:
    // GitHub gives no token for it, so nothing can be dispatched.
    await githubLists(SEED.installationId, "acme", []);
    const started = await startDriftRuns(db(), {
      workspaceId: SEED.workspaceId,
      repositoryId: SEED.repositoryId,
      scheduleId: null,
      cause: "manual",
      requestedBy: SEED.ownerLogin,
      actor: userActor({ id: SEED.ownerId, login: SEED.ownerLogin, name: "Ada Owner" }),
      remediate: false,
      spreadSeconds: 0,
      maxInFlight: 10,
      now: testNow(),
    });
    expect(started).toMatchObject({ ok: true, jobs: 3 });
    const context = testContext();
    const result = await advanceDriftRun(db(), context.settings, started.ok ? started.runIds[0]! : "", context.now);
    expect(result).toEqual({ dispatched: 0, finished: "failure", retryInSeconds: null });
    expect((await runs()).map((run) => run.status)).toEqual(["failure"]);
    expect((await driftJobs()).map((job) => [job.stack, job.component, job.status])).toEqual([
      ["plat-ue2-dev", "eks/cluster", "failure"],
      ["plat-ue2-dev", "vpc", "failure"],
      ["plat-ue2-prod", "eks/cluster", "skipped"],
    ]);
    expect(await detectDispatches(before)).toEqual([]);
  });
});

describe("checking now", () => {
  it("checks one instance at once, and says so when drift detection is not on", async () => {
    const [instance] = (
      await db()
        .$client.prepare("SELECT id FROM instances WHERE stack = 'plat-ue2-dev' AND component = 'vpc'")
        .all<{ id: string }>()
    ).results;
    const actor = userActor({ id: SEED.ownerId, login: SEED.ownerLogin, name: "Ada Owner" });
    const request = {
      workspaceId: SEED.workspaceId,
      repositoryId: SEED.repositoryId,
      scheduleId: null,
      cause: "manual" as const,
      requestedBy: SEED.ownerLogin,
      actor,
      remediate: false,
      spreadSeconds: 600,
      maxInFlight: 10,
      now: testNow(),
    };
    const started = await startDriftRuns(db(), { ...request, instanceId: instance!.id });
    expect(started).toMatchObject({ ok: true, jobs: 1 });
    expect((await driftJobs()).map((job) => [job.component, job.status, job.notBefore])).toEqual([
      ["vpc", "pending", null],
    ]);
    await db().$client.prepare("UPDATE instances SET drift_enabled = 0").run();
    expect(await startDriftRuns(db(), request)).toMatchObject({ ok: false, reason: "nothing_to_check" });
    expect(await runs()).toHaveLength(1);
  });
});
