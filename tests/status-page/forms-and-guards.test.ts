/**
 * The operator's form schemas on their own, and the browser-side guards (api-guard.ts,
 * search-guard.ts) against the arktype schemas they stand in for: same fixtures, same verdicts.
 */
import { describe, expect, it } from "vitest";
import { searchIndexPayload } from "~/content/payloads.server";
import { readSearchIndex } from "~/content/search-guard";
import { statusEnvelope } from "~/status-page/api-schema.server";
import { readStatusEnvelope } from "~/status-page/api-guard";
import { checkForm, readForm } from "~/forms/form.server";
import { INCIDENT_LISTS, openIncidentForm, postmortemForm, updateForm } from "~/forms/incidents.server";
import { validate } from "~/validation";

describe("operator form schemas", () => {
  it("trims and accepts a good incident", () => {
    const result = checkForm(openIncidentForm, {
      intent: "open",
      title: "  API errors  ",
      impact: "major_outage",
      status: "identified",
      components: ["api"],
      body: " Looking. ",
    });
    expect(result).toEqual({
      ok: true,
      value: {
        intent: "open",
        title: "API errors",
        impact: "major_outage",
        status: "identified",
        components: ["api"],
        body: "Looking.",
      },
    });
  });

  it("names each bad field with a sentence, never echoing the value", () => {
    const result = checkForm(openIncidentForm, {
      intent: "open",
      title: "x".repeat(121),
      impact: "",
      status: "resolved",
      components: ["api", "<script>"],
      body: "ok",
    });
    expect(result.ok).toBe(false);
    const errors = (result as { fieldErrors: Record<string, string> }).fieldErrors;
    expect(Object.keys(errors).sort()).toEqual(["components", "impact", "status", "title"]);
    expect(JSON.stringify(errors)).not.toContain("<script>");
  });

  it("updates accept every status; reports allow empty sections but not huge ones", () => {
    for (const status of ["investigating", "identified", "monitoring", "resolved"])
      expect(checkForm(updateForm, { intent: "update", status, body: "x" }).ok).toBe(true);
    const empty = { intent: "postmortem", summary: "", impactText: "", whatHappened: "", whatWeDid: "", followUp: "" };
    expect(checkForm(postmortemForm, empty).ok).toBe(true);
    expect(checkForm(postmortemForm, { ...empty, followUp: "y".repeat(20_001) })).toEqual({
      ok: false,
      fieldErrors: { followUp: "Keep each section under 20,000 characters." },
    });
  });

  it("reads repeated checkbox fields as lists and everything else as its first value, trimmed", async () => {
    const body = new URLSearchParams([
      ["intent", "open"],
      ["components", "api"],
      ["components", " webhooks "],
      [" title", "x"],
      ["title", " One "],
      ["title", "Two"],
    ]);
    const fields = await readForm(new Request("http://localhost/", { method: "POST", body }), INCIDENT_LISTS);
    expect(fields).toEqual({ intent: "open", components: ["api", "webhooks"], " title": "x", title: "One" });
    expect(
      await readForm(new Request("http://localhost/", { method: "POST", body: new URLSearchParams() }), INCIDENT_LISTS),
    ).toEqual({ components: [] });
  });
});

const summary = {
  indicator: "degraded",
  description: "Degraded performance: API",
  components: [{ id: "api", name: "API", state: "degraded" }],
  incidents: [
    {
      slug: "2026-11-01-x",
      title: "X",
      impact: "degraded",
      status: "investigating",
      url: "/status/incidents/2026-11-01-x",
    },
  ],
  checks: { database: { ok: true, latencyMs: 1 }, authentication: { ok: true, providers: ["github"] } },
  updatedAt: "2026-11-01T12:00:00Z",
};

describe("browser guards agree with the schemas", () => {
  const envelopes: Array<[string, unknown]> = [
    ["a good envelope", { request: "r", status: 200, success: true, data: summary }],
    ["a failed envelope", { request: "r", status: 500, success: false, errorMessage: "x" }],
    ["an unknown indicator", { success: true, data: { ...summary, indicator: "on fire" } }],
    ["a missing description", { success: true, data: { ...summary, description: undefined } }],
    ["no components list", { success: true, data: { ...summary, components: null } }],
    ["HTML instead of JSON", "<html>"],
    ["null", null],
  ];
  for (const [name, value] of envelopes) {
    it(`/api/status: ${name}`, () => {
      expect(readStatusEnvelope(value) !== null).toBe(validate(statusEnvelope, value).ok);
    });
  }

  const entry = {
    slug: "locks",
    anchor: "rules",
    page: "Locks",
    section: "Learn",
    heading: "Rules",
    text: "Locks expire.",
  };
  const indexes: Array<[string, unknown]> = [
    ["a good index", { entries: [entry] }],
    ["an empty index", { entries: [] }],
    ["an unknown section", { entries: [{ ...entry, section: "Marketing" }] }],
    ["a missing field", { entries: [{ ...entry, text: undefined }] }],
    ["not a list", { entries: {} }],
    ["nothing", undefined],
  ];
  for (const [name, value] of indexes) {
    it(`search index: ${name}`, () => {
      expect(readSearchIndex(value) !== null).toBe(validate(searchIndexPayload, value).ok);
    });
  }
});
