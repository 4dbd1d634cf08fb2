/** `npm run db:seed`: migrate and seed the local D1 (idempotent; `npm run dev` does this for you). */
import { ensureDevVars, migrateAndSeed } from "./local-d1";

ensureDevVars();
await migrateAndSeed();
console.log("Local D1 migrated and seeded.");
