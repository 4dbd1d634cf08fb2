/**
 * The operator's forms, one arktype schema each. A form that fails its schema changes nothing: the
 * action answers 400 with a message per field, and the page shows them next to the inputs.
 * Checkbox groups (affected components) arrive as repeated fields, so forms are read with
 * `readOperatorForm`, which keeps every value of the list fields.
 */
import { fieldMessages, type } from "~/validation";
import { validate } from "~/validation";
import type { Type } from "~/validation/arktype";
import { IMPACTS, INCIDENT_STATUSES, STATUS_COMPONENTS } from "./model";

const title = type("string.trim").to("1 <= string <= 120");
const markdown = type("string.trim").to("1 <= string <= 10000");
const optionalMarkdown = type("string.trim").to("string <= 20000");
const impact = type.enumerated(...IMPACTS);
const components = type.enumerated(...STATUS_COMPONENTS).array().atLeastLength(1);

export const openIncidentForm = type({
  intent: "'open'",
  title,
  impact,
  status: type.enumerated(...INCIDENT_STATUSES.filter((s) => s !== "resolved")),
  components,
  body: markdown,
});

export const updateForm = type({ intent: "'update'", status: type.enumerated(...INCIDENT_STATUSES), body: markdown });
export const componentsForm = type({ intent: "'components'", components, impact });
export const mitigateForm = type({ intent: "'mitigate'" });
export const resolveForm = type({ intent: "'resolve'", body: markdown });
export const postmortemForm = type({
  intent: "'postmortem'",
  summary: optionalMarkdown,
  impactText: optionalMarkdown,
  whatHappened: optionalMarkdown,
  whatWeDid: optionalMarkdown,
  followUp: optionalMarkdown,
});

/** Sentences for people, per field; arktype's own messages quote values and name types. */
const MESSAGES: Record<string, string> = {
  title: "Give the incident a title of 1 to 120 characters.",
  impact: "Choose the impact: degraded performance, partial outage or major outage.",
  status: "Choose a status: investigating, identified, monitoring or resolved.",
  components: "Choose at least one affected component.",
  body: "Write the update: 1 to 10,000 characters of markdown.",
  summary: "Keep each section under 20,000 characters.",
  impactText: "Keep each section under 20,000 characters.",
  whatHappened: "Keep each section under 20,000 characters.",
  whatWeDid: "Keep each section under 20,000 characters.",
  followUp: "Keep each section under 20,000 characters.",
  intent: "This form is out of date. Reload the page and try again.",
};

export type OperatorFormResult<T> = { ok: true; value: T } | { ok: false; fieldErrors: Record<string, string> };

export async function readOperatorForm(request: Request, lists: readonly string[] = ["components"]): Promise<Record<string, string | string[]>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return {};
  }
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((value): value is string => typeof value === "string");
    if (lists.includes(key)) out[key] = values.map((value) => value.trim()).filter(Boolean);
    else if (values[0] !== undefined) out[key] = values[0];
  }
  for (const key of lists) out[key] ??= [];
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkOperatorForm<S extends Type<any, any>>(schema: S, fields: Record<string, unknown>): OperatorFormResult<S["infer"]> {
  const result = validate(schema, fields);
  if (result.ok) return { ok: true, value: result.value };
  const raw = fieldMessages(result.issues);
  const fieldErrors: Record<string, string> = {};
  for (const path of Object.keys(raw)) {
    const field = path.split(".")[0]!;
    fieldErrors[field] = MESSAGES[field] ?? "Check this field.";
  }
  return { ok: false, fieldErrors };
}
