/**
 * GitHub Actions, as our App's installation: dispatch a workflow (Actions: write) and find the runs a
 * dispatch started (Actions: read). GitHub answers a dispatch with `return_run_details: true` with the
 * run's id; older servers answer 204 without it, and the run is then found by its display title, which
 * carries our job id (the `atmos_pro_run_id` input).
 */
import { type } from "../validation";
import type { RepositoryClient } from "./app.server";

export const DISPATCH_PERMISSIONS = { actions: "write" } as const;
export const RUNS_PERMISSIONS = { actions: "read" } as const;

const segment = (value: string) => encodeURIComponent(value);

const dispatchAnswer = type({ workflow_run_id: "number.integer > 0", html_url: "string" }).or("null");

export type DispatchedRun = { runId: number; runUrl: string } | null;

/** POST /repos/{owner}/{repo}/actions/workflows/{file}/dispatches; null when GitHub did not say which run. */
export async function dispatchWorkflow(
  client: RepositoryClient,
  input: { file: string; ref: string; inputs: Record<string, string> },
): Promise<DispatchedRun> {
  const answer = await client.request({
    method: "POST",
    path: `/repos/${segment(client.owner)}/${segment(client.repo)}/actions/workflows/${segment(input.file)}/dispatches`,
    body: { ref: input.ref, inputs: input.inputs, return_run_details: true },
    schema: dispatchAnswer,
    step: "dispatch_workflow",
  });
  return answer ? { runId: answer.workflow_run_id, runUrl: answer.html_url } : null;
}

export const workflowRun = type({
  id: "number.integer > 0",
  "display_title?": "string",
  status: "string | null",
  conclusion: "string | null",
  html_url: "string",
  head_sha: "string",
});
const runsAnswer = type({ total_count: "number.integer >= 0", workflow_runs: workflowRun.array() });

/** The runs of a head sha (GET …/actions/runs?head_sha=…&event=workflow_dispatch), newest first, one page. */
export async function runsOfHeadSha(
  client: RepositoryClient,
  headSha: string,
): Promise<Array<typeof workflowRun.infer>> {
  const answer = await client.request({
    method: "GET",
    path: `/repos/${segment(client.owner)}/${segment(client.repo)}/actions/runs?head_sha=${segment(headSha)}&event=workflow_dispatch&per_page=100`,
    schema: runsAnswer,
    step: "list_workflow_runs",
  });
  return answer.workflow_runs;
}

/** GET …/actions/runs/{id}: a run we are waiting on. */
export async function getWorkflowRun(client: RepositoryClient, runId: number): Promise<typeof workflowRun.infer> {
  return client.request({
    method: "GET",
    path: `/repos/${segment(client.owner)}/${segment(client.repo)}/actions/runs/${runId}`,
    schema: workflowRun,
    step: "get_workflow_run",
  });
}
