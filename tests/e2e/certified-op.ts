/**
 * A real OpenID Provider for the browser e2e: panva's `oidc-provider` (8.8.1, an OpenID Certified™
 * implementation), on 127.0.0.1, with one client (our app: code flow, client_secret_basic, PKCE S256
 * required) and one account whose profile (email, email_verified, name, preferred_username) comes from
 * the UserInfo endpoint only — the ID token carries `sub` and the protocol claims, as OpenID Connect
 * Core §5.4 says when an access token is issued. RFC 9207 `iss` is in every authorization response.
 * The browser signs in on the library's own login page (any password); consent is pre-granted.
 * (Fault injection is the fake's job: tests/fakes/oidc.ts.)
 *
 *   const op = await startCertifiedProvider({ redirectUri, offsetMs, logFile });
 *   op.info                       issuer, client, account, controlUrl (plain data, for `provide`)
 *   await op.stop(); op.start()   the provider goes down / comes back: same port, same keys (its
 *                                 sessions and grants live in memory, so those are gone)
 *   await op.close()              stops the provider and the control server
 *
 * The provider runs in a child process on the run's clock (see certified-op-process.ts). Tests run in
 * another process than this one and steer it over HTTP:
 *
 *   POST {controlUrl}/stop    the provider's process exits (its port refuses connections)
 *   POST {controlUrl}/start   started again on the same port
 *   POST {controlUrl}/reset   forget the log
 *   GET  {controlUrl}/log     { requests, idTokens, serverErrors } since the last reset
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { JWK } from "oidc-provider";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROCESS_ENTRY = fileURLToPath(new URL("./certified-op-process.ts", import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** The one person who can sign in (type `sub` as the login on the provider's page). */
export type CertifiedAccount = { sub: string; email: string; name: string; preferredUsername: string };

export const CERTIFIED_ACCOUNT: CertifiedAccount = {
  sub: "casey-8f3a",
  email: "casey@certified-op.example",
  name: "Casey Certified",
  preferredUsername: "casey-sso",
};

export type CertifiedProviderInfo = {
  /** http://127.0.0.1:<port> (no trailing slash): the OIDC_ISSUER. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  account: CertifiedAccount;
  controlUrl: string;
};

/** One request the provider answered: no tokens, codes or secrets. */
export type RecordedProviderRequest = {
  method: string;
  path: string;
  status: number;
  /** The scheme of the Authorization header ("Basic", "Bearer"), or null. */
  authorization: string | null;
  /** The authorization endpoint's query parameters. */
  query?: Record<string, string>;
  /** The token endpoint's form, secrets reduced to "[present]" / "[absent]". */
  form?: { grant_type: string; redirect_uri: string; code_verifier: string };
};

export type CertifiedProviderLog = {
  requests: RecordedProviderRequest[];
  /** The decoded payload of every ID token issued. */
  idTokens: Record<string, unknown>[];
  serverErrors: string[];
};

/** The first (and only) message to the provider's process. */
export type CertifiedProviderConfig = {
  /** 0 the first time; the same port on a restart. */
  port: number;
  offsetMs: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  signingKey: JWK;
  cookieKeys: string[];
  account: CertifiedAccount;
};

export type CertifiedProviderMessage =
  | { type: "ready"; port: number }
  | { type: "failed"; message: string }
  | { type: "request"; request: RecordedProviderRequest }
  | { type: "id_token"; claims: Record<string, unknown> }
  | { type: "server_error"; message: string };

export type CertifiedProvider = {
  info: CertifiedProviderInfo;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
};

function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    ...(privateKey.export({ format: "jwk" }) as JWK),
    kid: `e2e-${randomBytes(6).toString("hex")}`,
    alg: "RS256",
    use: "sig",
  };
}

export async function startCertifiedProvider(options: {
  /** `<e2e base URL>/auth/oidc/callback` */
  redirectUri: string;
  /** The run clock's offset from the wall clock (tests/run-clock.ts). */
  offsetMs: number;
  /** The provider's stdout/stderr (its development-only warnings) go here. */
  logFile: string;
}): Promise<CertifiedProvider> {
  const config: CertifiedProviderConfig = {
    port: 0,
    offsetMs: options.offsetMs,
    clientId: "atmos-pro-e2e",
    clientSecret: randomBytes(24).toString("base64url"),
    redirectUri: options.redirectUri,
    signingKey: signingKey(),
    cookieKeys: [randomBytes(32).toString("base64url")],
    account: CERTIFIED_ACCOUNT,
  };
  const log: CertifiedProviderLog = { requests: [], idTokens: [], serverErrors: [] };
  const output: WriteStream = createWriteStream(options.logFile);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const startProcess = () =>
    new Promise<void>((resolve, reject) => {
      if (child) {
        resolve();
        return;
      }
      const started = spawn(process.execPath, ["--import", "tsx", PROCESS_ENTRY], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "development" },
        stdio: ["ignore", "pipe", "pipe", "ipc"],
      });
      child = started;
      started.stdout!.pipe(output, { end: false });
      started.stderr!.pipe(output, { end: false });
      exited = new Promise((done) => started.once("exit", () => done()));
      const timer = setTimeout(
        () =>
          fail(
            new Error(
              `the certified OpenID provider did not start within ${READY_TIMEOUT_MS / 1000} s (see ${options.logFile})`,
            ),
          ),
        READY_TIMEOUT_MS,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        started.kill("SIGKILL");
        reject(error);
      };
      started.once("exit", (code, signal) => {
        if (child === started) child = undefined;
        fail(
          new Error(
            `the certified OpenID provider exited (${signal ?? code}) before it was ready (see ${options.logFile})`,
          ),
        );
      });
      started.on("message", (message: CertifiedProviderMessage) => {
        switch (message.type) {
          case "ready":
            clearTimeout(timer);
            config.port = message.port;
            resolve();
            break;
          case "failed":
            fail(new Error(`the certified OpenID provider failed to start: ${message.message}`));
            break;
          case "request":
            log.requests.push(message.request);
            break;
          case "id_token":
            log.idTokens.push(message.claims);
            break;
          case "server_error":
            log.serverErrors.push(message.message);
            break;
        }
      });
      started.send(config);
    });

  const stopProcess = async () => {
    const running = child;
    if (!running) return;
    child = undefined;
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  await startProcess();
  const issuer = `http://127.0.0.1:${config.port}`;

  const control: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    };
    const route = `${req.method} ${req.url}`;
    const action =
      route === "POST /stop"
        ? stopProcess()
        : route === "POST /start"
          ? startProcess()
          : route === "POST /reset"
            ? Promise.resolve(void Object.assign(log, { requests: [], idTokens: [], serverErrors: [] }))
            : route === "GET /log"
              ? Promise.resolve()
              : null;
    req.resume();
    if (!action) {
      answer(404, { error: `no such control route: ${route}` });
      return;
    }
    action.then(
      () => answer(200, route === "GET /log" ? log : { ok: true, running: child !== undefined }),
      (error: unknown) => answer(500, { error: String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    control.once("error", reject);
    control.listen(0, "127.0.0.1", () => resolve());
  });
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;

  let closed: Promise<void> | undefined;
  return {
    info: {
      issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      account: CERTIFIED_ACCOUNT,
      controlUrl,
    },
    start: startProcess,
    stop: stopProcess,
    close: () =>
      (closed ??= (async () => {
        control.closeAllConnections();
        await new Promise<void>((resolve) => control.close(() => resolve()));
        await stopProcess();
        output.end();
      })()),
  };
}
