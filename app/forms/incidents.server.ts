/**
 * The status operator's forms on /status/operator and /status/operator/<slug>, one schema each: Origin
 * checked, operator required (404 otherwise), the form checked (400 with a sentence per field, nothing
 * written), then one domain call, a purge of the cached /api/status, and a redirect that names what
 * was done. Affected components arrive as a checkbox group: a list field.
 */
import { json, redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { assertSameOrigin } from "../auth/origin.server";
import {
  addUpdate,
  getIncident,
  mitigateIncident,
  openIncident,
  resolveIncident,
  setAffectedComponents,
  writePostmortem,
  type IncidentRefusal,
} from "../status-page/incidents.server";
import { IMPACTS, INCIDENT_STATUSES, STATUS_COMPONENTS } from "../status-page/model";
import { requireOperator } from "../status-page/operator-access.server";
import { purgeStatusCache } from "../status-page/summary-cache.server";
import type { Refusal } from "../domain/result";
import { type } from "../validation";
import { checkForm, defineForm, fieldValue, readForm } from "./form.server";
import { invalid, refused, unknownIntent } from "./result.server";

const title = type("string.trim").to("1 <= string <= 120");
const markdown = type("string.trim").to("1 <= string <= 10000");
const optionalMarkdown = type("string.trim").to("string <= 20000");
const impact = type.enumerated(...IMPACTS);
const components = type
  .enumerated(...STATUS_COMPONENTS)
  .array()
  .atLeastLength(1);

/** Sentences for people, per field; arktype's own messages quote values and name types. */
const SECTION = "Keep each section under 20,000 characters.";
const MESSAGES = {
  title: "Give the incident a title of 1 to 120 characters.",
  impact: "Choose the impact: degraded performance, partial outage or major outage.",
  status: "Choose a status: investigating, identified, monitoring or resolved.",
  components: "Choose at least one affected component.",
  body: "Write the update: 1 to 10,000 characters of markdown.",
  summary: SECTION,
  impactText: SECTION,
  whatHappened: SECTION,
  whatWeDid: SECTION,
  followUp: SECTION,
  intent: "This form is out of date. Reload the page and try again.",
};

export const openIncidentForm = defineForm(
  type({
    intent: "'open'",
    title,
    impact,
    status: type.enumerated(...INCIDENT_STATUSES.filter((s) => s !== "resolved")),
    components,
    body: markdown,
  }),
  MESSAGES,
);
export const updateForm = defineForm(
  type({ intent: "'update'", status: type.enumerated(...INCIDENT_STATUSES), body: markdown }),
  MESSAGES,
);
export const componentsForm = defineForm(type({ intent: "'components'", components, impact }), MESSAGES);
export const mitigateForm = defineForm(type({ intent: "'mitigate'" }), MESSAGES);
export const resolveForm = defineForm(type({ intent: "'resolve'", body: markdown }), MESSAGES);
export const postmortemForm = defineForm(
  type({
    intent: "'postmortem'",
    summary: optionalMarkdown,
    impactText: optionalMarkdown,
    whatHappened: optionalMarkdown,
    whatWeDid: optionalMarkdown,
    followUp: optionalMarkdown,
  }),
  MESSAGES,
);

/** The list fields of the operator's forms. */
export const INCIDENT_LISTS = ["components"] as const;

/** Which field each refusal is shown next to: the control that asked for what cannot be done. */
const REFUSAL_FIELD: Record<IncidentRefusal, string> = {
  incident_resolved: "status",
  already_mitigated: "mitigate",
  already_resolved: "resolve",
};
const refusedAt = (intent: string, refusal: Refusal<IncidentRefusal>) =>
  refused(intent, refusal, REFUSAL_FIELD[refusal.reason]);

const NOTICES = {
  opened: "Incident opened. It is on the status page now.",
  update: "Update posted.",
  components: "Affected components and impact saved.",
  mitigate: "Marked mitigated.",
  resolve: "Incident resolved.",
  postmortem: "Incident report saved.",
} as const;
type OperatorNotice = keyof typeof NOTICES;
/** The sentence for `?done=<notice>` after a redirect. */
export const OPERATOR_NOTICES: Record<string, string> = NOTICES;

function notFound(): never {
  throw json({ message: "There is no incident at this address." }, { status: 404 });
}

export async function openIncidentAction(request: Request, context: AppLoadContext) {
  assertSameOrigin(request);
  const user = await requireOperator(request, context);
  const form = checkForm(openIncidentForm, await readForm(request, INCIDENT_LISTS));
  if (!form.ok) return invalid("open", form.fieldErrors);
  const { slug } = await openIncident(context.db, form.value, { author: user.login, now: context.now() });
  context.logger.info("incident_opened", { slug, impact: form.value.impact, components: form.value.components });
  await purgeStatusCache(new URL(request.url).origin);
  return redirect(`/status/operator/${slug}?done=opened`);
}

export async function manageIncidentAction(request: Request, context: AppLoadContext, slug: string) {
  assertSameOrigin(request);
  const user = await requireOperator(request, context);
  const incident = await getIncident(context.db, slug);
  if (!incident) notFound();
  const fields = await readForm(request, INCIDENT_LISTS);
  const by = { author: user.login, now: context.now() };
  const intent = fieldValue(fields, "intent");

  let done: OperatorNotice;
  switch (intent) {
    case "update": {
      const form = checkForm(updateForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await addUpdate(context.db, incident, form.value, by);
      if (!result.ok) return refusedAt(intent, result);
      done = form.value.status === "resolved" ? "resolve" : "update";
      break;
    }
    case "components": {
      const form = checkForm(componentsForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      await setAffectedComponents(
        context.db,
        incident,
        { components: form.value.components, impact: form.value.impact },
        by.now,
      );
      done = "components";
      break;
    }
    case "mitigate": {
      const form = checkForm(mitigateForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await mitigateIncident(context.db, incident, by.now);
      if (!result.ok) return refusedAt(intent, result);
      done = "mitigate";
      break;
    }
    case "resolve": {
      const form = checkForm(resolveForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await resolveIncident(context.db, incident, form.value.body, by);
      if (!result.ok) return refusedAt(intent, result);
      done = "resolve";
      break;
    }
    case "postmortem": {
      const form = checkForm(postmortemForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const orNull = (value: string) => (value === "" ? null : value);
      const { summary, impactText, whatHappened, whatWeDid, followUp } = form.value;
      await writePostmortem(
        context.db,
        incident,
        {
          summary: orNull(summary),
          impactText: orNull(impactText),
          whatHappened: orNull(whatHappened),
          whatWeDid: orNull(whatWeDid),
          followUp: orNull(followUp),
        },
        by.now,
      );
      done = "postmortem";
      break;
    }
    default:
      return unknownIntent(intent);
  }
  context.logger.info("incident_changed", { slug, intent });
  await purgeStatusCache(new URL(request.url).origin);
  return redirect(`/status/operator/${slug}?done=${done}`);
}
