/**
 * `wrangler dev` as the e2e run and the benchmark start it: a free loopback port, the settings of
 * .dev.vars passed with `--var`, a local D1 in a state directory of its own, its own process group
 * (so stopping it stops the workerd it spawned), and a session for the seeded owner minted straight
 * into that D1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createSession } from "../app/auth/session.server";
import type { Clock } from "../app/clock";
import { createDatabase } from "../db/client";
import { SEED } from "../db/seed";
import { quietEnv, withLocalD1, wranglerBin } from "./local-d1";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A port nothing listens on right now: bind port 0 on 127.0.0.1 and give it back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a listening socket"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** KEY=VALUE lines of .dev.vars (dotenv subset: comments, optional quotes). */
export function readDevVars(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(`${ROOT}.dev.vars`, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

export function assertDevelopmentVars(vars: Record<string, string>) {
  if (vars.ENVIRONMENT !== "development") {
    throw new Error(
      ".dev.vars must set ENVIRONMENT=development for a local run (e2e, bench). Compare it with .dev.vars.example.",
    );
  }
  if (!vars.SESSION_SECRET)
    throw new Error(
      ".dev.vars must set SESSION_SECRET for a local run (e2e, bench). Compare it with .dev.vars.example.",
    );
}

/** A live session for the seeded owner in the local D1 at `persistTo`, and the cookie that carries it. */
export async function mintOwnerSession(persistTo: string, vars: Record<string, string>, baseURL: string, now: Clock) {
  return withLocalD1(persistTo, async (d1) => {
    const context = {
      db: createDatabase(d1),
      settings: { SESSION_SECRET: vars.SESSION_SECRET!.split(",").map((secret) => secret.trim()) },
      now,
    } as unknown as Parameters<typeof createSession>[1];
    const request = new Request(`${baseURL}/`, { headers: { "User-Agent": "atmos-pro e2e" } });
    const setCookie = await createSession(request, context, SEED.ownerId, "dev");
    const match = /^([^=;\s]+)=([^;]*)/.exec(setCookie);
    if (!match) throw new Error(`createSession returned an unexpected Set-Cookie: ${setCookie.slice(0, 40)}…`);
    return { name: match[1]!, value: match[2]! };
  });
}

export type Server = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

export function startWrangler(
  port: number,
  persistTo: string,
  vars: Record<string, string>,
  options: { logFile: string; args?: string[] },
): Server {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const lines: string[] = [];
  const capture = (chunk: Buffer) => {
    log.write(chunk);
    lines.push(...chunk.toString("utf8").split("\n"));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  const child = spawn(
    wranglerBin(),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persistTo,
      "--log-level",
      "warn",
      // One flag per variable: `--var` is a yargs array, and wrangler splits each at the first ":".
      ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: quietEnv({ CI: "true" }),
      // Its own process group, so teardown can stop wrangler and the workerd it spawned together.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", capture);
  child.stderr!.on("data", capture);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code, signal) => {
      log.end();
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return { child, output: () => lines.join("\n").trim(), exited };
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function waitUntilReady(url: string, server: Server, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void server.exited.then((code) => {
    exitCode = code;
  });
  let lastError = "";
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `wrangler dev exited (code ${exitCode}) before answering ${url}.\nIts output:\n${server.output()}`,
      );
    }
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError =
        error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ""}` : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `wrangler dev did not answer ${url} within ${timeoutMs / 1000} s (last error: ${lastError}).\nIts output:\n${server.output()}`,
  );
}

/** Stops a wrangler dev and every process of its group: TERM, then KILL after 10 s. */
export async function stopWrangler(server: Server): Promise<void> {
  killGroup(server.child, "SIGTERM");
  const timer = setTimeout(() => killGroup(server.child, "SIGKILL"), 10_000);
  await server.exited;
  clearTimeout(timer);
  // workerd may outlive wrangler's exit by a moment; make sure nothing in the group survives.
  killGroup(server.child, "SIGKILL");
}
