import { applyD1Migrations, env } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { resetDatabase } from "./db";
import { control } from "./fakes/control";
import { startCapture, stopCapture } from "./logs";

beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  // One fake provider serves the run: each file starts with its defaults, whatever the file before set.
  await control("reset");
});

beforeEach(async () => {
  await resetDatabase();
  startCapture();
});

// The tripwire: an unexpected console.error fails the test that caused it.
afterEach(() => {
  const unexpected = stopCapture();
  if (unexpected.length > 0) {
    throw new Error(`Unexpected console.error during the test:\n${unexpected.map((line) => line.text).join("\n")}`);
  }
});
