/**
 * "validation compatibility": pins every arktype behaviour our code relies on, so an upgrade of
 * the library that changes one of them fails here, not in production.
 */
import { describe, expect, it } from "vitest";
import { ArkErrors } from "~/validation/arktype";
import { fieldMessages, issuePaths, type, validate } from "~/validation";
import serverMetafile from "../build/metafile.server.json";

describe("validation compatibility", () => {
  const user = type({ id: "string", "nickname?": "string", avatar: "string | null", age: "number.integer >= 0" });

  it("returns errors as a value (ArkErrors), it does not throw", () => {
    const out = user({ id: 1 });
    expect(out).toBeInstanceOf(ArkErrors);
  });

  it("validate() gives ok + the value for good input", () => {
    expect(validate(user, { id: "u1", avatar: null, age: 3 })).toEqual({
      ok: true,
      value: { id: "u1", avatar: null, age: 3 },
    });
  });

  it("reports dotted paths and codes for nested and array fields", () => {
    const schema = type({ items: type({ status: "'a' | 'b'" }).array() });
    const result = validate(schema, { items: [{ status: "a" }, { status: "zzz" }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(issuePaths(result.issues)).toEqual(["items.1.status"]);
    expect(result.issues[0]!.code).toBe("union");
  });

  it("a missing required key is code 'required' at that key's path", () => {
    const result = validate(user, { id: "u1", avatar: null });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ path: "age", code: "required", message: "age must be a number (was missing)" }]);
  });

  it("optional means absent is fine but null is not; `| null` means null is fine but absent is not", () => {
    expect(validate(user, { id: "u1", avatar: null, age: 1, nickname: null }).ok).toBe(false);
    expect(validate(user, { id: "u1", age: 1 }).ok).toBe(false);
    expect(validate(user, { id: "u1", avatar: "x", age: 1 }).ok).toBe(true);
  });

  it("undeclared keys are ignored by default (kept, not refused)", () => {
    const result = validate(type({ a: "string" }), { a: "x", extra: 1 });
    expect(result).toEqual({ ok: true, value: { a: "x", extra: 1 } });
  });

  it("'+': 'delete' strips undeclared keys when we ask for it", () => {
    const result = validate(type({ "+": "delete", a: "string" }), { a: "x", extra: 1 });
    expect(result).toEqual({ ok: true, value: { a: "x" } });
  });

  it("messages we show next to form fields read as sentences", () => {
    const schema = type({ name: "string > 0", slug: /^[a-z0-9-]+$/ });
    const result = validate(schema, { name: "", slug: "Not A Slug" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = fieldMessages(result.issues);
    expect(messages.name).toBe("name must be non-empty");
    expect(messages.slug).toBe('slug must be matched by ^[a-z0-9-]+$ (was "Not A Slug")');
  });

  it("pipes and narrows run and report through the same result", () => {
    const list = type("string")
      .pipe((raw) => raw.split(","))
      .narrow((parts, ctx) => parts.length > 1 || ctx.mustBe("a list"));
    expect(validate(list, "a,b")).toEqual({ ok: true, value: ["a", "b"] });
    const bad = validate(list, "a");
    expect(bad.ok).toBe(false);
  });

  it("string.url, string.date.iso and number.integer behave as our schemas expect", () => {
    expect(validate(type("string.url"), "https://example.com/x").ok).toBe(true);
    expect(validate(type("string.url"), "not a url").ok).toBe(false);
    expect(validate(type("string.date.iso"), "2026-11-29T10:00:00.000Z").ok).toBe(true);
    expect(validate(type("string.date.iso"), "yesterday").ok).toBe(false);
    expect(validate(type("number.integer"), 1.5).ok).toBe(false);
  });

  it("a validator that throws becomes a failed result, never an exception across our code", () => {
    const exploding = type("string").narrow(() => {
      throw new TypeError("an error class arktype never threw before");
    });
    const result = validate(exploding, "x");
    expect(result).toEqual({
      ok: false,
      crashed: true,
      issues: [{ path: "(root)", code: "validator_crashed", message: "Validation failed unexpectedly." }],
    });
  });

  it("is configured for workerd: no code generation (jitless), set before any schema is built", () => {
    // Deployed workerd forbids `new Function`; our configure() import must win over arktype's probe.
    const schema = type({ a: "number" });
    expect((schema as unknown as { $: { resolvedConfig: { jitless: boolean } } }).$.resolvedConfig.jitless).toBe(true);
    expect(validate(schema, { a: 1 }).ok).toBe(true);
  });

  it("keeps that configuration in the built Worker (a side-effect import the bundler must not drop)", () => {
    // Deployed workerd allows code generation only while the Worker starts: without jitless, a schema
    // first built during a request (e.g. `.array()` of another) throws EvalError. The tests' workerd
    // allows it everywhere, so only the bundle itself can show the configuration was kept.
    const inputs = (
      serverMetafile as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> }
    ).outputs["build/index.js"]!.inputs;
    expect(inputs["app/validation/configure.ts"]?.bytesInOutput ?? 0).toBeGreaterThan(0);
  });
});
