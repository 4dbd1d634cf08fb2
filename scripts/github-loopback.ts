/**
 * `npm run dev:github`: GitHub, played on loopback for `npm run dev` — the fake GitHub the tests use
 * (tests/fakes/server.ts: the App's REST API and the GitHub Actions OIDC issuer) on 127.0.0.1:8790,
 * plus what GitHub itself would do around it:
 *
 * 1. Writes the settings that point the local Worker at it into .dev.vars (a marked block:
 *    GITHUB_API_URL, GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_OIDC_ISSUER). The App's key and the
 *    OIDC issuer's are kept in .wrangler/loopback-github/, so the block, and the keys the Worker
 *    cached, stay valid across restarts.
 * 2. Once the Worker answers, installs the App on Codertocat/Hello-World (GitHub's example
 *    repository): GitHub's truth for the installation, then its signed `installation.created`.
 * 3. Plays GitHub Actions: each dispatched run is started and finished a moment later, with its
 *    signed `workflow_run` webhooks (`--fail <component>` makes that component's runs fail).
 * 4. Prints every dispatch, check run and pull request comment the Worker makes.
 *
 * Ctrl-C stops it. Delete the block from .dev.vars to point `npm run dev` back at no GitHub App.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { startFakeProviders } from "../tests/fakes/server";
import type { GitCheckRun, GitComment, GitDispatch } from "../tests/fakes/github-app";
import { APP_BASE, EXAMPLE_INSTALLATION_ID, EXAMPLE_REPOSITORY, LOOPBACK_CONTROL, LOOPBACK_PORT } from "./loopback";
import { devWebhookSecret, examplePayload, postWebhook, type ExamplePayload } from "./webhook-delivery";

const SETTLE_MS = Number(process.env.LOOPBACK_SETTLE_MS ?? "20000");
const KEY_DIR = ".wrangler/loopback-github";
const BEGIN = "# >>> npm run dev:github: the local Worker's GitHub is the loopback one (delete this block to undo)";
const END = "# <<< npm run dev:github";
const failing = new Set<string>();
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === "--fail") failing.add(process.argv[++i] ?? "");

/** A key kept in .wrangler/loopback-github/, so the Worker's settings and cached keys stay valid across restarts. */
function keptKey(file: string, type: "pkcs1" | "pkcs8"): string {
  const path = `${KEY_DIR}/${file}`;
  if (existsSync(path)) return readFileSync(path, "utf8");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type, format: "pem" }).toString();
  mkdirSync(KEY_DIR, { recursive: true });
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}

/** Puts the block in .dev.vars (replacing an older one); says whether it changed. */
function writeDevVars(settings: Record<string, string>): boolean {
  if (!existsSync(".dev.vars")) writeFileSync(".dev.vars", readFileSync(".dev.vars.example", "utf8"));
  const current = readFileSync(".dev.vars", "utf8");
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const outside = start >= 0 && end > start ? current.slice(0, start) + current.slice(end + END.length) : current;
  for (const key of Object.keys(settings))
    if (new RegExp(`^\\s*${key}\\s*=`, "m").test(outside))
      console.warn(`.dev.vars also sets ${key} outside the block: remove that line, the block's must win.`);
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  const block = `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
  const next = `${outside.trimEnd()}\n\n${block}`;
  if (next === current) return false;
  writeFileSync(".dev.vars", next);
  return true;
}

const providers = await startFakeProviders({
  port: LOOPBACK_PORT,
  githubAppPrivateKey: keptKey("app-key.pem", "pkcs1"),
  signingKey: keptKey("oidc-signing-key.pem", "pkcs8"),
  // Run, check run and comment ids the local D1 may hold from an earlier start are never handed out again.
  firstGithubId: Math.floor(Date.now() / 1000) % 100_000_000,
});
const changed = writeDevVars({
  GITHUB_API_URL: providers.githubApiUrl,
  GITHUB_APP_ID: providers.githubAppId,
  GITHUB_APP_PRIVATE_KEY: providers.githubAppPrivateKey,
  GITHUB_OIDC_ISSUER: providers.actionsIssuer,
});
console.log(`Loopback GitHub on ${providers.githubApiUrl} (App ${providers.githubAppId}).`);
console.log(
  changed
    ? "Wrote its settings into .dev.vars: start npm run dev now (or restart it if it was running)."
    : ".dev.vars points at it already.",
);

const secret = devWebhookSecret();
if (!secret) {
  console.error("Set GITHUB_WEBHOOK_SECRET in .dev.vars (npm run dev adds it from .dev.vars.example).");
  process.exit(2);
}
const webhookUrl = `${APP_BASE}/webhooks/github`;

async function control<T>(change?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${LOOPBACK_CONTROL}/git`, {
    method: change ? "POST" : "GET",
    body: change ? JSON.stringify(change) : undefined,
  });
  if (!response.ok) throw new Error(`the loopback control answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

function example(name: string): ExamplePayload {
  const found = examplePayload(name);
  if ("problem" in found) throw new Error(found.problem);
  return found.payload;
}

async function deliver(event: string, payload: ExamplePayload): Promise<void> {
  const response = await postWebhook(webhookUrl, event, payload, secret!);
  if (response.status !== 202)
    console.warn(`  ${event}: the Worker answered ${response.status} ${await response.text()}`);
}

// 2. The App, installed on the example repository once the Worker answers.
await control({
  installations: {
    [EXAMPLE_INSTALLATION_ID]: {
      account: EXAMPLE_REPOSITORY.owner,
      repositories: [{ id: EXAMPLE_REPOSITORY.id, name: EXAMPLE_REPOSITORY.name }],
    },
  },
});
console.log(`Waiting for the Worker on ${APP_BASE} …`);
for (;;) {
  const up = await fetch(`${APP_BASE}/robots.txt`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status < 500,
    () => false,
  );
  if (up) break;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
// `npm run dev` reloads the Worker a few times while `remix watch` makes its first build, and a
// reload drops what its local queue holds: the installation is delivered once that is over.
await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const manifest = JSON.parse(readFileSync("public/github-app-manifest.json", "utf8")) as {
  default_permissions: Record<string, string>;
};
const installed = example("installation.created");
Object.assign(installed.installation as ExamplePayload, {
  id: EXAMPLE_INSTALLATION_ID,
  permissions: manifest.default_permissions,
});
await deliver("installation", installed);
console.log(
  `Installed the App on ${EXAMPLE_REPOSITORY.owner}/${EXAMPLE_REPOSITORY.name} (installation ${EXAMPLE_INSTALLATION_ID}).`,
);
console.log(
  `Sign in as Ada Owner, open ${APP_BASE}/github/setup, connect Codertocat and import Codertocat/Hello-World.`,
);

// 3 and 4. GitHub Actions, and what the Worker tells GitHub.
type Snapshot = {
  dispatches: GitDispatch[];
  runs: Array<{ id: number; headSha: string; displayTitle: string; status: string }>;
  checkRuns: GitCheckRun[];
  comments: GitComment[];
};
const seenRuns = new Set<number>();
const checkWrites = new Map<number, number>();
const commentWrites = new Map<number, number>();
const repositoryPayload = () => {
  const payload = example("pull_request.opened").repository as ExamplePayload;
  return { ...payload, id: EXAMPLE_REPOSITORY.id };
};

async function playRun(dispatch: GitDispatch, headSha: string, title: string): Promise<void> {
  const conclusion = failing.has(String(dispatch.inputs.component)) ? "failure" : "success";
  const send = async (action: "in_progress" | "completed") => {
    const payload = example(action === "completed" ? "workflow_run.completed" : "workflow_run.requested");
    payload.action = action;
    payload.repository = repositoryPayload();
    payload.installation = { id: EXAMPLE_INSTALLATION_ID };
    payload.workflow_run = {
      ...(payload.workflow_run as ExamplePayload),
      id: dispatch.runId,
      head_sha: headSha,
      display_title: title,
      status: action,
      conclusion: action === "completed" ? conclusion : null,
      html_url: `https://github.com/${dispatch.repo}/actions/runs/${dispatch.runId}`,
    };
    await deliver("workflow_run", payload);
  };
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await control({ runs: { [dispatch.runId]: { status: "in_progress" } } });
  await send("in_progress");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await control({ runs: { [dispatch.runId]: { status: "completed", conclusion } } });
  await send("completed");
  console.log(`  run ${dispatch.runId} (${dispatch.workflow} for ${String(dispatch.inputs.component)}): ${conclusion}`);
}

const tableLines = (body: string) =>
  body
    .split("\n")
    .filter((line) => line.startsWith("|") && !line.startsWith("|---"))
    .map((line) => `    ${line}`);

for (;;) {
  try {
    const snapshot = await control<Snapshot>();
    for (const run of snapshot.runs) {
      if (seenRuns.has(run.id)) continue;
      seenRuns.add(run.id);
      const dispatch = snapshot.dispatches.find((candidate) => candidate.runId === run.id);
      if (!dispatch) continue;
      console.log(
        `▶ dispatched ${dispatch.workflow} on ${dispatch.ref} for ${String(dispatch.inputs.component)} in ${String(dispatch.inputs.stack)} (run ${run.id})`,
      );
      void playRun(dispatch, run.headSha, run.displayTitle).catch((error: unknown) =>
        console.warn(`  run ${run.id}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    for (const check of snapshot.checkRuns) {
      if (checkWrites.get(check.id) === check.writes) continue;
      checkWrites.set(check.id, check.writes);
      console.log(
        `✔ check run "${check.name}" on ${check.headSha.slice(0, 7)}: ${check.status}${check.conclusion ? ` / ${check.conclusion}` : ""} — ${check.title}`,
      );
    }
    for (const comment of snapshot.comments) {
      if (commentWrites.get(comment.id) === comment.writes) continue;
      commentWrites.set(comment.id, comment.writes);
      console.log(
        `💬 comment on #${comment.number} (${comment.writes === 1 ? "created" : `edit ${comment.writes - 1}`}):`,
      );
      console.log(tableLines(comment.body).join("\n"));
    }
  } catch (error) {
    console.warn(error instanceof Error ? error.message : String(error));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
