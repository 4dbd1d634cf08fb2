/**
 * Log redaction: run sign-ins that succeed and fail, collect every line they log, and look for
 * every secret value that passed through: codes, states, cookies, tokens, client and session secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearOidcCaches } from "~/auth/providers/oidc.server";
import { SEED } from "../../db/seed";
import { sessionCookieFor } from "../auth";
import { seedDatabase } from "../db";
import { get } from "../http";
import { capturedLines, expectErrorLogs } from "../logs";
import { TEST_SETTINGS } from "../settings";
import { control, fakes } from "../fakes/control";
import { atProvider, callback, start } from "./providers";
import { signInWithDev } from "./sign-in";

const seen = new Set<string>();
const lines: string[] = [];

function remember(...values: Array<string | null | undefined>) {
  for (const value of values) if (value && value.length >= 8) seen.add(value);
}

function rememberJar(jar: string) {
  for (const pair of jar.split(";")) remember(pair.split("=").slice(1).join("="));
}

async function flow(provider: "github" | "oidc", faults: Record<string, unknown> = {}) {
  await control("reset");
  await control("faults", faults);
  clearOidcCaches();
  const started = await start(provider);
  rememberJar(started.jar);
  remember(
    started.authorizeUrl.searchParams.get("state"),
    started.authorizeUrl.searchParams.get("code_challenge"),
    started.authorizeUrl.searchParams.get("nonce"),
  );
  const back = await atProvider(started.authorizeUrl);
  remember(back.searchParams.get("code"), back.searchParams.get("state"));
  const done = await callback(provider, back, started.jar);
  rememberJar(done.jar);
}

describe("log redaction", () => {
  beforeAll(() => {
    remember(TEST_SETTINGS.SESSION_SECRET, fakes().clientSecret);
  });

  it("runs sign-ins that succeed and fail while collecting every log line", async () => {
    expectErrorLogs();
    await seedDatabase();
    await flow("github");
    await flow("github", { github: { token: "error_200" } });
    await flow("github", { github: { emails: "no_verified" } });
    await flow("oidc");
    await flow("oidc", { oidc: { idToken: "bad_signature" } });
    await flow("oidc", { oidc: { idToken: "wrong_nonce" } });
    await flow("oidc", { oidc: { idToken: "sub_only", userinfo: "jwt" } });
    await flow("oidc", { oidc: { idToken: "sub_only", userinfo: "jwt_bad_signature" } });
    const dev = await signInWithDev(SEED.ownerLogin, "Ada Owner");
    rememberJar(dev.jar);
    const cookie = await sessionCookieFor(SEED.ownerId);
    rememberJar(cookie);
    await get("/dashboard/acme", { headers: { Cookie: cookie.slice(0, -2) + "zz" } });
    lines.push(...capturedLines().map((line) => line.text));
    expect(lines.length).toBeGreaterThan(5);
    expect(seen.size).toBeGreaterThan(10);
  });

  afterAll(() => {
    const text = lines.join("\n");
    for (const secret of seen) expect(text, "a secret value reached the logs").not.toContain(secret);
    expect(text).not.toMatch(/gho_[A-Za-z0-9]{8,}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY/);
  });
});
