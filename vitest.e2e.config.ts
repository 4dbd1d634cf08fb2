/**
 * Browser (e2e) tests: `npm run test:e2e`. Plain Node, not the workers pool — the tests drive
 * Debian's Chromium (playwright-core) against a real `wrangler dev` that tests/e2e/global-setup.ts
 * starts on a free port with its own migrated and seeded local D1, and stops afterwards.
 * Standalone on purpose: nothing here is shared with vitest.config.ts (the workerd unit tests).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["./tests/e2e/global-setup.ts"],
    // One wrangler dev and one Chromium at a time: the machine has 2 cores.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
