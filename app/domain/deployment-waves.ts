/**
 * Deployment waves: the order in which an affected-stacks upload is planned and applied — the
 * topological layers of its dependency graph, cycles broken deterministically. Pure; the API
 * (dispatch) and the dashboard (pull requests page) both read it.
 */

/** `itemId` must be deployed before `dependentItemId`. */
export type FlatEdge = { itemId: string; dependentItemId: string };

export type WaveItem = { id: string; stack: string; component: string };

export type DeploymentWaves<T extends WaveItem> = {
  /** Wave n holds the items whose dependencies are all in earlier waves; each sorted by stack, component. */
  waves: T[][];
  /** Edges dropped to break dependency cycles (the upload is still deployable, in this order). */
  brokenEdges: FlatEdge[];
};

const compareItems = (a: WaveItem, b: WaveItem) =>
  a.stack < b.stack
    ? -1
    : a.stack > b.stack
      ? 1
      : a.component < b.component
        ? -1
        : a.component > b.component
          ? 1
          : a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0;

/**
 * Topological layers of the upload's graph: an item waits for the items it is a dependent of.
 * A cycle is broken deterministically: among the cycles nothing outside waits on, take the one
 * holding the smallest item (by stack, component), drop that item's incoming edges from inside the
 * cycle, and report them. Edges naming unknown items are ignored.
 */
export function deploymentWaves<T extends WaveItem>(
  items: readonly T[],
  edges: readonly FlatEdge[],
): DeploymentWaves<T> {
  const byId = new Map(items.map((item) => [item.id, item]));
  const successors = new Map<string, Set<string>>();
  const predecessors = new Map<string, Set<string>>();
  for (const item of items) {
    successors.set(item.id, new Set());
    predecessors.set(item.id, new Set());
  }
  for (const edge of edges) {
    if (edge.itemId === edge.dependentItemId || !byId.has(edge.itemId) || !byId.has(edge.dependentItemId)) continue;
    successors.get(edge.itemId)!.add(edge.dependentItemId);
    predecessors.get(edge.dependentItemId)!.add(edge.itemId);
  }

  const remaining = new Set(byId.keys());
  const waves: T[][] = [];
  const brokenEdges: FlatEdge[] = [];
  let ready = items.filter((item) => predecessors.get(item.id)!.size === 0);

  while (remaining.size > 0) {
    if (ready.length === 0) {
      const chosen = cycleBreaker(remaining, successors, predecessors, byId);
      for (const pred of [...predecessors.get(chosen.id)!].sort((a, b) => compareItems(byId.get(a)!, byId.get(b)!))) {
        brokenEdges.push({ itemId: pred, dependentItemId: chosen.id });
        successors.get(pred)!.delete(chosen.id);
      }
      predecessors.get(chosen.id)!.clear();
      ready = [chosen];
    }
    const wave = [...ready].sort(compareItems);
    waves.push(wave);
    const next: T[] = [];
    for (const item of wave) remaining.delete(item.id);
    for (const item of wave) {
      for (const succ of successors.get(item.id)!) {
        const preds = predecessors.get(succ)!;
        preds.delete(item.id);
        if (preds.size === 0 && remaining.has(succ)) next.push(byId.get(succ)!);
      }
    }
    ready = next;
  }
  return { waves, brokenEdges };
}

/** The smallest item of the smallest source cycle (a strongly connected component nothing else remaining points into). */
function cycleBreaker<T extends WaveItem>(
  remaining: Set<string>,
  successors: Map<string, Set<string>>,
  predecessors: Map<string, Set<string>>,
  byId: Map<string, T>,
): T {
  // Tarjan's algorithm, iterative.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let counter = 0;
  let components = 0;
  for (const start of remaining) {
    if (index.has(start)) continue;
    const work: Array<{ id: string; next: Iterator<string> }> = [];
    const open = (id: string) => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: successors.get(id)![Symbol.iterator]() });
    };
    open(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const succ = step.value;
        if (!remaining.has(succ)) continue;
        if (!index.has(succ)) open(succ);
        else if (onStack.has(succ)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(succ)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        for (;;) {
          const id = stack.pop()!;
          onStack.delete(id);
          component.set(id, components);
          if (id === frame.id) break;
        }
        components++;
      }
    }
  }
  const hasOutsideInput = new Set<number>();
  for (const id of remaining) {
    for (const pred of predecessors.get(id)!) {
      if (remaining.has(pred) && component.get(pred) !== component.get(id)) hasOutsideInput.add(component.get(id)!);
    }
  }
  let best: T | null = null;
  for (const id of remaining) {
    if (hasOutsideInput.has(component.get(id)!)) continue;
    const item = byId.get(id)!;
    if (!best || compareItems(item, best) < 0) best = item;
  }
  return best!;
}
