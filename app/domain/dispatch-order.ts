/**
 * The order in which a batch's jobs are dispatched, from the upload's dependency graph (an edge
 * `itemId → dependentItemId`: the dependent waits for the item). Pure: given every job's state now,
 * it says which jobs may be dispatched next and which must be skipped, and the batch code applies
 * that with conditional UPDATEs. Called again whenever a job moves, it drives a batch to its end.
 *
 * - plan: an item is dispatched once every item it depends on was dispatched (plans only read state);
 * - apply: an item is dispatched once every item it depends on finished successfully;
 * - a failed, cancelled or timed-out item marks every transitive dependent not yet dispatched skipped,
 *   while independent branches go on;
 * - at most `maxInFlight` jobs are in flight (dispatching, queued, running or awaiting approval).
 *
 * An item with several workflows has one job per workflow: the item counts as dispatched when all its
 * jobs were, as succeeded when all succeeded, as failed when any failed. An item with no workflow passes
 * on the state of what it depends on, so `a → (nothing to run) → b` still runs b after a. A graph with a cycle is never ordered: `dependencyCycle`
 * finds one, and the batch is refused with it.
 */
import type { FlatEdge } from "./deployment-waves";
import type { DeploymentStatus } from "./vocabulary";

/** A job's state is its deployment's status. */
export type JobState = DeploymentStatus;

/** Not dispatched yet: may still be dispatched (or skipped). */
export const WAITING_STATES = ["pending", "blocked"] as const satisfies readonly JobState[];
/** Dispatched and not finished: what the concurrency cap counts. */
export const IN_FLIGHT_STATES = [
  "dispatching",
  "queued",
  "in_progress",
  "awaiting_approval",
] as const satisfies readonly JobState[];
/** Finished, one way or the other. */
export const FINISHED_STATES = [
  "success",
  "failure",
  "cancelled",
  "superseded",
  "skipped",
] as const satisfies readonly JobState[];

const isWaiting = (state: JobState) => (WAITING_STATES as readonly JobState[]).includes(state);
const isInFlight = (state: JobState) => (IN_FLIGHT_STATES as readonly JobState[]).includes(state);
/** Ended without success: what makes dependents skipped. */
const isUnsuccessful = (state: JobState) => state === "failure" || state === "cancelled" || state === "superseded";

export type DispatchMode = "plan" | "apply";
export type OrderJob = { id: string; itemId: string; state: JobState };
export type OrderInput = {
  /** Every item of the upload, in a stable order (stack, component): ties are dispatched in it. */
  items: readonly string[];
  edges: readonly FlatEdge[];
  jobs: readonly OrderJob[];
  mode: DispatchMode;
  maxInFlight: number;
  /** Items whose instance is locked for something else now: ready or not, they are not dispatched. */
  held?: ReadonlySet<string>;
};
export type NextSteps = {
  /** Jobs to dispatch now, in order, within the concurrency cap. */
  dispatch: string[];
  /** Jobs never to dispatch, with the item whose failure is the reason. */
  skip: Array<{ jobId: string; because: string }>;
  /** Pending jobs that are ready but whose item is held by a lock: shown "blocked by lock" until it is released. */
  block: string[];
};

type ItemProgress = "waiting" | "dispatched" | "succeeded" | "failed" | "skipped";

function progressOf(jobs: readonly OrderJob[]): ItemProgress {
  if (jobs.length === 0) return "succeeded";
  if (jobs.some((job) => job.state === "skipped")) return "skipped";
  if (jobs.some((job) => isUnsuccessful(job.state))) return "failed";
  if (jobs.every((job) => job.state === "success")) return "succeeded";
  if (jobs.some((job) => isWaiting(job.state))) return "waiting";
  return "dispatched";
}

/** One cycle of the graph (its items in order, the first repeated at the end), or null if it has none. */
export function dependencyCycle(items: readonly string[], edges: readonly FlatEdge[]): string[] | null {
  const known = new Set(items);
  const successors = new Map<string, string[]>(items.map((item) => [item, []]));
  for (const edge of edges) {
    if (!known.has(edge.itemId) || !known.has(edge.dependentItemId)) continue;
    successors.get(edge.itemId)!.push(edge.dependentItemId);
  }
  // Iterative depth-first search: 0 unseen, 1 on the current path, 2 done.
  const mark = new Map<string, 0 | 1 | 2>();
  for (const start of items) {
    if (mark.get(start)) continue;
    const path: string[] = [];
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    mark.set(start, 1);
    path.push(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const next = successors.get(frame.id)![frame.next++];
      if (next === undefined) {
        mark.set(frame.id, 2);
        stack.pop();
        path.pop();
        continue;
      }
      const seen = mark.get(next) ?? 0;
      if (seen === 1) return [...path.slice(path.indexOf(next)), next];
      if (seen === 0) {
        mark.set(next, 1);
        path.push(next);
        stack.push({ id: next, next: 0 });
      }
    }
  }
  return null;
}

/**
 * What to do next. Assumes an acyclic graph (check `dependencyCycle` first); edges naming unknown
 * items are ignored.
 */
export function nextSteps(input: OrderInput): NextSteps {
  const known = new Set(input.items);
  const predecessors = new Map<string, string[]>(input.items.map((item) => [item, []]));
  const successors = new Map<string, string[]>(input.items.map((item) => [item, []]));
  for (const edge of input.edges) {
    if (!known.has(edge.itemId) || !known.has(edge.dependentItemId) || edge.itemId === edge.dependentItemId) continue;
    predecessors.get(edge.dependentItemId)!.push(edge.itemId);
    successors.get(edge.itemId)!.push(edge.dependentItemId);
  }
  const jobsOf = new Map<string, OrderJob[]>(input.items.map((item) => [item, []]));
  for (const job of input.jobs) jobsOf.get(job.itemId)?.push(job);
  const progress = new Map<string, ItemProgress>();
  for (const item of input.items) progress.set(item, progressOf(jobsOf.get(item)!));

  // Skips first, in topological order, so that a skip propagates to the end of its branch at once.
  const skip: NextSteps["skip"] = [];
  const cause = new Map<string, string>();
  const remaining = new Map(input.items.map((item) => [item, predecessors.get(item)!.length]));
  const queue = input.items.filter((item) => remaining.get(item) === 0);
  for (let head = 0; head < queue.length; head++) {
    const item = queue[head]!;
    if (jobsOf.get(item)!.length === 0) {
      // Nothing of its own to run: it passes on what it depends on (a → empty → b still orders a before b).
      const preds = predecessors.get(item)!.map((pred) => progress.get(pred)!);
      const failed = predecessors.get(item)!.find((pred) => ["failed", "skipped"].includes(progress.get(pred)!));
      if (failed !== undefined) cause.set(item, cause.get(failed) ?? failed);
      progress.set(
        item,
        failed !== undefined
          ? "skipped"
          : preds.every((p) => p === "succeeded")
            ? "succeeded"
            : preds.every((p) => p === "succeeded" || p === "dispatched")
              ? "dispatched"
              : "waiting",
      );
    } else if (progress.get(item) === "waiting" || progress.get(item) === "skipped") {
      const failed = predecessors
        .get(item)!
        .find((pred) => progress.get(pred) === "failed" || progress.get(pred) === "skipped");
      if (failed !== undefined) {
        const because = cause.get(failed) ?? failed;
        cause.set(item, because);
        progress.set(item, "skipped");
        for (const job of jobsOf.get(item)!) if (isWaiting(job.state)) skip.push({ jobId: job.id, because });
      }
    }
    for (const succ of successors.get(item)!) {
      const left = remaining.get(succ)! - 1;
      remaining.set(succ, left);
      if (left === 0) queue.push(succ);
    }
  }

  let slots = input.maxInFlight - input.jobs.filter((job) => isInFlight(job.state)).length;
  const dispatch: string[] = [];
  const block: string[] = [];
  const satisfied = (pred: string) =>
    input.mode === "plan"
      ? progress.get(pred) === "dispatched" || progress.get(pred) === "succeeded"
      : progress.get(pred) === "succeeded";
  for (const item of input.items) {
    // A failed item's other workflows still run (they are not its dependents).
    const skipped = progress.get(item) === "skipped";
    if (skipped || !jobsOf.get(item)!.some((job) => isWaiting(job.state)) || !predecessors.get(item)!.every(satisfied))
      continue;
    const held = input.held?.has(item) ?? false;
    for (const job of jobsOf.get(item)!) {
      if (held) {
        if (job.state === "pending") block.push(job.id);
      } else if (isWaiting(job.state) && slots > 0) {
        dispatch.push(job.id);
        slots--;
      }
    }
  }
  return { dispatch, skip, block };
}

export type BatchOutcome = "running" | "success" | "failure" | "cancelled";

/** A batch is over when none of its jobs waits or is in flight; it failed if any job did not succeed. */
export function batchOutcome(jobs: readonly Pick<OrderJob, "state">[]): BatchOutcome {
  if (jobs.some((job) => isWaiting(job.state) || isInFlight(job.state))) return "running";
  if (jobs.some((job) => job.state === "failure" || job.state === "skipped")) return "failure";
  if (jobs.length > 0 && jobs.every((job) => job.state === "cancelled" || job.state === "superseded"))
    return "cancelled";
  if (jobs.some((job) => job.state === "cancelled")) return "failure";
  return "success";
}
