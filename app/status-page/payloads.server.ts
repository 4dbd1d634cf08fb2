/** The payload schemas of the status routes (server-side: the browser gets the checked JSON). */
import { type } from "~/validation";
import { seoPayload } from "../site/seo.server";
import { statusSummary } from "./api-schema.server";
import { IMPACTS, INCIDENT_STATUSES, STATUS_COMPONENTS } from "./model";

const component = type.enumerated(...STATUS_COMPONENTS);
const impact = type.enumerated(...IMPACTS);
const status = type.enumerated(...INCIDENT_STATUSES);

export const statusPagePayload = type({
  seo: seoPayload,
  page: type({
    available: "true",
    summary: statusSummary,
    history: type({
      component,
      from: "string",
      days: "number",
      incidentDays: "number",
      marks: type({
        day: "number",
        date: "string",
        state: impact,
        incidents: type({ slug: "string", title: "string" }).array(),
      }).array(),
    }).array(),
    incidents: type({
      slug: "string",
      title: "string",
      impact,
      status,
      occurredAt: "string",
      resolvedAt: "string | null",
      components: component.array(),
    }).array(),
  }).or({ available: "false" }),
});

export const incidentPagePayload = type({
  seo: seoPayload,
  incident: {
    slug: "string",
    title: "string",
    impact,
    status,
    author: "string",
    occurredAt: "string",
    mitigatedAt: "string | null",
    resolvedAt: "string | null",
    updatedAt: "string",
    components: component.array(),
    sections: type({ key: "string", title: "string", html: "string | null" }).array(),
    timeline: type({ id: "string", status, author: "string", createdAt: "string", html: "string" }).array(),
  },
});

export const operatorIndexPayload = type({
  login: "string",
  incidents: type({ slug: "string", title: "string", impact, status, occurredAt: "string", open: "boolean" }).array(),
});

export const operatorIncidentPayload = type({
  notice: "string | null",
  incident: {
    slug: "string",
    title: "string",
    status,
    impact,
    occurredAt: "string",
    mitigatedAt: "string | null",
    resolvedAt: "string | null",
    components: component.array(),
    sections: type({ key: "string", title: "string", source: "string" }).array(),
    updates: type({ id: "string", status, body: "string", author: "string", createdAt: "string" }).array(),
  },
});
