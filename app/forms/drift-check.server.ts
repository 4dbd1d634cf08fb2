/**
 * "Check for drift now" (a repository, one instance, or a schedule run now), for the Drift page and
 * an instance's page: drift runs started at once (no spread) and queued, answered as a form.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import type { Member } from "../dashboard/membership.server";
import { userActor } from "../domain/audit.server";
import { startDriftRuns } from "../domain/drift/runs.server";
import { enqueueDeployments } from "../worker/deployment-queue.server";
import { done, refused } from "./result.server";

export type CheckScope = {
  /** Null: every repository of the workspace. */
  repositoryId: string | null;
  instanceId?: string;
  /** The schedule run now, if it is one (its remediation applies). */
  scheduleId: string | null;
  remediate: boolean;
};

/** Starts the checks of `scope` by `member`; `answer` names the form on the page. */
export async function checkNow(context: AppLoadContext, member: Member, answer: string, scope: CheckScope) {
  const started = await startDriftRuns(context.db, {
    workspaceId: member.workspace.id,
    ...scope,
    cause: "manual",
    requestedBy: member.user.login ?? member.user.name,
    actor: userActor(member.user),
    // A person checking now waits for the answer: no spread.
    spreadSeconds: 0,
    maxInFlight: context.settings.DEPLOYMENT_MAX_IN_FLIGHT,
    now: context.now(),
  });
  if (!started.ok) return refused(answer, started);
  await enqueueDeployments(
    context,
    started.runIds.map((runId) => ({ type: "drift", runId })),
  );
  return done(
    answer,
    scope.instanceId
      ? "Checking this instance for drift now."
      : `Checking ${started.jobs} ${started.jobs === 1 ? "instance" : "instances"} for drift now: the run is listed below.`,
  );
}
