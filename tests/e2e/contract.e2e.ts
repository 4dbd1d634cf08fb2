/**
 * Provider verification of the atmos CLI's Pact contract (tests/contract/atmos-AtmosPro.json, a copy of the one the CLI publishes)
 * against the real `wrangler dev` that global-setup.ts started: every interaction but GitHub's own
 * ("a request to retrieve a GitHub OIDC token"), with @pact-foundation/pact's Verifier.
 *
 * Credentials are real. The contract's placeholders are replaced on the way through the verifier's
 * proxy (requestFilter): `Authorization: Bearer test-token` by an API token that a real exchange
 * issued (a GitHub Actions token for org/repo minted by the fake issuer, POSTed to
 * /api/v1/auth/github-oidc), and the exchange's placeholder body by a freshly minted Actions token
 * (single use) and the contract workspace's id. org/repo is imported with default permissions into
 * that workspace before the server starts (tests/contract/fixtures.ts); each providerState is set up
 * through the API itself (locks, the inventory) or the fake GitHub App (its branch reset).
 */
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { Verifier } from "@pact-foundation/pact";
import { beforeAll, describe, expect, test } from "vitest";
import { CONTRACT_REPOSITORY, CONTRACT_WORKSPACE } from "../contract/fixtures";
import { NOT_OURS, PACT_FILE, PUBLISHED_PACT_FILE, readPact, writePactCopy, type PactFile } from "../contract/pact";
import { baseURL, fakeProviders } from "./harness";

// The verifier (pact_ffi) reports usage to pact.io unless told not to; nothing here phones home.
process.env.PACT_DO_NOT_TRACK = "true";

const REPO = `${CONTRACT_REPOSITORY.owner}/${CONTRACT_REPOSITORY.name}`;
const LOCK_KEY = `${REPO}/dev/vpc`;
const PLACEHOLDER_AUTHORIZATION = "Bearer test-token";
const USER_AGENT = "atmos/1.190.0 (linux; amd64)";

type Envelope = {
  request?: string;
  status?: number;
  success?: boolean;
  errorTag?: string;
  errorMessage?: string;
  data?: Record<string, unknown>;
};

/** A GitHub Actions OIDC token for org/repo's main branch, from the fake issuer the server trusts. */
async function mintActionsToken(): Promise<string> {
  const workflowRef = `${REPO}/.github/workflows/atmos-pro.yaml@refs/heads/main`;
  const response = await fetch(`${fakeProviders().controlUrl}/actions-token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      claims: {
        sub: `repo:${REPO}:ref:refs/heads/main`,
        repository: REPO,
        repository_owner: CONTRACT_REPOSITORY.owner,
        workflow_ref: workflowRef,
        job_workflow_ref: workflowRef,
      },
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`the fake issuer answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** Calls the e2e server's API as the CLI does. */
async function callApi(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; envelope: Envelope }> {
  const headers: Record<string, string> = { "User-Agent": USER_AGENT, "Content-Type": "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseURL()}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw new Error(
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  return { status: response.status, envelope };
}

/** Fails the setup (and so the test) on any status but the expected ones. */
function expectStatus(what: string, answer: { status: number; envelope: Envelope }, ...statuses: number[]) {
  if (!statuses.includes(answer.status))
    throw new Error(
      `${what}: expected HTTP ${statuses.join(" or ")}, got ${answer.status}: ${JSON.stringify(answer.envelope)}`,
    );
}

/** The real exchange: an Actions token for org/repo → the API token every later call carries. */
async function exchange(): Promise<string> {
  const answer = await callApi("POST", "/api/v1/auth/github-oidc", {
    body: { token: await mintActionsToken(), workspaceId: CONTRACT_WORKSPACE.id },
  });
  expectStatus("the token exchange", answer, 200);
  const token = answer.envelope.data?.token;
  if (typeof token !== "string")
    throw new Error(`the exchange answered without data.token: ${JSON.stringify(answer.envelope)}`);
  return token;
}

type Filter = (
  req: IncomingMessage & { path: string; body?: unknown },
  res: unknown,
  next: (error?: unknown) => void,
) => void;

/** One verification run's credentials, state handlers, request filter and record of what happened. */
function verification(apiToken: string) {
  /** The Actions token the exchange interaction will present, minted by its providerState. */
  let oidcToken: string | null = null;
  const stateErrors: string[] = [];
  const proxied: string[] = [];

  const setups: Record<string, () => Promise<void>> = {
    "workspace exists and GitHub App is authorized": async () => {
      // The fake App's repository back to its initial commit (branch main with old.txt, which the commit deletes).
      const response = await fetch(`${fakeProviders().controlUrl}/git/reset`, {
        method: "POST",
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`the fake GitHub App's reset answered ${response.status}`);
    },
    "OIDC token is valid and workspace exists": async () => {
      oidcToken = await mintActionsToken();
    },
    "workspace exists and stack is unlocked": async () => {
      expectStatus(
        "unlocking before the lock interaction",
        await callApi("DELETE", "/api/v1/locks", { token: apiToken, body: { key: LOCK_KEY } }),
        200,
        404,
      );
    },
    "workspace exists and stack is locked": async () => {
      expectStatus(
        "locking before the unlock interaction",
        await callApi("POST", "/api/v1/locks", { token: apiToken, body: { key: LOCK_KEY, ttl: 3600 } }),
        200,
        409,
      );
    },
    "workspace exists and accepts affected stacks": async () => {},
    "workspace exists and accepts drift detection instances": async () => {},
    "workspace exists and instance exists for owner/repo": async () => {
      const inventory = {
        repo_url: `https://github.com/${REPO}`,
        repo_name: CONTRACT_REPOSITORY.name,
        repo_owner: CONTRACT_REPOSITORY.owner,
        repo_host: "github.com",
        instances: [
          {
            component: "vpc",
            stack: "dev-us-east-1",
            component_type: "terraform",
            settings: { pro: { enabled: true, drift_detection: { enabled: true } } },
          },
        ],
      };
      expectStatus(
        "uploading the inventory",
        await callApi("POST", "/api/v1/instances", { token: apiToken, body: inventory }),
        200,
      );
    },
  };

  // The verifier's proxy answers a state handler's failure with 200 and a console line, and goes on:
  // record it, so the test fails with the reason rather than only with the interaction's mismatch.
  const stateHandlers = Object.fromEntries(
    Object.entries(setups).map(([state, setup]) => [
      state,
      async () => {
        try {
          await setup();
        } catch (error) {
          stateErrors.push(`${state}: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
        return undefined;
      },
    ]),
  );

  const requestFilter: Filter = (req, _res, next) => {
    if (req.path.startsWith("/_pactSetup") || req.path.startsWith("/_messages")) return next();
    proxied.push(`${req.method} ${req.path}`);
    if (req.headers.authorization === PLACEHOLDER_AUTHORIZATION) req.headers.authorization = `Bearer ${apiToken}`;
    if (req.path === "/api/v1/auth/github-oidc" && isRecord(req.body)) {
      if (!oidcToken) return next(new Error("the exchange interaction ran without its providerState's Actions token"));
      req.body = { ...req.body, token: oidcToken, workspaceId: CONTRACT_WORKSPACE.id };
      oidcToken = null; // single use
    }
    // The proxy re-serialises a parsed JSON body: its length is no longer the one the verifier declared.
    if (req.body !== undefined && !Buffer.isBuffer(req.body) && typeof req.body === "object") {
      req.headers["content-length"] = String(Buffer.byteLength(JSON.stringify(req.body)));
    }
    next();
  };

  return { stateHandlers, requestFilter, stateErrors, proxied, states: Object.keys(setups) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function verify(pactFile: string, apiToken: string) {
  const run = verification(apiToken);
  const verifier = new Verifier({
    provider: "AtmosPro",
    providerBaseUrl: baseURL(),
    pactUrls: [pactFile],
    stateHandlers: run.stateHandlers,
    // The express types are not installed here; the proxy calls it as express middleware.
    requestFilter: run.requestFilter as never,
    logLevel: "warn",
    timeout: 30_000,
  });
  const started = Date.now();
  try {
    const output = await verifier.verifyProvider();
    return { ok: true as const, output: String(output), run, ms: Date.now() - started };
  } catch (error) {
    return {
      ok: false as const,
      output: error instanceof Error ? error.message : String(error),
      run,
      ms: Date.now() - started,
    };
  }
}

describe("the atmos CLI's Pact contract (provider verification)", () => {
  let pact: PactFile;
  let apiToken: string;

  beforeAll(async () => {
    pact = readPact();
    apiToken = await exchange();
  });

  // Our copy is the published contract, unchanged. The published file lives in the team's shared
  // folder beside the checkout; where it is absent (a clean clone) this is reported as skipped.
  test.skipIf(!existsSync(PUBLISHED_PACT_FILE))(
    "our copy (tests/contract) is the contract the CLI publishes (../shared/contracts), byte for byte",
    () => {
      expect(readFileSync(PACT_FILE, "utf8")).toBe(readFileSync(PUBLISHED_PACT_FILE, "utf8"));
    },
  );

  test("the contract is atmos's with AtmosPro, and every providerState of ours has a handler", () => {
    expect(pact.consumer.name).toBe("atmos");
    expect(pact.provider.name).toBe("AtmosPro");
    const ours = pact.interactions.filter((interaction) => !NOT_OURS.has(interaction.description));
    expect(ours.length).toBe(pact.interactions.length - NOT_OURS.size);
    const handled = new Set(verification("unused").states);
    expect(
      ours.map((interaction) => interaction.providerState).filter((state) => !state || !handled.has(state)),
    ).toEqual([]);
    // What the verification below must hold the server to (the matching rules are the contract's own).
    const lock = ours.find(
      (interaction) => interaction.request.method === "POST" && interaction.request.path === "/api/v1/locks",
    )!;
    expect(lock.response.matchingRules?.["$.body.data.expiresAt"]).toEqual({
      match: "regex",
      regex: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$",
    });
    const exchangeInteraction = ours.find((interaction) => interaction.request.path === "/api/v1/auth/github-oidc")!;
    expect(exchangeInteraction.response.matchingRules?.["$.body.data.token"]).toEqual({ match: "type" });
  });

  test("every interaction but GitHub's own passes against the running server", async () => {
    const ours = pact.interactions.filter((interaction) => !NOT_OURS.has(interaction.description));
    const result = await verify(writePactCopy(pact), apiToken);
    expect(result.run.stateErrors, "state handlers that failed").toEqual([]);
    expect(result.ok, `verification failed:\n${result.output}`).toBe(true);
    // Each interaction reached the server through the proxy, once.
    expect([...result.run.proxied].sort()).toEqual(
      ours.map((interaction) => `${interaction.request.method} ${interaction.request.path}`).sort(),
    );
    // The commit really landed on the fake GitHub App's repository: file.txt added ("dGVzdA==" is "test"), old.txt deleted.
    const git = (await (
      await fetch(`${fakeProviders().controlUrl}/git`, { signal: AbortSignal.timeout(5_000) })
    ).json()) as {
      branches: Record<string, Record<string, { message: string; files: Record<string, string> }>>;
    };
    const main = git.branches[REPO]?.main;
    expect(main?.message).toBe("test: pact contract verification");
    expect(main?.files).toEqual({ "README.md": `# ${REPO}\n`, "file.txt": "test" });
    console.log(
      `[contract] ${ours.length} interactions verified in ${(result.ms / 1000).toFixed(1)} s: ${ours.map((interaction) => interaction.description).join("; ")}`,
    );
  });

  test("a mismatch fails the verification (the lock's expiresAt checked against a regex it cannot meet)", async () => {
    const result = await verify(
      writePactCopy(pact, (interactions) =>
        interactions
          .filter(
            (interaction) => interaction.request.method === "POST" && interaction.request.path === "/api/v1/locks",
          )
          .map((interaction) => ({
            ...interaction,
            response: {
              ...interaction.response,
              matchingRules: {
                ...interaction.response.matchingRules,
                "$.body.data.expiresAt": {
                  match: "regex",
                  regex: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$",
                },
              },
            },
          })),
      ),
      apiToken,
    );
    expect(result.run.stateErrors).toEqual([]);
    expect(result.run.proxied).toEqual(["POST /api/v1/locks"]);
    expect(result.ok, "the verifier accepted a response that breaks the contract").toBe(false);
    expect(result.output).toContain("expiresAt");
  });
});
