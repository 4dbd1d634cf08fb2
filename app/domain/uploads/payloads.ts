/**
 * What the atmos CLI uploads (see ../shared/contracts/README.md): affected-stacks uploads, instance
 * inventories and instance status reports, with their batch fields. The API edge reads bodies by
 * these schemas; the upload modules beside this one take the inferred types.
 *
 * What the CLI really sends: Go structs marshalled by encoding/json, so a field the CLI did not set
 * arrives as its zero value — "" for strings, null for nil maps and slices, false for booleans — and
 * never as "absent" unless the struct says `omitempty`. We accept all of those (and absence, for
 * robustness), ignore keys we do not know (newer CLIs add fields), and refuse only what cannot be
 * right: a wrong type, an empty component or stack, a malformed batch. Every refusal names its
 * field, e.g. "stacks[3].dependents[0].component must be a string (was a number)".
 *
 * Nothing here touches the database.
 */
import { nullable, type } from "../../validation";

/** Go's zero value for a string or a nil slice/map may come as "" or null. */
const optionalString = "string | null";

/** `settings` of a stack item or instance: the CLI strips it to `{pro: …}` (or null); pro is passed through uninterpreted. */
/** An object that is not an array (arktype's "object" accepts arrays). */
const plainObject = type("object").narrow((value, ctx) => !Array.isArray(value) || ctx.mustBe("an object"));

const settingsFields = {
  "pro?": plainObject.or("null"),
} as const;

/** Go marshals a nil slice or map as null, so lists and `settings` may be null (see `nullable`). */
/**
 * The affected stack item, recursive through `dependents[]` (the dependency graph reaches us only as
 * these trees). `affected` and `affected_all` exist only on top-level items; `affected_all` was a
 * boolean in older CLIs and is a list of reasons (`[]string`, null when nil) in newer ones.
 */
const stackItemScope = type.scope({
  settings: [
    type(settingsFields)
      .narrow((value, ctx) => !Array.isArray(value) || ctx.mustBe("an object"))
      .or("null"),
    "@",
    nullable("an object"),
  ],
  stackItem: {
    component: "string > 0",
    stack: "string > 0",
    "component_type?": optionalString,
    "component_path?": optionalString,
    "stack_slug?": optionalString,
    "namespace?": optionalString,
    "tenant?": optionalString,
    "environment?": optionalString,
    "stage?": optionalString,
    "file?": optionalString,
    "folder?": optionalString,
    "spacelift_stack?": optionalString,
    "atlantis_project?": optionalString,
    "affected?": optionalString,
    "affected_all?": "boolean | string[] | null",
    "dependents?": "stackItems",
    "included_in_dependents?": "boolean | null",
    "settings?": "settings",
    "deleted?": "boolean | null",
    "deletion_type?": "'component' | 'stack' | '' | null",
  },
  stackItems: ["stackItem[] | null", "@", nullable("an array")],
});
const stackItemTypes = stackItemScope.export();

export const stackItem = stackItemTypes.stackItem;
export type StackItem = typeof stackItem.infer;

/** Optional batch fields of a chunked upload: all three or none (`batch_id` is omitempty in Go). */
const batchFields = {
  "batch_id?": "string.uuid | '' | null",
  "batch_index?": "0 <= number.integer < 1000 | null",
  // 1,000 chunks of 4 MiB: far beyond any real repository, and a bound on what one batch may store.
  "batch_total?": "1 <= number.integer <= 1000 | null",
} as const;

type BatchFields = { batch_id?: string | null; batch_index?: number | null; batch_total?: number | null };
type NarrowContext = { reject: (input: { path: string[]; expected: string; actual: string }) => false };

/** The cross-field rules of the batch fields, reported at the field that breaks them. */
function checkBatch(body: BatchFields, ctx: NarrowContext): boolean {
  const hasId = typeof body.batch_id === "string" && body.batch_id !== "";
  const hasIndex = typeof body.batch_index === "number";
  const hasTotal = typeof body.batch_total === "number";
  if (!hasId) {
    if (hasIndex || hasTotal) {
      return ctx.reject({
        path: ["batch_id"],
        expected: "a UUID when batch_index or batch_total is set",
        actual: "missing",
      });
    }
    return true;
  }
  if (!hasIndex)
    return ctx.reject({ path: ["batch_index"], expected: "an integer >= 0 when batch_id is set", actual: "missing" });
  if (!hasTotal)
    return ctx.reject({ path: ["batch_total"], expected: "an integer >= 1 when batch_id is set", actual: "missing" });
  if (body.batch_index! >= body.batch_total!) {
    return ctx.reject({
      path: ["batch_index"],
      expected: `less than batch_total (${body.batch_total})`,
      actual: String(body.batch_index),
    });
  }
  return true;
}

export type BatchInfo = { id: string; index: number; total: number };

/** The batch a body belongs to, or null for a single (unchunked) upload. Only call on a validated body. */
export function batchOf(body: BatchFields): BatchInfo | null {
  if (typeof body.batch_id !== "string" || body.batch_id === "") return null;
  return { id: body.batch_id.toLowerCase(), index: body.batch_index ?? 0, total: body.batch_total ?? 1 };
}

/** Repository fields every upload carries. The HTTP layer checks owner/name against the token. */
const repositoryFields = {
  "repo_url?": optionalString,
  repo_name: "string",
  repo_owner: "string",
  "repo_host?": optionalString,
} as const;

/**
 * POST /api/v1/affected-stacks. No morphs on purpose: a schema without them is checked by arktype's
 * fast path (a 4 MiB body in about half the time, and without a deep copy of the input).
 */
export const affectedStacksBody = type({
  head_sha: "string",
  base_sha: "string",
  ...repositoryFields,
  stacks: stackItemTypes.stackItems,
  ...batchFields,
}).narrow((body, ctx) => checkBatch(body, ctx as unknown as NarrowContext));
export type AffectedStacksBody = typeof affectedStacksBody.infer;

/** One instance of `atmos list instances --upload`; `settings.pro` is already resolved by the CLI. */
export const instanceItem = type({
  component: "string > 0",
  stack: "string > 0",
  "component_type?": optionalString,
  "settings?": type([
    type(settingsFields)
      .narrow((value, ctx) => !Array.isArray(value) || ctx.mustBe("an object"))
      .or("null"),
    "@",
    nullable("an object"),
  ]),
});
export type InstanceItem = typeof instanceItem.infer;

/** POST /api/v1/instances — the complete inventory of a repository (possibly chunked). */
export const instancesBody = type({
  ...repositoryFields,
  instances: type([instanceItem.array().or("null"), "@", nullable("an array")]),
  ...batchFields,
}).narrow((body, ctx) => checkBatch(body, ctx as unknown as NarrowContext));
export type InstancesBody = typeof instancesBody.infer;

export const INSTANCE_COMMANDS = ["plan", "apply", "remediate", "detect"] as const;
export type InstanceCommand = (typeof INSTANCE_COMMANDS)[number];

export type InstanceStatusReport =
  | { command: InstanceCommand; exit_code: number; last_run: string | null }
  | { status: "in_sync" | "drifted" | "error" | "unknown" };

/**
 * PATCH /api/v1/repos/{owner}/{repo}/instances — `{command, exit_code, last_run?}`, or the legacy
 * `{status}`. One flat object (so a refusal names the field, not "one of two shapes"), then turned
 * into the union above. `command` wins when both are present. The CLI also sends run metadata
 * (atmos_version, git_sha, …): ignored.
 */
export const instanceStatusBody = type({
  "command?": "'plan' | 'apply' | 'remediate' | 'detect'",
  // A process exit status: a 32-bit integer (0–255 on Unix, wider on Windows).
  "exit_code?": "-2147483648 <= number.integer <= 2147483647",
  "last_run?": "string.date.iso | '' | null",
  "status?": "'in_sync' | 'drifted' | 'error' | 'unknown'",
})
  .narrow((body, ctx) => {
    if (body.command !== undefined) {
      if (body.exit_code === undefined)
        return ctx.reject({ path: ["exit_code"], expected: "an integer", actual: "missing" });
      return true;
    }
    if (body.status !== undefined) return true;
    return ctx.reject({
      path: ["command"],
      expected: '"plan", "apply", "remediate" or "detect" (or a legacy "status")',
      actual: "missing",
    });
  })
  .pipe((body): InstanceStatusReport => {
    if (body.command !== undefined) {
      return { command: body.command, exit_code: body.exit_code!, last_run: body.last_run || null };
    }
    return { status: body.status! };
  });
export type InstanceStatusBody = typeof instanceStatusBody.infer;
