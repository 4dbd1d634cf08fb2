/**
 * The clock of a test run (Node side: vitest's main process, the e2e global setup, the fakes).
 *
 * Every test run happens at `FIXED_NOW`: 2026-11-01T12:00:00Z, or the ISO date-time in `TEST_NOW`
 * (`TEST_NOW=2027-12-31T23:30:00Z npm test`). The run's data is written relative to that instant, and
 * everything that reads time runs on the same clock: the Worker under test and `wrangler dev` through
 * the CLOCK_OFFSET_MS setting (app/clock.ts), the fake providers (tokens, codes, `iat`/`exp`) and the
 * tests themselves. The clock is an offset from the wall clock, fixed when the run starts: time passes
 * during the run, the same for every process.
 */
import { clockWithOffset, type Clock } from "../app/clock";

export const DEFAULT_FIXED_NOW = "2026-11-01T12:00:00.000Z";

export type RunClock = { fixedNow: string; offsetMs: number };

declare module "vitest" {
  export interface ProvidedContext {
    /** Provided by both global setups (tests/fakes, tests/e2e). */
    runClock: RunClock;
  }
}

// Memoised in the environment: the config, the global setups and their module copies in one process
// (and the processes they start) all see the offset computed once.
const MEMO = "ATMOS_PRO_RUN_CLOCK";

export function runClock(): RunClock {
  const memo = process.env[MEMO];
  if (memo) return JSON.parse(memo) as RunClock;
  const raw = process.env.TEST_NOW?.trim() || DEFAULT_FIXED_NOW;
  const fixed = new Date(raw);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ||
    Number.isNaN(fixed.getTime())
  ) {
    throw new Error(`TEST_NOW must be an ISO date-time such as 2027-12-31T23:30:00Z (was "${raw}")`);
  }
  const clock: RunClock = { fixedNow: fixed.toISOString(), offsetMs: fixed.getTime() - Date.now() };
  process.env[MEMO] = JSON.stringify(clock);
  return clock;
}

/** The run's clock as the app's Clock type. */
export function runNow(): Clock {
  return clockWithOffset(runClock().offsetMs);
}
