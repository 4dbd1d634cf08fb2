/**
 * Our webhook schemas against GitHub's own published example payloads (@octokit/webhooks-examples):
 * every example of every event and action we act on satisfies its schema, so a real payload never
 * fails one. A schema that asked for a field GitHub does not always send would fail here first.
 */
import { describe, expect, it } from "vitest";
import { validate } from "~/validation";
import { HANDLERS } from "~/webhooks/events.server";
import { allExamples } from "./fixtures";

describe("webhook payload schemas", () => {
  const cases = Object.entries(HANDLERS).flatMap(([event, handler]) =>
    allExamples(event)
      .filter((payload) => handler.actions.includes(String(payload.action)))
      .map((payload, i) => [`${event}.${String(payload.action)} #${i + 1}`, handler.schema, payload] as const),
  );

  it("has GitHub's examples for every event and action we act on", () => {
    const covered = new Set(cases.map(([label]) => label.split(" ")[0]));
    const missing = Object.entries(HANDLERS).flatMap(([event, handler]) =>
      handler.actions.map((action) => `${event}.${action}`).filter((name) => !covered.has(name)),
    );
    // GitHub publishes no example of repository.deleted: its schema is the one of repository.renamed,
    // which has examples (the event's repository object is the same). Nor of workflow_run.in_progress,
    // whose workflow_run object is the one of requested and completed.
    expect(missing).toEqual(["repository.deleted", "workflow_run.in_progress"]);
  });

  it.each(cases)("%s satisfies our schema", (_label, schema, payload) => {
    const result = validate(schema, payload);
    expect(result.ok, result.ok ? "" : JSON.stringify(result.issues)).toBe(true);
  });
});
