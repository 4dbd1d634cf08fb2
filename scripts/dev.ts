/**
 * `npm run dev`: a working local app from a fresh clone, offline, with no Cloudflare account.
 * .dev.vars from the example when absent → build → migrate + seed the local D1 → `remix watch`
 * rebuilding on change while `wrangler dev` serves http://127.0.0.1:8787.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { ensureDevVars, migrateAndSeed, quietEnv, wranglerBin } from "./local-d1";

const port = process.env.PORT ?? "8787";

ensureDevVars();
execFileSync("node_modules/.bin/remix", ["build"], { stdio: "inherit", env: quietEnv() });
await migrateAndSeed();

const children: ChildProcess[] = [
  spawn("node_modules/.bin/remix", ["watch"], { stdio: "inherit", env: quietEnv() }),
  spawn(wranglerBin(), ["dev", "--ip", "127.0.0.1", "--port", port, "--live-reload"], {
    stdio: "inherit",
    env: quietEnv(),
  }),
];

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
for (const child of children) child.on("exit", (code) => stop(code ?? 0));
