/**
 * The operator's actions on /status/operator and /status/operator/<slug>: Origin checked, operator
 * required (404 otherwise), the form checked by its schema (400 with field messages otherwise, and
 * nothing written), then one domain call, a purge of the cached /api/status, and a redirect.
 */
import { json, redirect, type AppLoadContext } from "@remix-run/cloudflare";
import { assertSameOrigin } from "../auth/origin.server";
import { purgeStatusCache } from "./summary-cache.server";
import {
  checkOperatorForm,
  componentsForm,
  mitigateForm,
  openIncidentForm,
  postmortemForm,
  readOperatorForm,
  resolveForm,
  updateForm,
} from "./forms.server";
import {
  addUpdate,
  getIncident,
  mitigateIncident,
  openIncident,
  resolveIncident,
  setAffectedComponents,
  writePostmortem,
  type ChangeResult,
} from "./incidents.server";
import { requireOperator } from "./operator-access.server";

export type OperatorActionData = { intent: string; fieldErrors: Record<string, string> };

const NOTICES = {
  opened: "Incident opened. It is on the status page now.",
  update: "Update posted.",
  components: "Affected components and impact saved.",
  mitigate: "Marked mitigated.",
  resolve: "Incident resolved.",
  postmortem: "Incident report saved.",
} as const;
export type OperatorNotice = keyof typeof NOTICES;
export const OPERATOR_NOTICES: Record<string, string> = NOTICES;

function invalid(intent: string, fieldErrors: Record<string, string>) {
  return json<OperatorActionData>({ intent, fieldErrors }, { status: 400 });
}

function refused(intent: string, result: Extract<ChangeResult, { ok: false }>) {
  return json<OperatorActionData>({ intent, fieldErrors: { [result.field]: result.message } }, { status: 409 });
}

function notFound(): never {
  throw json({ message: "There is no incident at this address." }, { status: 404 });
}

export async function openIncidentAction(request: Request, context: AppLoadContext) {
  assertSameOrigin(request);
  const user = await requireOperator(request, context);
  const form = checkOperatorForm(openIncidentForm, await readOperatorForm(request));
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
  const fields = await readOperatorForm(request);
  const by = { author: user.login, now: context.now() };
  const intent = typeof fields.intent === "string" ? fields.intent : "";

  let done: OperatorNotice;
  switch (intent) {
    case "update": {
      const form = checkOperatorForm(updateForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await addUpdate(context.db, incident, form.value, by);
      if (!result.ok) return refused(intent, result);
      done = form.value.status === "resolved" ? "resolve" : "update";
      break;
    }
    case "components": {
      const form = checkOperatorForm(componentsForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      await setAffectedComponents(context.db, incident, { components: form.value.components, impact: form.value.impact }, by.now);
      done = "components";
      break;
    }
    case "mitigate": {
      const form = checkOperatorForm(mitigateForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await mitigateIncident(context.db, incident, by.now);
      if (!result.ok) return refused(intent, result);
      done = "mitigate";
      break;
    }
    case "resolve": {
      const form = checkOperatorForm(resolveForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const result = await resolveIncident(context.db, incident, form.value.body, by);
      if (!result.ok) return refused(intent, result);
      done = "resolve";
      break;
    }
    case "postmortem": {
      const form = checkOperatorForm(postmortemForm, fields);
      if (!form.ok) return invalid(intent, form.fieldErrors);
      const { intent: _intent, ...sections } = form.value;
      const orNull = (value: string) => (value === "" ? null : value);
      await writePostmortem(
        context.db,
        incident,
        {
          summary: orNull(sections.summary),
          impactText: orNull(sections.impactText),
          whatHappened: orNull(sections.whatHappened),
          whatWeDid: orNull(sections.whatWeDid),
          followUp: orNull(sections.followUp),
        },
        by.now,
      );
      done = "postmortem";
      break;
    }
    default:
      return invalid(intent || "unknown", { intent: "This form is out of date. Reload the page and try again." });
  }
  context.logger.info("incident_changed", { slug, intent });
  await purgeStatusCache(new URL(request.url).origin);
  return redirect(`/status/operator/${slug}?done=${done}`);
}
