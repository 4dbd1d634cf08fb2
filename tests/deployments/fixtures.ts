/**
 * Driving ordered deployments as GitHub and the atmos CLI do: signed `pull_request` and
 * `workflow_run` deliveries (GitHub's example payloads, with our values), affected-stacks uploads
 * through the API, and the fake GitHub's record of every dispatch it accepted.
 */
import { afterEach, beforeEach, expect } from "vitest";
import { sweepDeployments } from "~/domain/deployments/sweep.server";
import { SEED } from "../../db/seed";
import { api, apiToken } from "../api/client";
import { REPO, type WireStackItem } from "../api/fixtures";
import { testContext, testNow } from "../context";
import { db, seedDatabase } from "../db";
import { fakes } from "../fakes/control";
import type { GitCheckRun, GitComment, GitDispatch } from "../fakes/github-app";
import { example, githubLists, processed, send } from "../webhooks/fixtures";

export const HEAD_SHA = "a".repeat(40);
export const BASE_SHA = "b".repeat(40);
export const PR_NUMBER = 7;
export const HEAD_REF = "feature/vpc";

/** GitHub's truth for the seed: installation 9001 covers acme/infra (9101). */
export const githubCoversSeed = () => githubLists(SEED.installationId, "acme", [[SEED.repositoryGithubId, "infra"]]);

/** Each test of the file starts from the seed, covered by GitHub, with no fault a test before left on. */
export function freshSeedEachTest(): void {
  beforeEach(async () => {
    await seedDatabase();
    await githubCoversSeed();
  });
  afterEach(async () => {
    await gitFaults({ dispatch: "ok", checkRuns: "ok" });
  });
}

/** The sweeper, judging what is late `minutes` ahead; GitHub's calls are signed on the run's clock, as the fake checks them. */
export const sweepAhead = (minutes: number) =>
  sweepDeployments(db(), testContext().settings, testNow, new Date(testNow().getTime() + minutes * 60_000));

const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
/** `settings.pro` asking for a plan on each push and an apply after the merge. */
export const PRO = {
  pull_request: {
    opened: { workflows: { "plan.yaml": { inputs } } },
    synchronize: { workflows: { "plan.yaml": { inputs } } },
    reopened: { workflows: { "plan.yaml": { inputs } } },
    merged: { workflows: { "apply.yaml": { inputs } } },
  },
};

/** An affected item as the CLI sends it, with its dependents tree. */
export function item(
  component: string,
  dependents: WireStackItem[] = [],
  options: { stack?: string; pro?: Record<string, unknown> | null } = {},
): WireStackItem {
  const stack = options.stack ?? "plat-ue2-dev";
  return {
    component,
    component_type: "terraform",
    component_path: `components/terraform/${component}`,
    stack,
    stack_slug: `${stack}-${component.replace(/\//g, "-")}`,
    affected: "component",
    dependents,
    included_in_dependents: false,
    settings: options.pro === null ? null : { pro: options.pro ?? PRO },
  };
}

/** Uploads affected stacks for the PR's head as the CLI does in a pull request workflow. */
export async function uploadAffected(stacks: WireStackItem[], headSha = HEAD_SHA) {
  const token = await apiToken({ ref: `refs/pull/${PR_NUMBER}/merge`, head_ref: HEAD_REF });
  const { envelope } = await api("POST", "/api/v1/affected-stacks", {
    token,
    body: { head_sha: headSha, base_sha: BASE_SHA, ...REPO, stacks },
  });
  expect(envelope.success, JSON.stringify(envelope)).toBe(true);
}

let updates = 0;
/** A `pull_request` delivery for acme/infra #7, processed. Each is newer than the one before (updated_at). */
export async function pullRequest(
  action: "opened" | "synchronize" | "reopened" | "closed",
  options: { headSha?: string; merged?: boolean; updatedAt?: string; deliveryId?: string } = {},
) {
  const payload = example("pull_request", action === "synchronize" ? "synchronize" : action);
  const pr = payload.pull_request as Record<string, unknown>;
  payload.number = PR_NUMBER;
  updates += 1;
  Object.assign(pr, {
    number: PR_NUMBER,
    title: "Widen the VPC",
    state: action === "closed" ? "closed" : "open",
    merged: options.merged ?? false,
    updated_at: options.updatedAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, updates)).toISOString(),
    html_url: `https://github.com/acme/infra/pull/${PR_NUMBER}`,
    user: { ...(pr.user as Record<string, unknown>), login: "octocat" },
    head: { ...(pr.head as Record<string, unknown>), sha: options.headSha ?? HEAD_SHA, ref: HEAD_REF },
    base: { ...(pr.base as Record<string, unknown>), ref: "main" },
  });
  payload.repository = {
    ...(payload.repository as Record<string, unknown>),
    id: SEED.repositoryGithubId,
    name: "infra",
    full_name: "acme/infra",
  };
  const { deliveryId } = await send("pull_request", payload, { deliveryId: options.deliveryId });
  expect((await processed(deliveryId)).status).toBe("done");
}

/** A `workflow_run` delivery for a run the fake started. */
export async function workflowRun(
  runId: number,
  action: "requested" | "in_progress" | "completed",
  conclusion: string | null = null,
  displayTitle?: string,
) {
  const payload = example("workflow_run", action === "in_progress" ? "requested" : action);
  payload.action = action;
  payload.workflow_run = {
    ...(payload.workflow_run as Record<string, unknown>),
    id: runId,
    status: action === "completed" ? "completed" : action === "requested" ? "queued" : "in_progress",
    conclusion,
    html_url: `https://github.com/acme/infra/actions/runs/${runId}`,
    ...(displayTitle ? { display_title: displayTitle } : {}),
  };
  const { deliveryId } = await send("workflow_run", payload);
  expect((await processed(deliveryId)).status).toBe("done");
}

/** What the fake GitHub has accepted so far for acme/infra. */
export async function dispatches(): Promise<GitDispatch[]> {
  const response = await fetch(`${fakes().controlUrl}/git`);
  const snapshot = (await response.json()) as { dispatches: GitDispatch[] };
  return snapshot.dispatches.filter((dispatch) => dispatch.repo === "acme/infra");
}

/** The check runs and comments the fake GitHub holds for acme/infra. */
export async function reported(): Promise<{ checkRuns: GitCheckRun[]; comments: GitComment[] }> {
  const response = await fetch(`${fakes().controlUrl}/git`);
  const snapshot = (await response.json()) as { checkRuns: GitCheckRun[]; comments: GitComment[] };
  return {
    checkRuns: snapshot.checkRuns.filter((run) => run.repo === "acme/infra"),
    comments: snapshot.comments.filter((comment) => comment.repo === "acme/infra"),
  };
}

export async function gitFaults(faults: Record<string, string>) {
  const response = await fetch(`${fakes().controlUrl}/git`, { method: "POST", body: JSON.stringify({ faults }) });
  expect(response.status).toBe(200);
}

/** Waits (bounded) until `check` holds for what is stored and dispatched. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > until)
      throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export type JobView = {
  id: string;
  kind: string;
  status: string;
  workflow: string;
  component: string;
  stack: string;
  runId: number | null;
  reason: string | null;
};

/** Every job of the seeded workspace's batches, with its item. */
export async function jobs(): Promise<JobView[]> {
  const { results } = await db()
    .$client.prepare(
      `SELECT d.id, d.kind, d.status, d.workflow, i.component, i.stack, d.github_run_id AS runId, d.reason
       FROM deployments d JOIN instances i ON i.id = d.instance_id
       WHERE d.batch_id IS NOT NULL ORDER BY d.created_at, i.component`,
    )
    .all<JobView>();
  return results;
}

export async function batches() {
  const { results } = await db()
    .$client.prepare(
      "SELECT id, kind, status, error, head_sha AS headSha, activity FROM deployment_batches ORDER BY created_at",
    )
    .all<{ id: string; kind: string; status: string; error: string | null; headSha: string; activity: string }>();
  return results;
}
