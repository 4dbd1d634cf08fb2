/**
 * The API's answers at its limits: a body over 5 MiB that declares no length (chunked transfer),
 * and a Worker whose settings are invalid (the 500 `Misconfigured` envelope, which names the
 * settings and never their values).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
// The built Worker module, called with a deliberately broken env.
import worker from "../../build/index.js";
import { MAX_BODY_BYTES } from "~/api/body.server";
import { dumpDatabase, seedDatabase } from "../db";
import { ORIGIN } from "../http";
import { expectErrorLogs, capturedLines } from "../logs";
import { apiToken, type Envelope } from "./client";

beforeEach(async () => {
  await seedDatabase();
});

/**
 * A request body of `total` bytes that has no length (sent chunked), written piece by piece as the
 * server reads it. It counts the bytes the server took, so a test can tell "refused while reading"
 * from "refused up front". (A native stream: when the server stops reading, our writes fail here,
 * where they are caught, rather than in a pump of the runtime's.)
 */
function unsizedBody(total: number): {
  stream: ReadableStream<Uint8Array>;
  written: () => number;
  done: Promise<void>;
} {
  const piece = new TextEncoder().encode(
    `{"component":"vpc","component_type":"terraform","stack":"plat-ue2-dev","dependents":[],"settings":null},`.padEnd(
      64 * 1024,
      " ",
    ),
  );
  const head = new TextEncoder().encode(
    `{"head_sha":"abc123","base_sha":"def456","repo_owner":"acme","repo_name":"infra","stacks":[`,
  );
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  let written = 0;
  const done = (async () => {
    try {
      for (let next = head; written < total; next = piece.subarray(0, Math.min(piece.byteLength, total - written))) {
        await writer.write(next);
        written += next.byteLength;
      }
      await writer.close();
    } catch {
      // The server stopped reading: that is what the test is about.
    }
  })();
  return { stream: readable as ReadableStream<Uint8Array>, written: () => written, done };
}

describe("a body over 5 MiB without Content-Length", () => {
  it.each(["/api/v1/affected-stacks", "/api/v1/instances"])(
    "POST %s: 413 PayloadTooLarge once 5 MiB have been read, nothing stored",
    async (path) => {
      const token = await apiToken();
      const before = await dumpDatabase();
      const total = 8 * 1024 * 1024;
      const body = unsizedBody(total);
      const response = await SELF.fetch(`${ORIGIN}${path}`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          "User-Agent": "atmos/1.190.0 (linux; amd64)",
        },
        body: body.stream,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const envelope = (await response.json()) as Envelope;
      expect(envelope).toMatchObject({
        status: 413,
        success: false,
        errorTag: "PayloadTooLarge",
        errorMessage: "The body is larger than 5 MiB. Split it into chunks (batch_id, batch_index, batch_total).",
      });
      // Refused while reading: it read past the limit (no length was declared to refuse it up front),
      // and it stopped there rather than reading all 8 MiB.
      await body.done;
      expect(body.written()).toBeGreaterThan(MAX_BODY_BYTES);
      expect(body.written()).toBeLessThan(total);
      expect(await dumpDatabase()).toEqual(before);
    },
  );
});

describe("the API with invalid settings", () => {
  async function fetchWith(overrides: Record<string, unknown>, path: string, init: RequestInit = {}) {
    const ctx = createExecutionContext();
    const brokenEnv = { ...env, ...overrides } as Record<string, unknown>;
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete brokenEnv[key];
    const request = new Request(`${ORIGIN}${path}`, init) as Parameters<NonNullable<ExportedHandler<Env>["fetch"]>>[0];
    const response = await worker.fetch!(request, brokenEnv as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  it("answers every /api path with the 500 Misconfigured envelope naming the settings, never a value", async () => {
    expectErrorLogs();
    const broken = {
      SESSION_SECRET: "short-and-secret-value",
      ENVIRONMENT: "staging-ish",
      API_TOKEN_SECRET: undefined,
    };
    const requests: Array<[string, RequestInit]> = [
      [
        "/api/v1/locks",
        {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: "Bearer not-checked-at-all" },
          body: JSON.stringify({ key: "acme/infra/dev/vpc", ttl: 30 }),
        },
      ],
      ["/api/v1/nothing-here", {}],
      ["/api", {}],
    ];
    const bodies: string[] = [];
    for (const [path, init] of requests) {
      const response = await fetchWith(broken, path, init);
      expect(response.status, path).toBe(500);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(response.headers.get("cache-control"), path).toBe("no-store");
      const text = await response.text();
      bodies.push(text);
      const envelope = JSON.parse(text) as Envelope;
      const message = "The server is misconfigured: API_TOKEN_SECRET, ENVIRONMENT, SESSION_SECRET.";
      expect(envelope, path).toEqual({
        request: envelope.request,
        status: 500,
        success: false,
        errorTag: "Misconfigured",
        errorMessage: message,
        error: message,
        traceId: envelope.request,
      });
      expect(envelope.request, path).toMatch(/^[0-9a-f-]{36}$/);
    }
    const lines = capturedLines().map((line) => line.text);
    expect(lines.filter((line) => line.includes('"config_invalid"'))).toHaveLength(requests.length);

    // No setting's value — the broken ones, nor any other the Worker was started with — in a body or a log line.
    const values = [...Object.values(broken), ...Object.values(env)].filter(
      (value): value is string => typeof value === "string" && value.length >= 8,
    );
    expect(values).toContain("short-and-secret-value");
    expect(values.length).toBeGreaterThan(10);
    const seen = [...bodies, ...lines].join("\n");
    expect(values.filter((value) => seen.includes(value))).toEqual([]);
  });

  it("a page outside /api still gets the HTML error page, not the envelope", async () => {
    expectErrorLogs();
    const response = await fetchWith({ SESSION_SECRET: undefined }, "/apiary");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  });
});
