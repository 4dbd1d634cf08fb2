/**
 * The dispatch order of a batch (app/domain/dispatch-order.ts): chains, diamonds, forests, cycles,
 * failure propagation, locks and the concurrency cap, and a simulation of random DAGs up to 500
 * items in which jobs finish in random order: every job is dispatched at most once, the order always
 * respects the edges, and everything not downstream of a failure runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FlatEdge } from "~/domain/deployment-waves";
import {
  batchOutcome,
  dependencyCycle,
  nextSteps,
  type DispatchMode,
  type JobState,
  type OrderJob,
} from "~/domain/dispatch-order";

const edge = (itemId: string, dependentItemId: string): FlatEdge => ({ itemId, dependentItemId });
const job = (item: string, state: JobState = "pending", n = 1): OrderJob => ({
  id: `${item}#${n}`,
  itemId: item,
  state,
});

function steps(items: string[], edges: FlatEdge[], jobs: OrderJob[], mode: DispatchMode = "apply", maxInFlight = 10) {
  return nextSteps({ items, edges, jobs, mode, maxInFlight });
}

describe("the dispatch order", () => {
  it("applies a chain one item at a time, each after the one before succeeded", () => {
    const items = ["a", "b", "c"];
    const edges = [edge("a", "b"), edge("b", "c")];
    expect(
      steps(
        items,
        edges,
        items.map((i) => job(i)),
      ).dispatch,
    ).toEqual(["a#1"]);
    expect(steps(items, edges, [job("a", "in_progress"), job("b"), job("c")]).dispatch).toEqual([]);
    expect(steps(items, edges, [job("a", "success"), job("b"), job("c")]).dispatch).toEqual(["b#1"]);
    expect(steps(items, edges, [job("a", "success"), job("b", "success"), job("c")]).dispatch).toEqual(["c#1"]);
  });

  it("plans a chain as soon as the item before was dispatched, without waiting for it to finish", () => {
    const items = ["a", "b", "c"];
    const edges = [edge("a", "b"), edge("b", "c")];
    expect(steps(items, edges, [job("a", "queued"), job("b"), job("c")], "plan").dispatch).toEqual(["b#1"]);
    expect(steps(items, edges, [job("a", "dispatching"), job("b"), job("c")], "plan").dispatch).toEqual(["b#1"]);
    expect(steps(items, edges, [job("a"), job("b"), job("c")], "plan").dispatch).toEqual(["a#1"]);
  });

  it("dispatches the bottom of a diamond only when both sides are done", () => {
    const items = ["top", "left", "right", "bottom"];
    const edges = [edge("top", "left"), edge("top", "right"), edge("left", "bottom"), edge("right", "bottom")];
    const state = (left: JobState, right: JobState) => [
      job("top", "success"),
      job("left", left),
      job("right", right),
      job("bottom"),
    ];
    expect(steps(items, edges, [job("top", "success"), job("left"), job("right"), job("bottom")]).dispatch).toEqual([
      "left#1",
      "right#1",
    ]);
    expect(steps(items, edges, state("success", "in_progress")).dispatch).toEqual([]);
    expect(steps(items, edges, state("success", "success")).dispatch).toEqual(["bottom#1"]);
  });

  it("skips every transitive dependent of a failed item and lets independent branches go on", () => {
    // A forest: a → b → c, a → d; and e → f, independent.
    const items = ["a", "b", "c", "d", "e", "f"];
    const edges = [edge("a", "b"), edge("b", "c"), edge("a", "d"), edge("e", "f")];
    for (const failure of ["failure", "cancelled"] as const) {
      const next = steps(items, edges, [
        job("a", failure),
        job("b"),
        job("c"),
        job("d"),
        job("e", "success"),
        job("f"),
      ]);
      expect(next.skip).toEqual([
        { jobId: "b#1", because: "a" },
        { jobId: "d#1", because: "a" },
        { jobId: "c#1", because: "a" },
      ]);
      expect(next.dispatch).toEqual(["f#1"]);
    }
  });

  it("in a plan, skips only what was not dispatched yet when an item fails", () => {
    const items = ["a", "b", "c"];
    const edges = [edge("a", "b"), edge("b", "c")];
    const next = steps(items, edges, [job("a", "failure"), job("b", "in_progress"), job("c")], "plan");
    expect(next).toEqual({ dispatch: ["c#1"], skip: [], block: [] });
    const after = steps(items, edges, [job("a", "failure"), job("b", "failure"), job("c")], "plan");
    expect(after.skip).toEqual([{ jobId: "c#1", because: "b" }]);
  });

  it("treats an item with several workflows as done only when all its jobs are, and one with none as done", () => {
    const items = ["a", "b", "empty", "c"];
    const edges = [edge("a", "b"), edge("empty", "c")];
    const jobs = [job("a", "success", 1), job("a", "in_progress", 2), job("b"), job("c")];
    expect(steps(items, edges, jobs).dispatch).toEqual(["c#1"]);
    expect(
      steps(items, edges, [job("a", "success", 1), job("a", "success", 2), job("b"), job("c", "success")]).dispatch,
    ).toEqual(["b#1"]);
  });

  it("never has more than maxInFlight jobs in flight", () => {
    const items = Array.from({ length: 25 }, (_, i) => `i${String(i).padStart(2, "0")}`);
    const jobs = items.map((i) => job(i));
    expect(steps(items, [], jobs, "plan", 10).dispatch).toHaveLength(10);
    const running = jobs.map((j, index) => (index < 7 ? { ...j, state: "in_progress" as const } : j));
    expect(steps(items, [], running, "plan", 10).dispatch).toEqual(["i07#1", "i08#1", "i09#1"]);
    expect(steps(items, [], running, "plan", 5).dispatch).toEqual([]);
  });

  it("holds a ready item locked for something else as blocked, and dispatches it once the lock is gone", () => {
    const items = ["a", "b"];
    const edges = [edge("a", "b")];
    const held = steps(items, edges, [job("a"), job("b")]);
    expect(held.dispatch).toEqual(["a#1"]);
    const locked = nextSteps({
      items,
      edges,
      jobs: [job("a"), job("b")],
      mode: "apply",
      maxInFlight: 10,
      held: new Set(["a"]),
    });
    expect(locked).toEqual({ dispatch: [], skip: [], block: ["a#1"] });
    // Already blocked: not reported again; released: dispatched from blocked.
    const still = nextSteps({
      items,
      edges,
      jobs: [job("a", "blocked"), job("b")],
      mode: "apply",
      maxInFlight: 10,
      held: new Set(["a"]),
    });
    expect(still).toEqual({ dispatch: [], skip: [], block: [] });
    expect(steps(items, edges, [job("a", "blocked"), job("b")]).dispatch).toEqual(["a#1"]);
  });

  it("finds a cycle, and none in a DAG", () => {
    expect(dependencyCycle(["a", "b", "c"], [edge("a", "b"), edge("b", "c"), edge("c", "a")])).toEqual([
      "a",
      "b",
      "c",
      "a",
    ]);
    expect(
      dependencyCycle(["a", "b", "c", "d"], [edge("a", "b"), edge("b", "c"), edge("c", "b"), edge("c", "d")]),
    ).toEqual(["b", "c", "b"]);
    expect(dependencyCycle(["a"], [edge("a", "a")])).toEqual(["a", "a"]);
    expect(dependencyCycle(["a", "b", "c"], [edge("a", "b"), edge("a", "c"), edge("b", "c")])).toBeNull();
    expect(dependencyCycle(["a", "b"], [edge("a", "zzz"), edge("zzz", "a")])).toBeNull();
  });

  it("says how a batch ended", () => {
    expect(batchOutcome([{ state: "success" }, { state: "in_progress" }])).toBe("running");
    expect(batchOutcome([{ state: "success" }, { state: "blocked" }])).toBe("running");
    expect(batchOutcome([{ state: "success" }, { state: "success" }])).toBe("success");
    expect(batchOutcome([])).toBe("success");
    expect(batchOutcome([{ state: "success" }, { state: "failure" }, { state: "skipped" }])).toBe("failure");
    expect(batchOutcome([{ state: "cancelled" }, { state: "superseded" }])).toBe("cancelled");
  });
});

/** A small deterministic PRNG, seeded by fast-check, for the order in which runs finish. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dag = (minItems: number, maxItems: number) =>
  fc.integer({ min: minItems, max: maxItems }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      // Edges go from a lower to a higher position in a shuffled order: always acyclic.
      order: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
      pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }),
      workflows: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
      failing: fc
        .array(fc.boolean(), { minLength: n, maxLength: n })
        .map((flags) => flags.map((f, i) => f && i % 7 === 0)),
      seed: fc.integer(),
      mode: fc.constantFrom<DispatchMode>("plan", "apply"),
      maxInFlight: fc.integer({ min: 1, max: 12 }),
    }),
  );

type Graph = ReturnType<typeof dag> extends fc.Arbitrary<infer G> ? G : never;

function simulate(graph: Graph) {
  const { n, order, pairs, workflows, failing, seed, mode, maxInFlight } = graph;
  const name = (i: number) => `item${String(i).padStart(3, "0")}`;
  const items = Array.from({ length: n }, (_, i) => name(i));
  const position = new Map(order.map((item, index) => [item, index]));
  const edges: FlatEdge[] = [];
  const seen = new Set<string>();
  for (const [x, y] of pairs) {
    if (x === y) continue;
    const [from, to] = position.get(x)! < position.get(y)! ? [x, y] : [y, x];
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push(edge(name(from), name(to)));
  }
  const jobs = new Map<string, OrderJob>();
  items.forEach((item, i) => {
    for (let w = 1; w <= workflows[i]!; w++)
      jobs.set(`${item}#${w}`, { id: `${item}#${w}`, itemId: item, state: "pending" });
  });
  const fails = new Set(items.filter((_, i) => failing[i]));
  const preds = new Map(
    items.map((item) => [item, edges.filter((e) => e.dependentItemId === item).map((e) => e.itemId)]),
  );
  const jobsOf = (item: string) => [...jobs.values()].filter((j) => j.itemId === item);
  const next = random(seed);
  const dispatched: string[] = [];

  for (let round = 0; round < 10 * (jobs.size + 2); round++) {
    const current = [...jobs.values()];
    if (batchOutcome(current) !== "running") break;
    const steps = nextSteps({ items, edges, jobs: current, mode, maxInFlight });
    for (const { jobId } of steps.skip) jobs.get(jobId)!.state = "skipped";
    for (const id of steps.dispatch) {
      const dispatchedJob = jobs.get(id)!;
      // At most once, and only in an order the edges allow.
      expect(dispatched).not.toContain(id);
      expect(["pending", "blocked"]).toContain(dispatchedJob.state);
      for (const pred of preds.get(dispatchedJob.itemId)!) {
        for (const predJob of jobsOf(pred)) {
          if (mode === "apply") expect(predJob.state).toBe("success");
          else expect(["pending", "blocked", "skipped"]).not.toContain(predJob.state);
        }
      }
      dispatchedJob.state = "queued";
      dispatched.push(id);
    }
    const inFlight = [...jobs.values()].filter((j) =>
      ["dispatching", "queued", "in_progress", "awaiting_approval"].includes(j.state),
    );
    expect(inFlight.length).toBeLessThanOrEqual(maxInFlight);
    // One run moves: starts, or finishes (its item's fate decides how).
    if (inFlight.length > 0) {
      const moving = inFlight[Math.floor(next() * inFlight.length)]!;
      moving.state =
        moving.state === "queued" && next() < 0.5 ? "in_progress" : fails.has(moving.itemId) ? "failure" : "success";
    } else if (steps.dispatch.length === 0 && steps.skip.length === 0) {
      throw new Error("stuck: nothing in flight, nothing to dispatch, but the batch is not over");
    }
  }
  const final = [...jobs.values()];
  expect(batchOutcome(final)).not.toBe("running");

  // Which items are downstream of a failure (transitively)?
  const failedItems = new Set(items.filter((item) => jobsOf(item).some((j) => j.state === "failure")));
  const downstream = new Set<string>();
  const visit = (item: string) => {
    for (const e of edges)
      if (e.itemId === item && !downstream.has(e.dependentItemId)) {
        downstream.add(e.dependentItemId);
        visit(e.dependentItemId);
      }
  };
  failedItems.forEach(visit);
  for (const j of final) {
    if (j.state === "skipped") expect(downstream.has(j.itemId)).toBe(true);
    else expect(dispatched).toContain(j.id);
    if (!downstream.has(j.itemId)) expect(j.state).not.toBe("skipped");
    if (mode === "apply" && downstream.has(j.itemId)) expect(j.state).toBe("skipped");
  }
  return { dispatched: dispatched.length, jobs: jobs.size };
}

describe("the dispatch order over random DAGs", () => {
  it("dispatches every job at most once, respects every edge, and runs everything not downstream of a failure", () => {
    fc.assert(
      fc.property(dag(1, 40), (graph) => {
        simulate(graph);
      }),
      { numRuns: 200 },
    );
  });

  it("drives a 500-item random DAG to its end", () => {
    fc.assert(
      fc.property(dag(450, 500), (graph) => {
        const { dispatched, jobs } = simulate(graph);
        expect(dispatched).toBeGreaterThan(0);
        expect(jobs).toBeGreaterThan(0);
      }),
      { numRuns: 3 },
    );
  });
});
