/**
 * The Sentry reporter with a DSN set: the built Worker (its default export, so the real
 * `withSentry` wrapper and options of server.ts) is called with SENTRY_DSN pointing at a local fake
 * ingest endpoint (tests/fakes/sentry.ts), on requests that fail unexpectedly (D1 down) while
 * carrying every kind of secret a request can carry: a GitHub Actions OIDC token in a JSON body, an
 * API token in Authorization, a session cookie, an invitation token in the path, an OAuth code and
 * state in the query. The endpoint must receive the events, and nothing secret in any of them.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
// The built Worker module, called with its env overridden.
import worker from "../../build/index.js";
import { SEED } from "../../db/seed";
import type { RecordedEnvelope } from "../fakes/sentry";
import { actionsToken, apiToken } from "../api/client";
import { sessionCookieFor } from "../auth";
import { fakes } from "../fakes/control";
import { seedDatabase } from "../db";
import { expectErrorLogs, logRecords } from "../logs";
import { TEST_SETTINGS } from "../settings";

const sentry = () => inject("fakeSentry");

async function sentryReceived(): Promise<RecordedEnvelope[]> {
  const response = await fetch(`${sentry().controlUrl}/envelopes`);
  expect(response.status).toBe(200);
  return response.json();
}

/** The items of a Sentry envelope (newline-delimited JSON: header, then item header + payload pairs). */
function envelopeItems(envelope: RecordedEnvelope): Array<{ type: string; payload: Record<string, unknown> }> {
  const lines = envelope.body.split("\n").filter((line) => line.trim() !== "");
  const items: Array<{ type: string; payload: Record<string, unknown> }> = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const header = JSON.parse(lines[i]!) as { type: string };
    items.push({ type: header.type, payload: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return items;
}

/** A D1 binding that is down: every statement fails as D1 does when its connection drops. */
const brokenD1 = new Proxy(env.DB, {
  get(target, property) {
    if (property === "prepare" || property === "batch" || property === "exec") {
      return () => {
        throw new Error("D1_ERROR: Network connection lost.");
      };
    }
    return Reflect.get(target, property);
  },
});

// The SDK keeps one client per isolate (on globalThis), made by the first request it sees: in tests,
// a request through SELF without a DSN. A request here starts the SDK afresh, so that it uses the
// DSN below; each test puts the isolate's client back afterwards.
const CLIENT_CACHE_KEY = "__SENTRY_CLOUDFLARE_CLIENT__";
const globals = globalThis as Record<string, unknown>;
let savedClient: unknown;

/**
 * One request to the built Worker with SENTRY_DSN set and D1 down; waits for its `waitUntil` work
 * (the SDK flushes its events there).
 */
async function fetchWithSentry(path: string, init: RequestInit): Promise<Response> {
  delete globals[CLIENT_CACHE_KEY];
  const ctx = createExecutionContext();
  const request = new Request(`http://localhost${path}`, init) as Parameters<
    NonNullable<ExportedHandler<Env>["fetch"]>
  >[0];
  const response = await worker.fetch!(request, { ...env, SENTRY_DSN: sentry().dsn, DB: brokenD1 } as Env, ctx);
  await response.text();
  await waitOnExecutionContext(ctx);
  return response;
}

beforeEach(async () => {
  await seedDatabase();
  const reset = await fetch(`${sentry().controlUrl}/reset`, { method: "POST" });
  expect(reset.status).toBe(204);
  savedClient = globals[CLIENT_CACHE_KEY];
});

afterEach(() => {
  if (savedClient === undefined) delete globals[CLIENT_CACHE_KEY];
  else globals[CLIENT_CACHE_KEY] = savedClient;
});

describe("Sentry, with SENTRY_DSN set", () => {
  it("receives an event for each unexpected error, and no secret in anything it receives", async () => {
    expectErrorLogs();
    // Secrets that pass through these requests (each of them long enough to be unmistakable).
    const oidcToken = await actionsToken();
    const bearer = await apiToken();
    const cookie = await sessionCookieFor(SEED.ownerId);
    const cookieValue = cookie.split("=").slice(1).join("=");
    const invitationToken = "inv0Secret1Token2Abc3Def4Ghi5Jkl6Mno7Pqr8Stu";
    const code = "oauth-code-0123456789abcdef";
    const state = "oauth-state-fedcba9876543210";

    const requests: Array<[string, RequestInit]> = [
      // A JSON body carrying a GitHub Actions token (the exchange fails looking up the workspace).
      [
        "/api/v1/auth/github-oidc",
        {
          method: "POST",
          headers: { "Content-Type": "application/json", "User-Agent": "atmos/1.190.0" },
          body: JSON.stringify({ token: oidcToken, workspaceId: SEED.workspaceId }),
        },
      ],
      // An API token and a session cookie (the permission check fails).
      [
        "/api/v1/locks",
        {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${bearer}`, Cookie: cookie },
          body: JSON.stringify({ key: "acme/infra/dev/vpc", ttl: 30 }),
        },
      ],
      // A page: an invitation token in the path, a code and state in the query, a cookie (reading the session fails).
      [
        `/invitations/${invitationToken}?code=${code}&state=${state}`,
        { headers: { Cookie: cookie, Authorization: `Bearer ${bearer}` } },
      ],
    ];
    const requestIds: string[] = [];
    for (const [path, init] of requests) {
      const response = await fetchWithSentry(path, init);
      expect(response.status, path).toBe(500);
      requestIds.push(response.headers.get("x-request-id")!);
    }
    // The app's own report of each (the logger's line), so the events below are these errors.
    expect(
      logRecords()
        .filter((record) => record.event === "unexpected_error")
        .map((record) => record.requestId),
    ).toEqual(expect.arrayContaining(requestIds));

    const received = await sentryReceived();
    const events = received
      .flatMap(envelopeItems)
      .filter((item) => item.type === "event")
      .map((item) => item.payload);
    const eventOf = (requestId: string) => {
      const event = events.find(
        (candidate) => (candidate.tags as Record<string, unknown> | undefined)?.requestId === requestId,
      );
      expect(event, `an event for request ${requestId}`).toBeDefined();
      expect(JSON.stringify((event!.exception as { values: unknown[] }).values)).toContain(
        "D1_ERROR: Network connection lost.",
      );
      return event as { request: Record<string, unknown>; tags: Record<string, unknown> };
    };
    const [exchange, locks, invitation] = requestIds.map(eventOf);
    // Still useful for whoever reads it: the method, the route, where the secrets were.
    expect(exchange!.request).toMatchObject({
      method: "POST",
      url: "http://localhost/api/v1/auth/github-oidc",
      data: "[redacted]",
    });
    expect(locks!.tags.route).toBe("/api/v1/locks");
    // (redact.ts replaces an invitation path with its prefix: "/invitations/<token>" → "[redacted]".)
    expect(invitation!.request.method).toBe("GET");
    expect(invitation!.request.url).toMatch(
      /^http:\/\/localhost(\/invitations\/)?\[redacted\]\?code=\[redacted\]&state=\[redacted\]$/,
    );
    expect(invitation!.tags.route).toMatch(/^(\/invitations\/)?\[redacted\]$/);
    expect(received.every((envelope) => envelope.url.includes("sentry_key=public"))).toBe(true);

    // Everything the endpoint received: URLs, headers and bodies.
    const everything = JSON.stringify(received);
    const secrets = {
      SESSION_SECRET: TEST_SETTINGS.SESSION_SECRET,
      API_TOKEN_SECRET: TEST_SETTINGS.API_TOKEN_SECRET,
      "client secret": fakes().clientSecret,
      "GitHub App private key": fakes().githubAppPrivateKey.split("\n")[1]!,
      "GitHub Actions OIDC token": oidcToken,
      "API token": bearer,
      "its signature": bearer.split(".")[2]!,
      "session cookie": cookieValue,
      "invitation token": invitationToken,
      "OAuth code": code,
      "OAuth state": state,
    };
    for (const [name, value] of Object.entries(secrets)) expect(value.length, name).toBeGreaterThanOrEqual(16);
    expect(
      Object.entries(secrets)
        .filter(([, value]) => everything.includes(value))
        .map(([name]) => name),
      "secrets that reached Sentry",
    ).toEqual([]);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/);
    expect(everything).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY/);
    expect(everything).not.toMatch(/atmos_session=(?!\[)/);
  });
});
