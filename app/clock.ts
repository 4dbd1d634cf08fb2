/**
 * The app's one clock. Everything that reads time reads `context.now()` (built here, once per
 * request, in worker/fetch.server.ts), never `Date.now()`: so tests, the e2e server and the fake
 * identity providers can run the whole app on the same clock as their data.
 *
 * `CLOCK_OFFSET_MS` (development and tests only; refused elsewhere by the settings) moves this clock
 * by a fixed amount from the wall clock. An offset, not a frozen instant: every process of a test run
 * (workerd, the Node fakes, `wrangler dev`) applies the same offset to the same wall clock, so their
 * clocks agree to the millisecond, and time still passes.
 */
export type Clock = () => Date;

export function clockWithOffset(offsetMs = 0): Clock {
  if (offsetMs === 0) return () => new Date();
  return () => new Date(Date.now() + offsetMs);
}

/** RFC 3339 in UTC with whole seconds ("2026-12-03T06:00:00Z"), as the CLI's contract and /api/status write times. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
