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

function toIssues(errors: ArkErrors): Issue[] {
  return errors.map((error) => ({
    path: error.path.length > 0 ? error.path.map(String).join(".") : "(root)",
    code: String(error.code),
    message: error.message,
  }));
}

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
