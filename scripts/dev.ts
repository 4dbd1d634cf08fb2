/**
 * `npm run dev`: a working local app from a fresh clone, offline, with no Cloudflare account.
 * .dev.vars from the example when absent → build → migrate + seed the local D1 → `remix watch`
 * rebuilding on change while `wrangler dev` serves http://127.0.0.1:8787, and the every-minute cron
 * fired at the top of each minute (wrangler does not fire Cron Triggers locally).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { ensureDevVars, migrateAndSeed, quietEnv, wranglerBin } from "./local-d1";

const port = process.env.PORT ?? "8787";

ensureDevVars();
execFileSync("node_modules/.bin/remix", ["build"], { stdio: "inherit", env: quietEnv() });
await migrateAndSeed();

const children: ChildProcess[] = [
  spawn("node_modules/.bin/remix", ["watch"], { stdio: "inherit", env: quietEnv() }),
  // --test-scheduled: /__scheduled?cron=… runs the cron. Wrangler's own /cdn-cgi/handler/scheduled
  // answers "exception" when the Worker has static assets (workers-sdk#9882, fixed after 4.86).
  spawn(wranglerBin(), ["dev", "--ip", "127.0.0.1", "--port", port, "--live-reload", "--test-scheduled"], {
    stdio: "inherit",
    env: quietEnv(),
  }),
];

// Wrangler does not fire Cron Triggers locally: the every-minute cron is fired here instead, at the
// top of each minute, through the same route as the README's curl.
const CRON_URL = `http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent("* * * * *")}`;
let cronWarned = false;
function fireCronEachMinute() {
  setTimeout(
    () => {
      fetch(CRON_URL, { signal: AbortSignal.timeout(30_000) }).then(
        async (response) => {
          if (response.ok || cronWarned) return;
          cronWarned = true;
          console.warn(`The every-minute cron answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        },
        () => undefined, // the Worker is (re)starting: the next minute fires it again
      );
      fireCronEachMinute();
    },
    60_000 - (Date.now() % 60_000),
  ).unref();
}
fireCronEachMinute();

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
