/**
 * What the public status pages show, assembled from D1 and the live checks. The pages degrade
 * instead of failing: if D1 cannot be read, the status page says the status is unavailable (and the
 * error is reported), rather than answering an error page.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { renderMarkdown } from "../content/markdown";
import { reportError } from "../observability/reporter";
import type { StatusSummary } from "./api-schema.server";
import { compactHistory, historyBars, HISTORY_DAYS, type CompactHistory } from "./derive";
import { getIncident, listIncidents, POSTMORTEM_SECTIONS, type IncidentDetail } from "./incidents.server";
import { currentStatus } from "./live.server";
import type { ComponentId, Impact, IncidentStatus } from "./model";

const DAY_MS = 86_400_000;

export type IncidentListItem = {
  slug: string;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  occurredAt: string;
  resolvedAt: string | null;
  components: ComponentId[];
};

export type StatusPage =
  | { available: true; summary: StatusSummary; history: CompactHistory[]; incidents: IncidentListItem[] }
  | { available: false };

export async function statusPage(context: AppLoadContext): Promise<StatusPage> {
  const now = context.now();
  try {
    const { summary } = await currentStatus(context);
    if (!summary.checks.database.ok) return { available: false };
    const since = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
    const incidents = await listIncidents(context.db, since);
    return {
      available: true,
      summary,
      history: historyBars(incidents, now).map(compactHistory),
      incidents: incidents.map((incident) => ({
        slug: incident.slug,
        title: incident.title,
        impact: incident.impact,
        status: incident.status,
        occurredAt: incident.occurredAt.toISOString(),
        resolvedAt: incident.resolvedAt?.toISOString() ?? null,
        components: incident.components,
      })),
    };
  } catch (error) {
    reportError(context.logger, error, { route: "/status" });
    return { available: false };
  }
}

export type RenderedIncident = {
  slug: string;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  author: string;
  occurredAt: string;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  updatedAt: string;
  components: ComponentId[];
  /** Postmortem sections in page order; `html` is null for a section nobody has written yet. */
  sections: Array<{ key: string; title: string; html: string | null }>;
  timeline: Array<{ id: string; status: IncidentStatus; author: string; createdAt: string; html: string }>;
};

/** Operators' markdown, rendered with the same rules as our docs: raw HTML is escaped, links are checked. */
export function renderIncident(incident: IncidentDetail): RenderedIncident {
  return {
    slug: incident.slug,
    title: incident.title,
    impact: incident.impact,
    status: incident.status,
    author: incident.author,
    occurredAt: incident.occurredAt.toISOString(),
    mitigatedAt: incident.mitigatedAt?.toISOString() ?? null,
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    updatedAt: incident.updatedAt.toISOString(),
    components: incident.components,
    sections: POSTMORTEM_SECTIONS.map(({ key, title }) => {
      const source = incident[key];
      return {
        key,
        title,
        html: source && source.trim() ? renderMarkdown(source, { topHeading: 3, idPrefix: `${key}-` }).html : null,
      };
    }),
    timeline: incident.updates.map((update) => ({
      id: update.id,
      status: update.status,
      author: update.author,
      createdAt: update.createdAt.toISOString(),
      html: renderMarkdown(update.body, { topHeading: 4, idPrefix: `${update.id}-` }).html,
    })),
  };
}

export async function incidentPage(
  context: Pick<AppLoadContext, "db">,
  slug: string,
): Promise<RenderedIncident | null> {
  const incident = await getIncident(context.db, slug);
  return incident ? renderIncident(incident) : null;
}
