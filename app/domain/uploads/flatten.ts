/**
 * The affected stacks the CLI sends are trees (each item with its nested `dependents`); we store
 * them flat, as items unique by (stack, component) and the dependency edges between them. Pure.
 */
import type { FlatEdge } from "../deployment-waves";
import { newId } from "../ids";
import type { StackItem } from "./payloads";

/** One row of affected_stack_items, before it is stored. */
export type FlatItem = {
  id: string;
  stack: string;
  component: string;
  componentType: string;
  componentPath: string | null;
  affected: string | null;
  affectedAll: boolean;
  includedInDependents: boolean;
  deleted: boolean;
  deletionType: "component" | "stack" | null;
  settingsPro: Record<string, unknown> | null;
};

const itemKey = (stack: string, component: string) => `${stack}\u0000${component}`;
const nonEmpty = (value: string | null | undefined) => (value ? value : null);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Flattens the stack items and their nested `dependents` into items unique by (stack, component)
 * and parent → dependent edges (unique; an item is never its own dependent). An item met several
 * times (top level and as someone's dependent, or in several trees) is merged: the first non-empty
 * value of each field wins, flags are or-ed. Order: first appearance, depth first. Deterministic.
 */
export function flattenStacks(
  stacks: readonly StackItem[],
  makeId: () => string = () => newId("itm"),
): { items: FlatItem[]; edges: FlatEdge[] } {
  const byKey = new Map<string, FlatItem>();
  /** Items whose component_type was empty so far (defaulted): a later occurrence may still name it. */
  const typeDefaulted = new Set<FlatItem>();
  const items: FlatItem[] = [];
  const edges: FlatEdge[] = [];
  const edgeKeys = new Set<string>();

  const visit = (node: StackItem): FlatItem => {
    const key = itemKey(node.stack, node.component);
    const pro = isPlainObject(node.settings?.pro) ? (node.settings.pro as Record<string, unknown>) : null;
    const affectedAll =
      node.affected_all === true || (Array.isArray(node.affected_all) && node.affected_all.length > 0);
    const deletionType =
      node.deletion_type === "component" || node.deletion_type === "stack" ? node.deletion_type : null;
    let item = byKey.get(key);
    if (!item) {
      item = {
        id: makeId(),
        stack: node.stack,
        component: node.component,
        // Go's zero value: a CLI that did not resolve the type sends "". Atmos' default kind.
        componentType: nonEmpty(node.component_type) ?? "terraform",
        componentPath: nonEmpty(node.component_path),
        affected: nonEmpty(node.affected),
        affectedAll,
        includedInDependents: node.included_in_dependents === true,
        deleted: node.deleted === true,
        deletionType,
        settingsPro: pro,
      };
      if (!nonEmpty(node.component_type)) typeDefaulted.add(item);
      byKey.set(key, item);
      items.push(item);
    } else {
      if (typeDefaulted.has(item) && nonEmpty(node.component_type)) {
        item.componentType = node.component_type!;
        typeDefaulted.delete(item);
      }
      item.componentPath ??= nonEmpty(node.component_path);
      item.affected ??= nonEmpty(node.affected);
      item.affectedAll ||= affectedAll;
      item.includedInDependents ||= node.included_in_dependents === true;
      item.deleted ||= node.deleted === true;
      item.deletionType ??= deletionType;
      item.settingsPro ??= pro;
    }
    return item;
  };

  // Iterative depth-first walk: a deep tree must not exhaust the call stack.
  const pending: Array<{ node: StackItem; parent: FlatItem | null }> = [];
  for (let i = stacks.length - 1; i >= 0; i--) pending.push({ node: stacks[i]!, parent: null });
  while (pending.length > 0) {
    const { node, parent } = pending.pop()!;
    const item = visit(node);
    if (parent && parent !== item) {
      const edgeKey = `${parent.id} ${item.id}`;
      if (!edgeKeys.has(edgeKey)) {
        edgeKeys.add(edgeKey);
        edges.push({ itemId: parent.id, dependentItemId: item.id });
      }
    }
    const dependents = node.dependents ?? [];
    for (let i = dependents.length - 1; i >= 0; i--) pending.push({ node: dependents[i]!, parent: item });
  }
  return { items, edges };
}
