import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readSettings } from "~/config/env.server";

// The test runtime points sign-in at the fake providers; these cases start from a plain dev setup.
const base = Object.fromEntries(
  // The run's clock setting is refused outside development (tests/clock.test.ts): these cases are about sign-in.
  Object.entries(env).filter(
    ([key]) => !key.startsWith("GITHUB_") && !key.startsWith("OIDC_") && key !== "CLOCK_OFFSET_MS",
  ),
) as Record<string, unknown>;
base.AUTH_PROVIDERS = "dev";
const read = (overrides: Record<string, unknown>) => readSettings({ ...base, ...overrides });

describe("sign-in settings refuse contradictions with a message that says what to change", () => {
  it("applies the documented defaults", () => {
    const result = read({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings.GITHUB_URL).toBe("https://github.com");
    expect(result.settings.GITHUB_API_URL).toBe("https://api.github.com");
    expect(result.settings.OIDC_SCOPES).toBe("openid profile email");
    expect(result.settings.AUTH_PROVIDERS).toEqual(["dev"]);
  });

  it("github listed without its secrets", () => {
    const result = read({ AUTH_PROVIDERS: "github" });
    expect(result).toMatchObject({ ok: false, invalid: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] });
    if (result.ok) return;
    expect(result.messages).toContain(
      "GITHUB_CLIENT_ID is required when AUTH_PROVIDERS includes github (from your GitHub OAuth app)",
    );
  });

  it("oidc listed without its settings", () => {
    const result = read({ AUTH_PROVIDERS: "oidc", OIDC_CLIENT_ID: "abc" });
    expect(result).toMatchObject({ ok: false, invalid: ["OIDC_CLIENT_SECRET", "OIDC_ISSUER"] });
  });

  it("discovery asked of GitHub", () => {
    for (const issuer of ["https://github.com", "https://github.com/login/oauth"]) {
      const result = read({
        AUTH_PROVIDERS: "oidc",
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: "a",
        OIDC_CLIENT_SECRET: "b",
      });
      expect(result).toMatchObject({ ok: false, invalid: ["OIDC_ISSUER"] });
      if (result.ok) return;
      expect(result.messages.join(" ")).toMatch(
        /GitHub, which is not an OpenID Connect provider.*list github in AUTH_PROVIDERS/,
      );
    }
    // GitHub Enterprise too: OIDC_ISSUER on the same host as GITHUB_URL.
    const enterprise = read({ GITHUB_URL: "https://github.acme.example", OIDC_ISSUER: "https://github.acme.example" });
    expect(enterprise).toMatchObject({ ok: false, invalid: ["OIDC_ISSUER"] });
  });

  it("an http: issuer outside localhost", () => {
    expect(read({ OIDC_ISSUER: "http://idp.example.com" })).toMatchObject({ ok: false, invalid: ["OIDC_ISSUER"] });
    expect(read({ GITHUB_URL: "http://github.example.com" })).toMatchObject({ ok: false, invalid: ["GITHUB_URL"] });
    expect(read({ OIDC_ISSUER: "http://127.0.0.1:9999/oidc" }).ok).toBe(true);
  });

  it("dev in production or preview", () => {
    for (const ENVIRONMENT of ["production", "preview"]) {
      const result = read({ ENVIRONMENT, AUTH_PROVIDERS: "dev" });
      expect(result).toMatchObject({ ok: false, invalid: ["AUTH_PROVIDERS"] });
      if (result.ok) return;
      expect(result.messages).toContain(
        "AUTH_PROVIDERS may include dev only when ENVIRONMENT is development: remove dev",
      );
    }
  });

  it("an unknown provider name", () => {
    expect(read({ AUTH_PROVIDERS: "github,saml" })).toMatchObject({ ok: false, invalid: ["AUTH_PROVIDERS"] });
  });

  it("never repeats a setting's value in its messages", () => {
    const result = read({ SESSION_SECRET: "tooshort-but-secret", OIDC_ISSUER: "not a url at all" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages.join("\n")).not.toContain("tooshort-but-secret");
    expect(result.messages.join("\n")).not.toContain("not a url at all");
  });
});
