import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
// The built Worker module, called with a deliberately broken env.
import worker from "../build/index.js";
import { readSettings } from "~/config/env.server";
import { expectErrorLogs, logRecords } from "./logs";

async function fetchWith(overrides: Record<string, unknown>, path = "/") {
  const ctx = createExecutionContext();
  const brokenEnv = { ...env, ...overrides };
  for (const [key, value] of Object.entries(overrides))
    if (value === undefined) delete (brokenEnv as Record<string, unknown>)[key];
  const response = await (worker as ExportedHandler<Env>).fetch!(
    new Request(`http://localhost${path}`) as Parameters<NonNullable<ExportedHandler<Env>["fetch"]>>[0],
    brokenEnv as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

describe("settings fail closed", () => {
  it("a missing SESSION_SECRET yields the 500 page naming it, and one log line without values", async () => {
    expectErrorLogs();
    const response = await fetchWith({ SESSION_SECRET: undefined }, "/dashboard/acme");
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("Atmos Pro is not configured correctly");
    expect(html).toContain("SESSION_SECRET");
    const records = logRecords().filter((record) => record.event === "config_invalid");
    expect(records).toHaveLength(1);
    expect(records[0]!.settings).toEqual(["SESSION_SECRET"]);
  });

  it("names every wrong setting, never its value", async () => {
    expectErrorLogs();
    const response = await fetchWith({ SESSION_SECRET: "short-and-secret-value", ENVIRONMENT: "staging-ish" });
    const html = await response.text();
    expect(response.status).toBe(500);
    expect(html).toContain("ENVIRONMENT, SESSION_SECRET");
    expect(html).not.toContain("short-and-secret-value");
    expect(html).not.toContain("staging-ish");
    const logged = JSON.stringify(logRecords());
    expect(logged).not.toContain("short-and-secret-value");
    expect(logged).not.toContain("staging-ish");
  });

  it("treats an empty value as missing", () => {
    const result = readSettings({ ...env, SESSION_SECRET: "  " });
    expect(result).toMatchObject({ ok: false, invalid: ["SESSION_SECRET"] });
  });

  it("accepts a comma list of secrets for rotation", () => {
    const result = readSettings({ ...env, SESSION_SECRET: `${"a".repeat(32)}, ${"b".repeat(40)}` });
    expect(result.ok && result.settings.SESSION_SECRET).toEqual(["a".repeat(32), "b".repeat(40)]);
  });

  it("serves normally with valid settings", async () => {
    const response = await fetchWith({});
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
