/**
 * The development-only D1 counts (app/observability/d1-counts.ts): a batch is one round trip of as
 * many statements as it holds, a statement run alone is one of one; drizzle's queries are counted
 * through the wrapped binding; requests served at the same time count apart; the Server-Timing
 * entry says both.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countD1, countingD1, d1ServerTiming } from "~/observability/d1-counts";
import { createDatabase } from "../../db/client";
import { workspaces } from "../../db/schema";

describe("D1 counts per request", () => {
  it("counts a batch as one round trip of its statements, and each statement run alone as one", async () => {
    const d1 = countingD1(env.DB);
    const [rows, counts] = await countD1(async () => {
      await d1.batch([d1.prepare("SELECT 1"), d1.prepare("SELECT ?").bind(2), d1.prepare("SELECT 3")]);
      await d1.prepare("SELECT ? AS n").bind(4).first();
      return (await d1.prepare("SELECT 5 AS n").all<{ n: number }>()).results;
    });
    expect(rows).toEqual([{ n: 5 }]);
    expect(counts).toEqual({ roundTrips: 3, statements: 5 });
    expect(d1ServerTiming(counts)).toBe('d1;desc="3 round trips, 5 statements"');
  });

  it("counts drizzle's queries and batches through the wrapped binding, one wrapper per binding", async () => {
    expect(countingD1(env.DB)).toBe(countingD1(env.DB));
    const db = createDatabase(countingD1(env.DB));
    const [, counts] = await countD1(async () => {
      await db.select().from(workspaces);
      await db.batch([db.select().from(workspaces), db.select({ id: workspaces.id }).from(workspaces)]);
    });
    expect(counts).toEqual({ roundTrips: 2, statements: 3 });
  });

  it("keeps the counts of requests served at the same time apart, and counts nothing outside a request", async () => {
    const d1 = countingD1(env.DB);
    await d1.prepare("SELECT 0").first();
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const [[, one], [, two]] = await Promise.all([
      countD1(async () => {
        await tick();
        await d1.prepare("SELECT 1").first();
      }),
      countD1(async () => {
        await d1.batch([d1.prepare("SELECT 1"), d1.prepare("SELECT 2")]);
        await tick();
        await d1.batch([d1.prepare("SELECT 3")]);
      }),
    ]);
    expect(one).toEqual({ roundTrips: 1, statements: 1 });
    expect(two).toEqual({ roundTrips: 2, statements: 3 });
  });
});
