/**
 * One small wrapper around arktype: results are values, nothing throws across our code.
 * A library upgrade that changes arktype's behaviour changes this file (and the
 * "validation compatibility" suite that pins what we rely on), not every caller.
 */
import { ArkErrors, type Type } from "./arktype";

export { type } from "./arktype";

/** One failed field. `path` is dotted ("instances.3.status"); "(root)" for the value itself. */
export type Issue = {
  path: string;
  /** arktype's error code, e.g. "required", "domain", "pattern". */
  code: string;
  /** A sentence a person can read. May quote the offending value: never log it. */
  message: string;
};

export type Result<T> =
  | { ok: true; value: T }
  | { ok: false; issues: Issue[]; /** the validator itself failed (a library defect) */ crashed?: boolean };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = Type<any, any>;

export function validate<S extends AnySchema>(schema: S, input: unknown): Result<S["infer"]> {
  let out: unknown;
  try {
    out = schema(input);
  } catch {
    // A validator that throws (instead of returning errors) is a library defect or an
    // incompatible upgrade: report it as a failed validation so callers take their error path.
    return {
      ok: false,
      crashed: true,
      issues: [{ path: "(root)", code: "validator_crashed", message: "Validation failed unexpectedly." }],
    };
  }
  if (out instanceof ArkErrors) {
    return { ok: false, issues: toIssues(out) };
  }
  return { ok: true, value: out as S["infer"] };
}

type ArkErrorLike = { path: ReadonlyArray<PropertyKey>; code: string; message: string; errors?: unknown };

/**
 * A failed union whose value went wrong inside one of its branches (in jitless mode arktype reports
 * a bad item of a `list | null` at the list, not at the item): those branches' errors, which name
 * the field that is wrong.
 */
function innermost(error: ArkErrorLike): ArkErrorLike[] {
  if (error.code !== "union" || !Array.isArray(error.errors)) return [error];
  const inside = (error.errors as ArkErrorLike[]).filter((branch) => branch.path.length > error.path.length);
  return inside.length > 0 ? inside.flatMap(innermost) : [error];
}

function toIssues(errors: ArkErrors): Issue[] {
  return errors.flatMap((error) =>
    innermost(error).map((inner) => ({
      path: inner.path.length > 0 ? inner.path.map(String).join(".") : "(root)",
      code: String(inner.code),
      message: inner.message,
    })),
  );
}

/** A dotted path as arktype's messages spell it: "stacks.3.component" → "stacks[3].component". */
export const spokenPath = (path: string) => path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");

/** The failing field names only: safe to log (no values). */
export function issuePaths(issues: Issue[]): string[] {
  return [...new Set(issues.map((issue) => issue.path))];
}

/** Field → first message, for re-rendering a form next to its inputs. */
export function fieldMessages(issues: Issue[]): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const issue of issues) {
    messages[issue.path] ??= issue.message;
  }
  return messages;
}

type ErrorContextLike = {
  code: string;
  path?: ReadonlyArray<unknown>;
  propString?: string;
  data?: unknown;
  errors?: ReadonlyArray<{ path: ReadonlyArray<unknown>; message: string }>;
};

/**
 * The message of an `X | null` schema (`[schema, "@", nullable("an array")]`). In jitless mode
 * (ours, for workerd) arktype checks `X | null` branch by branch and, when both fail, reports one
 * error at the union's path whose message joins every branch's — "…, or stacks must be null (was
 * [the whole list, megabytes of it])". This message keeps only what went wrong inside the value,
 * e.g. "stacks[3].dependents[0].component must be a string (was a number)", or says briefly what
 * the value is ("stacks must be an array or null (was an object)"). Issues name the innermost
 * field that went wrong (see `innermost`), never the union around it.
 */
export function nullable(noun: "an array" | "an object") {
  const message = (ctx: ErrorContextLike): string => {
    const where = ctx.propString || "value";
    if (ctx.code !== "union") return `${where} must be ${noun} or null`; // a branch's own error, read only through the union's
    const depth = ctx.path?.length ?? 0;
    const inside = (ctx.errors ?? []).filter((error) => error.path.length > depth);
    if (inside.length > 0) return inside.map((error) => error.message).join(", ");
    const was = Array.isArray(ctx.data) ? "an array" : typeof ctx.data === "object" ? "an object" : typeof ctx.data;
    return `${where} must be ${noun} or null (was ${was})`;
  };
  return { message: message as (ctx: unknown) => string };
}
