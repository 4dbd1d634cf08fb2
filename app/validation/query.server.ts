/**
 * Query strings, one way for every page: each listed parameter is trimmed and checked alone against
 * the page's schema (every key optional); one that fails is dropped (that filter is off), never an
 * error and never a 500.
 */
import { validate } from "./index";
import type { Type } from "./arktype";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readQuery<S extends Type<any, any>>(url: URL, schema: S, keys: readonly string[]): S["infer"] {
  const chosen: Record<string, string> = {};
  for (const key of keys) {
    const value = url.searchParams.get(key)?.trim();
    if (value && validate(schema, { [key]: value }).ok) chosen[key] = value;
  }
  const all = validate(schema, chosen);
  return all.ok ? all.value : {};
}
