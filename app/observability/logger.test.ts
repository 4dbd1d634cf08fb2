import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "./logger";
import { redact, redactString, REDACTED } from "./redact";

function collect() {
  const lines: Array<{ level: LogLevel; record: Record<string, unknown> }> = [];
  const logger = createLogger({
    requestId: "req-9",
    sink: (level, line) => lines.push({ level, record: JSON.parse(line) }),
  });
  return { logger, lines };
}

describe("logger", () => {
  it("writes one JSON line per call with the request id and event", () => {
    const { logger, lines } = collect();
    logger.info("page_viewed", { route: "/x" });
    expect(lines).toEqual([
      {
        level: "info",
        record: expect.objectContaining({ event: "page_viewed", requestId: "req-9", route: "/x", level: "info" }),
      },
    ]);
  });

  it("carries bound fields on derived loggers", () => {
    const { logger, lines } = collect();
    logger.with({ userId: "usr_1" }).warn("slow");
    expect(lines[0]!.record).toMatchObject({ userId: "usr_1", event: "slow" });
  });

  it("drops lines below the level", () => {
    const lines: string[] = [];
    createLogger({ requestId: "r", level: "warn", sink: (_l, line) => lines.push(line) }).info("nope");
    expect(lines).toEqual([]);
  });

  it("redacts secrets by key", () => {
    const { logger, lines } = collect();
    logger.info("x", {
      client_secret: "abc",
      accessToken: "t0k3n",
      cookie: "a=b",
      code: "oauth-code",
      nested: { password: "pw", ok: "fine" },
    });
    const text = JSON.stringify(lines);
    for (const secret of ["abc", "t0k3n", "a=b", "oauth-code", "pw"]) expect(text).not.toContain(`"${secret}"`);
    expect(lines[0]!.record.nested).toEqual({ password: REDACTED, ok: "fine" });
  });

  it("redacts secrets by shape wherever they appear", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl";
    const samples = [
      `token is ${jwt} ok`,
      "Authorization: Bearer abcdefghijklmnop",
      "gho_" + "A".repeat(36),
      "-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----",
      "https://x/callback?code=supersecretcode&state=st4te",
      "__Host-session=abc.def; Path=/",
    ];
    const out = samples.map(redactString).join("\n");
    for (const fragment of [jwt, "abcdefghijklmnop", "A".repeat(36), "MIIEv", "supersecretcode", "st4te", "abc.def"]) {
      expect(out).not.toContain(fragment);
    }
    expect(redactString("https://x/cb?code=abc123&x=1")).toBe(`https://x/cb?code=${REDACTED}&x=1`);
  });

  it("handles errors and cycles", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ a: 1, self: "[cycle]" });
    expect(redact(new Error("Bearer abcdefghijklmnop"))).toEqual({ name: "Error", message: REDACTED });
  });
});
