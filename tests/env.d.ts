declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: Array<{ name: string; queries: string[] }>;
    /** The instant the run's data is written at (tests/run-clock.ts); CLOCK_OFFSET_MS runs the app there. */
    TEST_FIXED_NOW: string;
  }
}
declare module "cloudflare:test" {
  export type D1Migration = { name: string; queries: string[] };
}
