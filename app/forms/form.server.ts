/**
 * Form input, one way for every form action: the POST body is read once (`readForm`), then checked by
 * the form's schema (`checkForm`). A form is a schema with a human sentence per field beside it
 * (`defineForm`); a bad input becomes those sentences for the page (and a 400), never an exception,
 * and changes nothing.
 */
import { fieldMessages, validate } from "../validation";
import type { Type } from "../validation/arktype";

/** A form's fields: one value each (trimmed, the first if repeated), or every value of a list field (checkbox groups). */
export type FormFields = Record<string, string | string[]>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: Record<string, string> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FormDefinition<S extends Type<any, any>> = {
  schema: S;
  /** The sentence shown next to each field when it is wrong; fields without one show the schema's own message. */
  messages: Partial<Record<string, string>>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineForm<S extends Type<any, any>>(
  schema: S,
  messages: Partial<Record<string, string>> = {},
): FormDefinition<S> {
  return { schema, messages };
}

/** Reads the body as a form; a body that is not one reads as no fields (and then fails its schema). */
export async function readForm(request: Request, lists: readonly string[] = []): Promise<FormFields> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return Object.fromEntries(lists.map((key) => [key, []]));
  }
  const out: FormFields = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((value): value is string => typeof value === "string");
    if (lists.includes(key)) out[key] = values.map((value) => value.trim()).filter(Boolean);
    else if (values[0] !== undefined) out[key] = values[0].trim();
  }
  for (const key of lists) out[key] ??= [];
  return out;
}

/** The first field's sentence, for forms that are one button on a row (no field to show it next to). */
export function firstFieldError(fieldErrors: Record<string, string>): string {
  return Object.values(fieldErrors)[0] ?? "Check the form.";
}

/** One field's value as a single string ("" when absent or a list). */
export function fieldValue(fields: FormFields, key: string): string {
  const value = fields[key];
  return typeof value === "string" ? value : "";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkForm<S extends Type<any, any>>(
  form: FormDefinition<S>,
  fields: FormFields,
): FormResult<S["infer"]> {
  const result = validate(form.schema, fields);
  if (result.ok) return { ok: true, value: result.value };
  const fieldErrors: Record<string, string> = {};
  for (const [path, message] of Object.entries(fieldMessages(result.issues))) {
    const field = path.split(".")[0]!;
    fieldErrors[field] ??= form.messages[field] ?? message;
  }
  return { ok: false, fieldErrors };
}
