/**
 * One clock for a test run (tests/run-clock.ts, app/clock.ts): the tests' data, the Worker under
 * test and the fake providers all run at FIXED_NOW (2026-11-01T12:00:00Z, or TEST_NOW), whatever
 * the date on the machine. If any of them fell back to the wall clock, these fail on every date but
 * the one the run's clock happens to start at.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { clockWithOffset } from "~/clock";
import { readSettings } from "~/config/env.server";
import { SEED } from "../db/seed";
import { actionsToken, api } from "./api/client";
import { testNow } from "./context";
import { FIXED_NOW, seedDatabase } from "./db";
import { get } from "./http";

/** A run takes minutes; an hour is a bound no wall-clock fallback (a month or more away) can meet. */
const RUN_BOUND_MS = 60 * 60_000;

function expectWithinRun(instant: Date) {
  expect(instant.getTime()).toBeGreaterThanOrEqual(FIXED_NOW.getTime() - 1_000);
  expect(instant.getTime()).toBeLessThan(FIXED_NOW.getTime() + RUN_BOUND_MS);
}

describe("the test run's clock", () => {
  it("FIXED_NOW is the run's instant: TEST_NOW when set, 2026-11-01T12:00:00Z otherwise", () => {
    expect(FIXED_NOW.toISOString()).toBe(inject("runClock").fixedNow);
    expect(Number.isNaN(FIXED_NOW.getTime())).toBe(false);
  });

  it("the tests' own clock starts at FIXED_NOW and moves forward", async () => {
    const first = testNow();
    expectWithinRun(first);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(testNow().getTime()).toBeGreaterThan(first.getTime());
  });

  it("the Worker under test reads the same clock: it accepts the fake issuer's token, and what it dates is dated on the run's clock", async () => {
    await seedDatabase();
    const before = testNow();
    const { envelope } = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: await actionsToken(), workspaceId: SEED.workspaceId },
    });
    expect(envelope.success, JSON.stringify(envelope)).toBe(true);
    const locked = await api("POST", "/api/v1/locks", {
      token: envelope.data!.token as string,
      body: { key: "acme/infra/clock-check", ttl: 600 },
    });
    const after = testNow();
    expect(locked.envelope.success, JSON.stringify(locked.envelope)).toBe(true);
    // The API token lives one hour from the Worker's now, the lock `ttl` seconds; both are whole seconds.
    const floor = Math.floor(before.getTime() / 1000) * 1000;
    const tokenNow = new Date(envelope.data!.expiresAt as string).getTime() - 3_600_000;
    const lockNow = new Date(locked.envelope.data!.expiresAt as string).getTime() - 600_000;
    for (const workerNow of [tokenNow, lockNow]) {
      expect(workerNow).toBeGreaterThanOrEqual(floor);
      expect(workerNow).toBeLessThanOrEqual(after.getTime());
    }
  });

  it("pages render on it: the footer's year is FIXED_NOW's year", async () => {
    const response = await get(`/?_data=root`);
    expect(response.status).toBe(200);
    const root = (await response.json()) as { year: number };
    expect(root.year).toBe(testNow().getUTCFullYear());
    expect([FIXED_NOW.getUTCFullYear(), FIXED_NOW.getUTCFullYear() + 1]).toContain(root.year);
  });
});

describe("CLOCK_OFFSET_MS", () => {
  it("moves the app's clock by that many milliseconds, and zero is the wall clock itself", () => {
    const offset = 400 * 24 * 3_600_000;
    const moved = clockWithOffset(offset)().getTime() - Date.now();
    expect(Math.abs(moved - offset)).toBeLessThan(1_000);
    expect(Math.abs(clockWithOffset(0)().getTime() - Date.now())).toBeLessThan(1_000);
    expect(Math.abs(clockWithOffset(-offset)().getTime() - Date.now() + offset)).toBeLessThan(1_000);
  });

  it("is a development and test setting: preview and production refuse it, naming it", () => {
    for (const ENVIRONMENT of ["preview", "production"]) {
      const result = readSettings({
        ...env,
        ENVIRONMENT,
        AUTH_PROVIDERS: "github",
        GITHUB_CLIENT_ID: "id",
        GITHUB_CLIENT_SECRET: "secret",
        CLOCK_OFFSET_MS: "1000",
      });
      expect(result).toMatchObject({ ok: false, invalid: ["CLOCK_OFFSET_MS"] });
      expect(result.ok ? [] : result.messages).toContain(
        "CLOCK_OFFSET_MS moves the clock for development and tests only: remove it",
      );
      const { CLOCK_OFFSET_MS: _unset, ...withoutOffset } = env;
      const without = readSettings({
        ...withoutOffset,
        ENVIRONMENT,
        AUTH_PROVIDERS: "github",
        GITHUB_CLIENT_ID: "id",
        GITHUB_CLIENT_SECRET: "secret",
      });
      expect(without.ok, JSON.stringify(without)).toBe(true);
    }
    expect(readSettings({ ...env, ENVIRONMENT: "test", CLOCK_OFFSET_MS: "-5" })).toMatchObject({
      ok: true,
      settings: { CLOCK_OFFSET_MS: -5 },
    });
  });

  it("must be an integer", () => {
    for (const bad of ["soon", "1.5", "1e3x"]) {
      expect(readSettings({ ...env, CLOCK_OFFSET_MS: bad })).toMatchObject({ ok: false, invalid: ["CLOCK_OFFSET_MS"] });
    }
  });
});
