/**
 * "session callback resilience", the faults that come from inside: a verify step that throws a
 * value that is not an Error, and the validation module throwing an error class it never threw
 * before (what a library upgrade can do). Both must still end in the controlled error path.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { testContext } from "../context";
import { seedDatabase } from "../db";
import { get } from "../http";
import { expectErrorLogs, logRecords } from "../logs";
import { control } from "../fakes/control";
import { atProvider, callback, start } from "./providers";
import type * as GithubProvider from "~/auth/providers/github.server";
import type * as Validation from "~/validation";

const faults = vi.hoisted(() => ({ verifyThrows: false, validationThrows: false }));

vi.mock("~/auth/providers/github.server", async (importOriginal) => {
  const actual = await importOriginal<typeof GithubProvider>();
  return {
    ...actual,
    githubStrategy: (...args: Parameters<typeof actual.githubStrategy>) => {
      const strategy = actual.githubStrategy(...args);
      if (faults.verifyThrows) {
        (strategy as unknown as { verify: () => Promise<never> }).verify = async () => {
          throw "a plain string, not an Error";
        };
      }
      return strategy;
    },
  };
});

vi.mock("~/validation", async (importOriginal) => {
  const actual = await importOriginal<typeof Validation>();
  class ArkUpgradeError extends Error {
    override name = "ArkUpgradeError";
  }
  return {
    ...actual,
    validate: (...args: Parameters<typeof actual.validate>) => {
      if (faults.validationThrows) throw new ArkUpgradeError("an error class the library never threw before");
      return actual.validate(...args);
    },
  };
});

async function sessionCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM sessions").first<{ n: number }>())!.n;
}

beforeEach(async () => {
  faults.verifyThrows = false;
  faults.validationThrows = false;
  await control("reset");
  await seedDatabase();
});

async function runGithubSignIn() {
  const bystander = await sessionCookieFor(SEED.memberId);
  const before = await sessionCount();
  const context = testContext();
  const started = await start("github");
  const back = await atProvider(started.authorizeUrl);
  const { response } = await callback("github", back, started.jar, context);
  return { response, context, before, bystander };
}

describe("session callback resilience: failures from inside", () => {
  it("the verify step throwing a non-Error value", async () => {
    expectErrorLogs();
    faults.verifyThrows = true;
    const { response, context, before, bystander } = await runGithubSignIn();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?error=unexpected");
    const lines = logRecords().filter((record) => record.requestId === context.requestId);
    expect(lines).toEqual([
      expect.objectContaining({
        event: "sign_in_failed",
        errorCode: "unexpected",
        provider: "github",
        errorName: "string",
      }),
    ]);
    expect(await sessionCount()).toBe(before);
    expect((await get("/dashboard/acme", { headers: { Cookie: bystander } })).status).toBe(200);
  });

  it("the validation module throwing an error class it never threw before", async () => {
    expectErrorLogs();
    // Turn the fault on only for the callback: the start must work as before the "upgrade".
    const bystander = await sessionCookieFor(SEED.memberId);
    const before = await sessionCount();
    const started = await start("github");
    const back = await atProvider(started.authorizeUrl);
    const context = testContext();
    faults.validationThrows = true;
    const { response } = await callback("github", back, started.jar, context);
    faults.validationThrows = false;
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?error=unexpected");
    const lines = logRecords().filter((record) => record.requestId === context.requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: "sign_in_failed",
      errorCode: "unexpected",
      provider: "github",
      errorName: "ArkUpgradeError",
    });
    expect(await sessionCount()).toBe(before);
    expect((await get("/dashboard/acme", { headers: { Cookie: bystander } })).status).toBe(200);
  });
});
