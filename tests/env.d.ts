declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: Array<{ name: string; queries: string[] }>;
  }
}
declare module "cloudflare:test" {
  export type D1Migration = { name: string; queries: string[] };
}
