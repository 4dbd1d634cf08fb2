/**
 * Incidents in D1: what the status pages read, and the operator's changes. Plain functions over a
 * drizzle handle; the caller passes the clock and the operator's login. Every change to one
 * incident is a single D1 batch, so a page never shows half of it.
 */
import { and, asc, desc, eq, gte, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { incidentComponents, incidents, incidentUpdates } from "../../db/schema";
import { newId } from "../domain/ids";
import { refuse, type Refusal } from "../domain/result";
import { slugify } from "../content/markdown";
import { utcDay } from "../site/dates";
import type { IncidentFacts } from "./derive";
import type { ComponentId, Impact, IncidentStatus } from "./model";

export type IncidentSummary = IncidentFacts & { id: string; status: IncidentStatus; author: string };

export type IncidentUpdate = { id: string; status: IncidentStatus; body: string; author: string; createdAt: Date };

export type Postmortem = {
  summary: string | null;
  impactText: string | null;
  whatHappened: string | null;
  whatWeDid: string | null;
  followUp: string | null;
};

export type IncidentDetail = IncidentSummary & Postmortem & { updates: IncidentUpdate[]; updatedAt: Date };

export const POSTMORTEM_SECTIONS = [
  { key: "summary", title: "Summary" },
  { key: "impactText", title: "Impact" },
  { key: "whatHappened", title: "What Happened" },
  { key: "whatWeDid", title: "What We Did" },
  { key: "followUp", title: "Follow-Up" },
] as const satisfies ReadonlyArray<{ key: keyof Postmortem; title: string }>;

type Row = typeof incidents.$inferSelect;

const summaryColumns = {
  id: incidents.id,
  slug: incidents.slug,
  title: incidents.title,
  status: incidents.status,
  impact: incidents.impact,
  author: incidents.author,
  occurredAt: incidents.occurredAt,
  mitigatedAt: incidents.mitigatedAt,
  resolvedAt: incidents.resolvedAt,
  component: incidentComponents.component,
};

type JoinedRow = Pick<
  Row,
  "id" | "slug" | "title" | "status" | "impact" | "author" | "occurredAt" | "mitigatedAt" | "resolvedAt"
> & {
  component: ComponentId | null;
};

/** Rows of incident ⟕ component → one summary per incident, in the rows' order. */
function group(rows: JoinedRow[]): IncidentSummary[] {
  const byId = new Map<string, IncidentSummary>();
  for (const { component, ...row } of rows) {
    let incident = byId.get(row.id);
    if (!incident) {
      incident = { ...row, components: [] };
      byId.set(row.id, incident);
    }
    if (component && !incident.components.includes(component)) incident.components.push(component);
  }
  return [...byId.values()];
}

/** Open incidents, and every incident that occurred since `since`, newest first. */
export async function listIncidents(db: Database, since: Date, limit = 100): Promise<IncidentSummary[]> {
  const rows = await db
    .select(summaryColumns)
    .from(incidents)
    .leftJoin(incidentComponents, eq(incidentComponents.incidentId, incidents.id))
    .where(or(isNull(incidents.resolvedAt), gte(incidents.occurredAt, since), gte(incidents.resolvedAt, since)))
    .orderBy(desc(incidents.occurredAt), desc(incidents.id))
    .limit(limit * 5);
  return group(rows).slice(0, limit);
}

export async function listOpenIncidents(db: Database): Promise<IncidentSummary[]> {
  const rows = await db
    .select(summaryColumns)
    .from(incidents)
    .leftJoin(incidentComponents, eq(incidentComponents.incidentId, incidents.id))
    .where(isNull(incidents.resolvedAt))
    .orderBy(desc(incidents.occurredAt), desc(incidents.id));
  return group(rows);
}

/** Every incident's address and last change, for the sitemap. */
export async function incidentAddresses(db: Database): Promise<Array<{ slug: string; updatedAt: Date }>> {
  return db
    .select({ slug: incidents.slug, updatedAt: incidents.updatedAt })
    .from(incidents)
    .orderBy(desc(incidents.occurredAt));
}

export async function getIncident(db: Database, slug: string): Promise<IncidentDetail | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.slug, slug)).limit(1);
  if (!row) return null;
  const [components, updates] = await db.batch([
    db
      .select({ component: incidentComponents.component })
      .from(incidentComponents)
      .where(eq(incidentComponents.incidentId, row.id)),
    db
      .select({
        id: incidentUpdates.id,
        status: incidentUpdates.status,
        body: incidentUpdates.body,
        author: incidentUpdates.author,
        createdAt: incidentUpdates.createdAt,
      })
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, row.id))
      .orderBy(asc(incidentUpdates.createdAt), asc(incidentUpdates.id)),
  ]);
  const order = new Map(["authentication", "dashboard", "api", "webhooks", "deployments"].map((id, i) => [id, i]));
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    status: row.status,
    impact: row.impact,
    author: row.author,
    occurredAt: row.occurredAt,
    mitigatedAt: row.mitigatedAt,
    resolvedAt: row.resolvedAt,
    updatedAt: row.updatedAt,
    components: components.map((c) => c.component).sort((a, b) => order.get(a)! - order.get(b)!),
    summary: row.summary,
    impactText: row.impactText,
    whatHappened: row.whatHappened,
    whatWeDid: row.whatWeDid,
    followUp: row.followUp,
    updates,
  };
}

/** `<YYYY-MM-DD>-<title words>`, with -2, -3… when that address is taken. */
async function freeSlug(db: Database, occurredAt: Date, title: string): Promise<string> {
  const base = `${utcDay(occurredAt)}-${slugify(title).slice(0, 60).replace(/-+$/, "") || "incident"}`;
  // "<base>" or "<base>-…": a range rather than LIKE, whose patterns D1 caps at 50 characters.
  const taken = new Set(
    (
      await db
        .select({ slug: incidents.slug })
        .from(incidents)
        .where(or(eq(incidents.slug, base), and(gte(incidents.slug, `${base}-`), lt(incidents.slug, `${base}.`))))
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export type OpenIncidentInput = {
  title: string;
  impact: Impact;
  components: ComponentId[];
  status: Exclude<IncidentStatus, "resolved">;
  body: string;
};

export async function openIncident(
  db: Database,
  input: OpenIncidentInput,
  by: { author: string; now: Date },
): Promise<{ id: string; slug: string }> {
  const id = newId("inc");
  const slug = await freeSlug(db, by.now, input.title);
  await db.batch([
    db.insert(incidents).values({
      id,
      slug,
      title: input.title,
      status: input.status,
      impact: input.impact,
      author: by.author,
      occurredAt: by.now,
      createdAt: by.now,
      updatedAt: by.now,
    }),
    db.insert(incidentComponents).values(input.components.map((component) => ({ incidentId: id, component }))),
    db.insert(incidentUpdates).values({
      id: newId("incu"),
      incidentId: id,
      status: input.status,
      body: input.body,
      author: by.author,
      createdAt: by.now,
    }),
  ]);
  return { id, slug };
}

export type IncidentRefusal = "incident_resolved" | "already_mitigated" | "already_resolved";
export type ChangeResult = { ok: true } | Refusal<IncidentRefusal>;

/**
 * A timeline update; the incident takes its status. "resolved" also resolves the incident (and
 * marks it mitigated if nobody had). A resolved incident takes no other status: open a new one.
 */
export async function addUpdate(
  db: Database,
  incident: IncidentDetail,
  input: { status: IncidentStatus; body: string },
  by: { author: string; now: Date },
): Promise<ChangeResult> {
  if (incident.resolvedAt && input.status !== "resolved") {
    return refuse("incident_resolved", "This incident is resolved. Post a resolved update, or open a new incident.");
  }
  const resolving = input.status === "resolved";
  await db.batch([
    db.insert(incidentUpdates).values({
      id: newId("incu"),
      incidentId: incident.id,
      status: input.status,
      body: input.body,
      author: by.author,
      createdAt: by.now,
    }),
    db
      .update(incidents)
      .set({
        status: input.status,
        updatedAt: by.now,
        ...(resolving
          ? { resolvedAt: incident.resolvedAt ?? by.now, mitigatedAt: incident.mitigatedAt ?? by.now }
          : {}),
      })
      .where(eq(incidents.id, incident.id)),
  ]);
  return { ok: true };
}

/** Which components the incident affects, and how badly: one change, so the page never shows half of it. */
export async function setAffectedComponents(
  db: Database,
  incident: IncidentDetail,
  change: { components: ComponentId[]; impact: Impact },
  now: Date,
): Promise<void> {
  await db.batch([
    db.delete(incidentComponents).where(eq(incidentComponents.incidentId, incident.id)),
    db
      .insert(incidentComponents)
      .values(change.components.map((component) => ({ incidentId: incident.id, component }))),
    db.update(incidents).set({ impact: change.impact, updatedAt: now }).where(eq(incidents.id, incident.id)),
  ]);
}

/** Sets mitigated_at once; mitigating again changes nothing. */
export async function mitigateIncident(db: Database, incident: IncidentDetail, now: Date): Promise<ChangeResult> {
  if (incident.mitigatedAt) return refuse("already_mitigated", "This incident is already marked mitigated.");
  await db
    .update(incidents)
    .set({ mitigatedAt: now, updatedAt: now })
    .where(and(eq(incidents.id, incident.id), isNull(incidents.mitigatedAt)));
  return { ok: true };
}

export async function resolveIncident(
  db: Database,
  incident: IncidentDetail,
  body: string,
  by: { author: string; now: Date },
): Promise<ChangeResult> {
  if (incident.resolvedAt) return refuse("already_resolved", "This incident is already resolved.");
  return addUpdate(db, incident, { status: "resolved", body }, by);
}

export async function writePostmortem(
  db: Database,
  incident: IncidentDetail,
  sections: Postmortem,
  now: Date,
): Promise<void> {
  await db
    .update(incidents)
    .set({ ...sections, updatedAt: now })
    .where(eq(incidents.id, incident.id));
}
