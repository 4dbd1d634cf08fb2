/**
 * The Drift page's forms (app/forms/drift.server.ts) through the route, as a signed-in owner and
 * member of the seeded Acme workspace (Team plan: 10 schedules, one seeded): create, edit, pause,
 * resume and delete with the next run shown; bad input refused naming the field with nothing
 * changed; the plan's limit; "check for drift now" for a repository and for one instance, by a
 * member, dispatching its detect workflows; and the runs' history on the page.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { nextRunAfter } from "~/domain/drift/schedule-time";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { form, request } from "../auth/sign-in";
import { testNow } from "../context";
import { db, dumpDatabase } from "../db";
import { dispatches, eventually, freshSeedEachTest } from "../deployments/fixtures";

freshSeedEachTest();

const PAGE = `/dashboard/${SEED.workspaceSlug}/drift`;
const DATA = `${PAGE}?_data=${encodeURIComponent("routes/dashboard.$workspace.drift")}`;

type Answer = { ok: boolean; intent: string; message?: string; fieldErrors?: Record<string, string> };
async function post(fields: Record<string, string>, userId: string = SEED.ownerId, path = DATA) {
  const { response } = await request(path, await sessionCookieFor(userId), form(fields));
  return { status: response.status, body: (await response.json()) as Answer };
}

type Schedule = {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  remediate: boolean;
  repositoryId: string | null;
  scope: string;
  nextRunAt: string | null;
};
type Run = {
  id: string;
  repository: string;
  cause: string;
  requestedBy: string;
  status: string;
  checks: number;
  jobs: { kind: string; status: string; instance: string; reason: string | null }[];
};
async function page(userId: string = SEED.ownerId) {
  const { response } = await request(DATA, await sessionCookieFor(userId));
  expect(response.status).toBe(200);
  const data = (await response.json()) as {
    canManage: boolean;
    canRun: boolean;
    choices: { id: string; repository: string }[];
    schedules: { ok: true; data: { schedules: Schedule[] } };
    runs: { ok: true; data: { runs: Run[] } };
  };
  expect(data.schedules.ok && data.runs.ok).toBe(true);
  return { ...data, schedules: data.schedules.data.schedules, runs: data.runs.data.runs };
}

const weekly = {
  intent: "create",
  name: "Weekly in Berlin",
  repositoryId: SEED.repositoryId,
  cron: "0 6 * * MON",
  timezone: "Europe/Berlin",
  remediate: "on",
};

beforeEach(async () => {
  // Three instances with drift detection on, none of them locked.
  await db()
    .$client.prepare(
      "UPDATE instances SET drift_enabled = (stack = 'plat-ue2-dev' AND component IN ('vpc', 'eks/cluster', 'ecr'))",
    )
    .run();
});

describe("drift schedules on the Drift page", () => {
  it("an owner creates, edits, pauses, resumes and deletes a schedule, each change audited", async () => {
    const created = await post(weekly);
    expect(created).toMatchObject({ status: 200, body: { ok: true, message: 'Schedule "Weekly in Berlin" created.' } });
    let schedule = (await page()).schedules.find((s) => s.name === "Weekly in Berlin")!;
    expect(schedule).toMatchObject({ scope: "acme/infra", cron: "0 6 * * MON", remediate: true, enabled: true });
    const next = nextRunAfter("0 6 * * MON", "Europe/Berlin", testNow())!;
    // Written at the request's time: the next Monday 06:00 in Berlin after it.
    expect(Date.parse(schedule.nextRunAt!)).toBe(next.getTime());

    const edited = await post({
      intent: "update",
      scheduleId: schedule.id,
      name: "Daily, all repositories",
      repositoryId: "",
      cron: "@daily",
      timezone: "UTC",
    });
    expect(edited).toMatchObject({ status: 200, body: { ok: true, intent: `update:${schedule.id}` } });
    schedule = (await page()).schedules.find((s) => s.id === schedule.id)!;
    expect(schedule).toMatchObject({ name: "Daily, all repositories", scope: "All repositories", remediate: false });

    expect((await post({ intent: "pause", scheduleId: schedule.id })).body.ok).toBe(true);
    expect((await page()).schedules.find((s) => s.id === schedule.id)).toMatchObject({
      enabled: false,
      nextRunAt: null,
    });
    expect((await post({ intent: "resume", scheduleId: schedule.id })).body.ok).toBe(true);
    expect((await page()).schedules.find((s) => s.id === schedule.id)!.nextRunAt).not.toBeNull();
    expect((await post({ intent: "delete", scheduleId: schedule.id })).body).toMatchObject({
      ok: true,
      message: "Schedule deleted.",
    });
    expect((await page()).schedules.map((s) => s.id)).not.toContain(schedule.id);
    expect((await post({ intent: "delete", scheduleId: schedule.id })).status).toBe(404);

    const { results } = await db()
      .$client.prepare(
        "SELECT action FROM audit_events WHERE workspace_id = ? AND action LIKE 'schedule.%' ORDER BY created_at, rowid",
      )
      .bind(SEED.workspaceId)
      .all<{ action: string }>();
    expect(results.map((row) => row.action)).toEqual([
      "schedule.created",
      "schedule.updated",
      "schedule.updated",
      "schedule.updated",
      "schedule.deleted",
    ]);
  });

  it.each([
    [
      { cron: "0 3 * *" },
      "cron",
      'A cron expression has five fields (minute hour day-of-month month day-of-week); "0 3 * *" has 4.',
    ],
    [{ cron: "61 3 * * *" }, "cron", '"61 3 * * *" is not a cron expression'],
    [{ cron: "0 0 3 * * *" }, "cron", "has 6"],
    [{ timezone: "Mars/Olympus" }, "timezone", '"Mars/Olympus" is not an IANA time zone'],
    [{ name: "  " }, "name", "Give the schedule a name of 1 to 100 characters."],
    [
      { repositoryId: `repo_${"x".repeat(28)}` },
      "repositoryId",
      "Choose a repository of this workspace, or all of them.",
    ],
    [{ repositoryId: "acme/infra" }, "repositoryId", "Choose a repository of this workspace, or all of them."],
    [{ remediate: "yes" }, "remediate", "Tick the box, or leave it empty."],
  ])("refuses %j naming the field, and changes nothing", async (change, field, message) => {
    const before = await dumpDatabase({ except: ["sessions"] });
    const answer = await post({ ...weekly, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.fieldErrors?.[field]).toContain(message);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("holds the plan's limit of schedules, saying what to do", async () => {
    // Team: 10 schedules; the seed has one.
    for (let i = 0; i < 9; i++) expect((await post({ ...weekly, name: `Schedule ${i}` })).status).toBe(200);
    const before = await dumpDatabase({ except: ["sessions"] });
    const refused = await post({ ...weekly, name: "One too many" });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/this workspace has 10\. Delete one or raise the plan/);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("lets a member see schedules but not change them", async () => {
    const view = await page(SEED.memberId);
    expect(view).toMatchObject({ canManage: false, canRun: true });
    const before = await dumpDatabase({ except: ["sessions"] });
    const seeded = view.schedules[0]!;
    expect((await post(weekly, SEED.memberId)).status).toBe(403);
    expect((await post({ intent: "delete", scheduleId: seeded.id }, SEED.memberId)).status).toBe(403);
    expect((await post({ intent: "pause", scheduleId: seeded.id }, SEED.memberId)).status).toBe(403);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
    // A form this page does not have.
    expect((await post({ intent: "explode" })).status).toBe(400);
  });
});

describe("checking for drift now", () => {
  it("a member checks a repository: its detect workflows are dispatched at once and the run is listed", async () => {
    const before = (await dispatches()).length;
    const answer = await post({ intent: "check", repositoryId: SEED.repositoryId }, SEED.memberId);
    expect(answer).toMatchObject({
      status: 200,
      body: { ok: true, message: "Checking 3 instances for drift now: the run is listed below." },
    });
    const sent = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 3,
    );
    expect(sent.map((dispatch) => dispatch.inputs.component).sort()).toEqual(["ecr", "eks/cluster", "vpc"]);
    const [run] = (await page(SEED.memberId)).runs;
    expect(run).toMatchObject({ repository: "acme/infra", cause: "manual", requestedBy: "acme-member", checks: 3 });
    expect(run!.jobs.map((job) => job.kind)).toEqual(["detect", "detect", "detect"]);
  });

  it("a member checks one instance from its page; an instance without drift detection is refused", async () => {
    const ids = Object.fromEntries(
      (
        await db()
          .$client.prepare(
            "SELECT id, component FROM instances WHERE stack = 'plat-ue2-dev' AND component IN ('vpc', 'waf')",
          )
          .all<{ id: string; component: string }>()
      ).results.map((row) => [row.component, row.id]),
    );
    const instancePage = (id: string) =>
      `/dashboard/${SEED.workspaceSlug}/instances/${id}?_data=${encodeURIComponent("routes/dashboard.$workspace.instances.$instanceId")}`;
    const before = (await dispatches()).length;
    const checked = await post({ intent: "check" }, SEED.memberId, instancePage(ids.vpc!));
    expect(checked.body).toMatchObject({ ok: true, message: "Checking this instance for drift now." });
    const sent = await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 1,
    );
    expect(sent[0]!.inputs).toMatchObject({ component: "vpc", stack: "plat-ue2-dev" });

    const state = await dumpDatabase({ except: ["sessions"] });
    const refused = await post({ intent: "check" }, SEED.memberId, instancePage(ids.waf!));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/^Drift detection is not on for this instance/);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(state);
  });

  it("a member runs a schedule now: its repository, at once, and its next run stays", async () => {
    const seeded = (await page()).schedules[0]!;
    const before = (await dispatches()).length;
    const answer = await post({ intent: "run", scheduleId: seeded.id }, SEED.memberId);
    expect(answer.body).toMatchObject({
      ok: true,
      message: "Checking 3 instances for drift now: the run is listed below.",
    });
    await eventually(
      async () => (await dispatches()).slice(before),
      (list) => list.length === 3,
    );
    const after = await page();
    expect(after.schedules[0]!.nextRunAt).toBe(seeded.nextRunAt);
    expect(after.runs[0]).toMatchObject({ cause: "manual", requestedBy: "acme-member", checks: 3 });
    expect((await post({ intent: "run", scheduleId: `drs_${"z".repeat(28)}` }, SEED.memberId)).status).toBe(404);
  });

  it("refuses a repository that is not the workspace's", async () => {
    const before = await dumpDatabase({ except: ["sessions"] });
    const answer = await post({ intent: "check", repositoryId: `repo_${"y".repeat(28)}` }, SEED.memberId);
    expect(answer.status).toBe(409);
    expect(answer.body.message).toMatch(/^No instance here has drift detection on/);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });
});
