import { defineConfig } from "drizzle-kit";

// Only generates SQL from db/schema.ts; wrangler applies it (`npm run db:migrate`).
export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
