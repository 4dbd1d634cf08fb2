/** The status rules, on plain values: component states now, the overall sentence, and the 90-day bars. */
import { describe, expect, it } from "vitest";
import { compactHistory, componentStates, historyBars, overallStatus, type IncidentFacts } from "~/status-page/derive";
import { COMPONENTS } from "~/status-page/model";

const NOW = new Date("2026-11-01T12:00:00Z");
const at = (iso: string) => new Date(iso);

function incident(overrides: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    slug: "2026-11-01-api-errors",
    title: "API errors",
    impact: "partial_outage",
    occurredAt: at("2026-11-01T10:00:00Z"),
    mitigatedAt: null,
    resolvedAt: null,
    components: ["api"],
    ...overrides,
  };
}

describe("component states now", () => {
  it("everything is operational without open incidents", () => {
    const states = componentStates([], { databaseOk: true });
    expect(Object.values(states)).toEqual(COMPONENTS.map(() => "operational"));
    expect(overallStatus(states)).toEqual({ indicator: "operational", description: "All systems operational" });
  });

  it("an open incident sets its components to its impact, and only those", () => {
    const states = componentStates([incident({ components: ["api", "webhooks"] })], { databaseOk: true });
    expect(states).toEqual({
      authentication: "operational",
      dashboard: "operational",
      api: "partial_outage",
      webhooks: "partial_outage",
      deployments: "operational",
    });
    expect(overallStatus(states)).toEqual({
      indicator: "partial_outage",
      description: "Partial outage: API, Webhooks",
    });
  });

  it("takes the worst of several incidents, and names each level worst first", () => {
    const states = componentStates(
      [
        incident({ slug: "a", impact: "degraded", components: ["api", "dashboard"] }),
        incident({ slug: "b", impact: "major_outage", components: ["api"] }),
      ],
      { databaseOk: true },
    );
    expect(states.api).toBe("major_outage");
    expect(states.dashboard).toBe("degraded");
    expect(overallStatus(states)).toEqual({
      indicator: "major_outage",
      description: "Major outage: API · Degraded performance: Dashboard",
    });
  });

  it("a mitigated incident counts as degraded at most; a resolved one not at all", () => {
    expect(
      componentStates([incident({ impact: "major_outage", mitigatedAt: at("2026-11-01T11:00:00Z") })], {
        databaseOk: true,
      }).api,
    ).toBe("degraded");
    expect(componentStates([incident({ resolvedAt: at("2026-11-01T11:00:00Z") })], { databaseOk: true }).api).toBe(
      "operational",
    );
  });

  it("a failing database check is a major outage of every component", () => {
    const states = componentStates([], { databaseOk: false });
    expect(new Set(Object.values(states))).toEqual(new Set(["major_outage"]));
    expect(overallStatus(states).description).toBe(
      "Major outage: Authentication, Dashboard, API, Webhooks, Deployments",
    );
  });
});

describe("90-day history bars", () => {
  it("has 90 UTC days per component, oldest first, ending today", () => {
    const bars = historyBars([], NOW);
    expect(bars.map((bar) => bar.component)).toEqual(COMPONENTS.map((c) => c.id));
    for (const bar of bars) {
      expect(bar.days).toHaveLength(90);
      expect(bar.days[0]!.date).toBe("2026-08-04");
      expect(bar.days.at(-1)!.date).toBe("2026-11-01");
      expect(bar.incidentDays).toBe(0);
    }
  });

  it("marks every UTC day an incident touched, on its components only, with the worst impact that day", () => {
    const incidents = [
      incident({
        slug: "long",
        title: "Long",
        impact: "degraded",
        occurredAt: at("2026-10-20T23:30:00Z"),
        resolvedAt: at("2026-10-22T00:10:00Z"),
        components: ["webhooks"],
      }),
      incident({
        slug: "short",
        title: "Short",
        impact: "major_outage",
        occurredAt: at("2026-10-21T08:00:00Z"),
        resolvedAt: at("2026-10-21T09:00:00Z"),
        components: ["webhooks", "api"],
      }),
    ];
    const bars = historyBars(incidents, NOW);
    const webhooks = bars.find((bar) => bar.component === "webhooks")!;
    const day = (date: string) => webhooks.days.find((d) => d.date === date)!;
    expect(day("2026-10-19").state).toBe("operational");
    expect(day("2026-10-20").state).toBe("degraded");
    expect(day("2026-10-21").state).toBe("major_outage");
    expect(day("2026-10-21").incidents.map((i) => i.slug)).toEqual(["long", "short"]);
    expect(day("2026-10-22").state).toBe("degraded");
    expect(day("2026-10-23").state).toBe("operational");
    expect(webhooks.incidentDays).toBe(3);
    const api = bars.find((bar) => bar.component === "api")!;
    expect(api.days.filter((d) => d.state !== "operational").map((d) => d.date)).toEqual(["2026-10-21"]);
    expect(bars.find((bar) => bar.component === "dashboard")!.incidentDays).toBe(0);
  });

  it("an open incident colours every day from its start to today", () => {
    const bars = historyBars([incident({ occurredAt: at("2026-10-30T15:00:00Z") })], NOW);
    const api = bars.find((bar) => bar.component === "api")!;
    expect(api.days.slice(-3).map((d) => d.state)).toEqual(["partial_outage", "partial_outage", "partial_outage"]);
    expect(api.incidentDays).toBe(3);
  });

  it("leaves out incidents that ended before the window, and clips those that started before it", () => {
    const old = incident({
      slug: "old",
      occurredAt: at("2026-07-01T00:00:00Z"),
      resolvedAt: at("2026-07-02T00:00:00Z"),
    });
    const straddling = incident({
      slug: "straddling",
      occurredAt: at("2026-08-01T00:00:00Z"),
      resolvedAt: at("2026-08-05T12:00:00Z"),
    });
    const api = historyBars([old, straddling], NOW).find((bar) => bar.component === "api")!;
    expect(api.days.filter((d) => d.state !== "operational").map((d) => d.date)).toEqual(["2026-08-04", "2026-08-05"]);
  });

  it("the page gets the window and only the days with incidents", () => {
    const bars = historyBars(
      [incident({ occurredAt: at("2026-10-30T15:00:00Z"), resolvedAt: at("2026-10-30T16:00:00Z") })],
      NOW,
    );
    const api = compactHistory(bars.find((bar) => bar.component === "api")!);
    expect(api).toEqual({
      component: "api",
      from: "2026-08-04",
      days: 90,
      incidentDays: 1,
      marks: [
        {
          day: 87,
          date: "2026-10-30",
          state: "partial_outage",
          incidents: [{ slug: "2026-11-01-api-errors", title: "API errors" }],
        },
      ],
    });
    expect(compactHistory(bars.find((bar) => bar.component === "dashboard")!).marks).toEqual([]);
  });
});
