/**
 * The status as of now: open incidents + live checks → the summary `/api/status` answers and the
 * status page shows. Live checks: D1 answers `select 1`; sign-in configuration is valid (settings
 * were validated before the request got this far, so it is reported ok, with the providers).
 */
import { sql } from "drizzle-orm";
import type { AppLoadContext } from "@remix-run/cloudflare";
import { rfc3339 } from "../clock";
import type { StatusSummary } from "./api-schema.server";
import { componentStates, overallStatus } from "./derive";
import { listOpenIncidents, type IncidentSummary } from "./incidents.server";
import { COMPONENTS } from "./model";

type Ctx = Pick<AppLoadContext, "db" | "settings" | "logger" | "now">;

export async function checkDatabase(
  db: Ctx["db"],
  clock: () => number = Date.now,
): Promise<{ ok: boolean; latencyMs: number }> {
  const started = clock();
  try {
    await db.run(sql`select 1`);
    return { ok: true, latencyMs: Math.max(0, clock() - started) };
  } catch {
    return { ok: false, latencyMs: Math.max(0, clock() - started) };
  }
}

/** When the database fails, the open incidents cannot be read: the summary says so instead of failing. */
export async function currentStatus(context: Ctx): Promise<{ summary: StatusSummary; open: IncidentSummary[] }> {
  const database = await checkDatabase(context.db);
  let open: IncidentSummary[] = [];
  let databaseOk = database.ok;
  if (databaseOk) {
    try {
      open = await listOpenIncidents(context.db);
    } catch (error) {
      context.logger.warn("status_incidents_unreadable", { error: error instanceof Error ? error.message : "unknown" });
      databaseOk = false;
    }
  } else {
    context.logger.warn("status_database_check_failed", { latencyMs: database.latencyMs });
  }
  const states = componentStates(open, { databaseOk });
  const overall = overallStatus(states);
  const summary: StatusSummary = {
    indicator: overall.indicator,
    description: overall.description,
    components: COMPONENTS.map((c) => ({ id: c.id, name: c.name, state: states[c.id] })),
    incidents: open.map((incident) => ({
      slug: incident.slug,
      title: incident.title,
      impact: incident.impact,
      status: incident.status,
      url: `/status/incidents/${incident.slug}`,
    })),
    checks: {
      database: { ok: databaseOk, latencyMs: database.latencyMs },
      authentication: { ok: true, providers: [...context.settings.AUTH_PROVIDERS] },
    },
    updatedAt: rfc3339(context.now()),
  };
  return { summary, open };
}
