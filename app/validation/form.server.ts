/**
 * Form input: POST bodies are read once and checked by the action's schema. A bad input becomes
 * field messages for the form (and a 400), never an exception.
 */
import { fieldMessages, validate } from "./index";
import type { Type } from "./arktype";

export type FormResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: Record<string, string> };

export async function readForm(request: Request): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string" && !(key in out)) out[key] = value.trim();
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkForm<S extends Type<any, any>>(schema: S, fields: Record<string, string>): FormResult<S["infer"]> {
  const result = validate(schema, fields);
  return result.ok ? { ok: true, value: result.value } : { ok: false, fieldErrors: fieldMessages(result.issues) };
}
