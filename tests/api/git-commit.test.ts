/**
 * POST /api/v1/git/commit against the fake GitHub App (tests/fakes/github-app.ts): the
 * commit lands on the fake's branch through the App's installation, and every failure has its answer.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
// The built Worker module, called with an env without the GitHub App settings.
import worker from "../../build/index.js";
import { readSettings } from "~/config/env.server";
import { appJwt, clearGithubAppCaches, GithubError, pkcs1ToPkcs8 } from "~/github/app.server";
import { commitChanges } from "~/github/commits.server";
import { fakes } from "../fakes/control";
import { testNow } from "../context";
import { seedDatabase } from "../db";
import { ORIGIN } from "../http";
import { capturedLines, expectErrorLogs } from "../logs";
import { api, apiToken, type Envelope } from "./client";

type Snapshot = {
  installations: Record<string, number>;
  branches: Record<
    string,
    Record<string, { sha: string; message: string; parents: string[]; files: Record<string, string> }>
  >;
  installationTokens: string[];
  issuedTokens: Array<{
    installationId: number;
    repositories: string[] | null;
    permissions: Record<string, string> | null;
  }>;
  requests: Array<{
    method: string;
    path: string;
    userAgent: string | null;
    accept: string | null;
    apiVersion: string | null;
    auth: string;
  }>;
};

async function gitState(): Promise<Snapshot> {
  const response = await fetch(`${fakes().controlUrl}/git`);
  expect(response.status).toBe(200);
  return response.json();
}

async function gitControl(path: "" | "/reset", body: unknown = {}): Promise<void> {
  const response = await fetch(`${fakes().controlUrl}/git${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

const b64 = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

const main = async () => (await gitState()).branches["acme/infra"]!.main!;

/** The contract's example body (tests/contract/atmos-AtmosPro.json, a copy of the one the CLI publishes). */
const PACT_BODY = {
  branch: "main",
  changes: { additions: [{ contents: "dGVzdA==", path: "file.txt" }], deletions: [{ path: "old.txt" }] },
  commitMessage: "test: pact contract verification",
};

const commit = async (body: unknown, token?: string) =>
  api("POST", "/api/v1/git/commit", { token: token ?? (await apiToken()), body });

/**
 * The reset also revokes every token the fake issued, so the Worker's cached installation token (its
 * cache lives in the Worker's module, out of the tests' reach) is refused once and replaced: each
 * test starts with a token request, which is where the token faults below strike.
 */
beforeEach(async () => {
  await seedDatabase();
  await gitControl("/reset");
});

describe("POST /api/v1/git/commit", () => {
  it("commits additions and deletions on the branch; data.sha is the new head", async () => {
    const before = await main();
    expect(Object.keys(before.files).sort()).toEqual(["README.md", "old.txt"]);

    const { response, envelope } = await commit({
      branch: "main",
      changes: {
        additions: [
          { path: "README.md", contents: b64("# acme/infra\n\nUpdated by atmos.\n") },
          { path: "stacks/generated/plat-ue2-dev.yaml", contents: b64("vars:\n  region: us-east-2 ✓ é\n") },
          { path: "stacks/generated/copy.yaml", contents: b64("vars:\n  region: us-east-2 ✓ é\n").replace(/=+$/, "") },
        ],
        deletions: [{ path: "old.txt" }],
      },
      commitMessage: "chore: regenerate stacks",
      comment: "accepted and ignored for now",
    });
    expect(response.status, JSON.stringify(envelope)).toBe(200);
    expect(envelope.success).toBe(true);

    const after = await main();
    expect(envelope.data!.sha).toBe(after.sha);
    expect(after.sha).not.toBe(before.sha);
    expect(after.parents).toEqual([before.sha]);
    expect(after.message).toBe("chore: regenerate stacks");
    expect(after.files).toEqual({
      "README.md": "# acme/infra\n\nUpdated by atmos.\n",
      "stacks/generated/plat-ue2-dev.yaml": "vars:\n  region: us-east-2 ✓ é\n",
      "stacks/generated/copy.yaml": "vars:\n  region: us-east-2 ✓ é\n",
    });
  });

  it("answers the contract's example request with data.sha", async () => {
    const { response, envelope } = await commit(PACT_BODY);
    expect(response.status).toBe(200);
    expect(envelope).toMatchObject({ success: true, data: { sha: expect.stringMatching(/^[0-9a-f]{40}$/) } });
    expect((await main()).files).toEqual({ "README.md": "# acme/infra\n", "file.txt": "test" });
  });

  it("talks to GitHub as the App: JWT for the installation and its token, the installation token for the Git Data API, our headers on every call", async () => {
    await commit(PACT_BODY);
    const { requests } = await gitState();
    const paths = requests.map((request) => `${request.method} ${request.path}`);
    expect(paths).toContain("GET /repos/acme/infra/installation");
    expect(paths).toContain("POST /app/installations/1001/access_tokens");
    expect(paths).toContain("PATCH /repos/acme/infra/git/refs/heads/main");
    // The token is narrowed to this repository and to what a commit needs: Contents: write, nothing more.
    const { issuedTokens } = await gitState();
    expect(issuedTokens.length).toBeGreaterThan(0);
    for (const issued of issuedTokens)
      expect(issued).toEqual({
        installationId: 1001,
        repositories: ["acme/infra"],
        permissions: { contents: "write" },
      });
    // At most one call with the previous test's (revoked) cached token.
    expect(requests.filter((request) => request.auth === "other").length).toBeLessThanOrEqual(1);
    for (const request of requests) {
      expect(request).toMatchObject({
        userAgent: "atmos-pro",
        accept: "application/vnd.github+json",
        apiVersion: "2022-11-28",
      });
      if (request.auth !== "other")
        expect(request.auth).toBe(request.path.includes("/git/") ? "installation_token" : "jwt");
    }
  });

  it("caches the installation token, and replaces a cached one GitHub no longer accepts", async () => {
    await commit(PACT_BODY);
    await commit({
      ...PACT_BODY,
      changes: { additions: [{ path: "second.txt", contents: b64("2") }], deletions: null },
    });
    const tokenRequests = (await gitState()).requests.filter((request) => request.path.endsWith("/access_tokens"));
    expect(tokenRequests.length).toBeLessThanOrEqual(1);

    await gitControl("/reset"); // the fake forgets every token it issued
    const { response } = await commit(PACT_BODY);
    expect(response.status).toBe(200);
    const { requests } = await gitState();
    expect(requests.filter((request) => request.auth === "other")).toHaveLength(1); // the refused cached token
    expect(requests.filter((request) => request.path.endsWith("/access_tokens"))).toHaveLength(1);
  });

  it("makes no commit when nothing changes, and answers the head", async () => {
    const before = await main();
    const same = await commit({
      branch: "main",
      changes: { additions: [{ path: "README.md", contents: b64("# acme/infra\n") }], deletions: [] },
      commitMessage: "no-op",
    });
    expect(same.envelope.data!.sha).toBe(before.sha);
    const empty = await commit({
      branch: "refs/heads/main",
      changes: { additions: null, deletions: null },
      commitMessage: "nothing",
    });
    expect(empty.envelope.data!.sha).toBe(before.sha);
    expect((await main()).sha).toBe(before.sha);
  });

  it("404 for a branch that does not exist; nothing changes", async () => {
    const before = await gitState();
    const { response, envelope } = await commit({ ...PACT_BODY, branch: "feature/missing" });
    expect(response.status).toBe(404);
    expect(envelope).toMatchObject({ success: false, errorTag: "BranchNotFound" });
    expect(envelope.errorMessage).toContain("feature/missing");
    expect((await gitState()).branches).toEqual(before.branches);
  });

  it("404 when the App is not installed on the token's repository", async () => {
    await gitControl("", { installed: { "acme/infra": false } });
    const { response, envelope } = await commit(PACT_BODY);
    expect(response.status).toBe(404);
    expect(envelope).toMatchObject({ success: false, errorTag: "GitHubAppNotInstalled" });
    expect(envelope.errorMessage).toMatch(/app not installed on acme\/infra/i);
  });

  it("403 without the Deployments Create permission, before any call to GitHub", async () => {
    const token = await apiToken();
    await env.DB.prepare("DELETE FROM repository_permissions WHERE type = 'Deployments Create'").run();
    const { response, envelope } = await commit(PACT_BODY, token);
    expect(response.status).toBe(403);
    expect(envelope).toMatchObject({ success: false, errorTag: "Forbidden" });
    expect(envelope.errorMessage).toContain("Deployments Create");
    expect((await gitState()).requests).toEqual([]);
  });

  it("401 without a token", async () => {
    const { response } = await api("POST", "/api/v1/git/commit", { body: PACT_BODY });
    expect(response.status).toBe(401);
  });

  it.each([
    [
      "a path with ..",
      { additions: [{ path: "stacks/../../etc/passwd", contents: "dGVzdA==" }] },
      "changes.additions[0].path must be",
    ],
    [
      "a leading /",
      { additions: [{ path: "/etc/passwd", contents: "dGVzdA==" }] },
      "changes.additions[0].path must be",
    ],
    [
      "a path into .git/",
      { additions: [{ path: ".git/hooks/pre-commit", contents: "dGVzdA==" }] },
      "changes.additions[0].path must be",
    ],
    ["a deletion with ..", { deletions: [{ path: "../old.txt" }] }, "changes.deletions[0].path must be"],
    [
      "contents that are not base64",
      { additions: [{ path: "ok.txt", contents: "not base64!" }] },
      "changes.additions[0].contents must be",
    ],
    [
      "contents with wrong padding",
      { additions: [{ path: "ok.txt", contents: "dGVzdA=" }] },
      "changes.additions[0].contents must be",
    ],
    [
      "a path changed twice",
      { additions: [{ path: "old.txt", contents: "dGVzdA==" }], deletions: [{ path: "old.txt" }] },
      "changes",
    ],
    ["more than 200 files", { deletions: Array.from({ length: 201 }, (_, i) => ({ path: `f${i}.txt` })) }, "changes"],
  ])("400 naming the field for %s; nothing reaches GitHub", async (_name, changes, field) => {
    const { response, envelope } = await commit({ branch: "main", changes, commitMessage: "bad" });
    expect(response.status).toBe(400);
    expect(envelope.errorTag).toBe("ValidationError");
    expect(envelope.data!.validationErrors!.join("\n")).toContain(field);
    expect((await gitState()).requests).toEqual([]);
  });

  it("400 for a bad branch name or an empty message, and never quotes the contents back", async () => {
    const bad = await commit({ branch: "main..evil", changes: PACT_BODY.changes, commitMessage: "x" });
    expect(bad.response.status).toBe(400);
    expect(bad.envelope.data!.validationErrors!.join("\n")).toContain("branch");
    const empty = await commit({ ...PACT_BODY, commitMessage: "  " });
    expect(empty.envelope.data!.validationErrors!.join("\n")).toContain("commitMessage");
    const secretish = "%%%" + "x".repeat(5000);
    const quoted = await commit({ ...PACT_BODY, changes: { additions: [{ path: "a.txt", contents: secretish }] } });
    expect(quoted.response.status).toBe(400);
    expect(JSON.stringify(quoted.envelope)).not.toContain("xxxxxxxxxx");
  });

  it.each([
    ["the token endpoint fails", 502, "GitHubError", { accessToken: "http_500" }],
    ["the installation lookup fails", 502, "GitHubError", { installation: "http_500" }],
    ["a blob answer has the wrong shape", 502, "GitHubError", { blobs: "wrong_shape" }],
    ["the App lacks Contents: write", 403, "GitHubAppPermissionMissing", { accessToken: "permissions_not_granted" }],
    ["someone pushes while we commit", 409, "BranchMoved", { updateRef: "race" }],
  ])("when %s: %i %s, and our changes are not on the branch", async (_name, status, tag, faults) => {
    if (status >= 500) expectErrorLogs();
    await gitControl("", { faults });
    const { response, envelope } = await commit(PACT_BODY);
    expect(response.status).toBe(status);
    expect(envelope).toMatchObject({ success: false, errorTag: tag });
    expect(envelope.errorMessage).toBeTruthy();
    const head = await main();
    expect(head.files["file.txt"]).toBeUndefined();
  });

  it("422 when a deleted path is not on the branch (GitHub's GitRPC::BadObjectState)", async () => {
    const { response, envelope } = await commit({
      ...PACT_BODY,
      changes: { additions: [], deletions: [{ path: "never-existed.txt" }] },
    });
    expect(response.status).toBe(422);
    expect(envelope).toMatchObject({ errorTag: "ChangesRefused" });
    expect(envelope.errorMessage).toContain("deleted path");
  });

  it("gives up on a GitHub that does not answer within 5 s with 502", async () => {
    expectErrorLogs();
    await gitControl("", { faults: { accessToken: "timeout" } });
    const started = Date.now();
    const { response, envelope } = await commit(PACT_BODY);
    expect(response.status).toBe(502);
    expect(envelope).toMatchObject({ errorTag: "GitHubUnavailable" });
    expect(Date.now() - started).toBeLessThan(9_000);
  }, 20_000);

  it("503 when the server has no GitHub App", async () => {
    expectErrorLogs();
    const token = await apiToken();
    const ctx = createExecutionContext();
    const withoutApp = { ...env } as Record<string, unknown>;
    delete withoutApp.GITHUB_APP_ID;
    delete withoutApp.GITHUB_APP_PRIVATE_KEY;
    const request = new Request(`${ORIGIN}/api/v1/git/commit`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(PACT_BODY),
    });
    const response = await (worker as ExportedHandler<Env>).fetch!(
      request as Parameters<NonNullable<ExportedHandler<Env>["fetch"]>>[0],
      withoutApp as unknown as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(503);
    const envelope = (await response.json()) as Envelope;
    expect(envelope).toMatchObject({ success: false, status: 503, errorTag: "GitHubAppNotConfigured" });
    expect(envelope.errorMessage).toContain("GitHub App is not configured on this server");
    expect((await gitState()).requests).toEqual([]);
  });

  it("never logs a token, a JWT or the private key", async () => {
    expectErrorLogs();
    const token = await apiToken();
    await commit(PACT_BODY, token);
    await commit({ ...PACT_BODY, branch: "nope" }, token);
    const { installationTokens } = await gitState();
    await gitControl("/reset"); // revokes the cached token, so the next commit asks for one and meets the fault
    await gitControl("", { faults: { accessToken: "http_500" } });
    await commit(PACT_BODY, token);

    const logged = capturedLines()
      .map((line) => line.text)
      .join("\n");
    expect(logged).toContain("git_commit_created");
    expect(logged).toContain("git_commit_failed");
    expect(installationTokens.length).toBeGreaterThan(0);
    for (const issued of installationTokens) expect(logged).not.toContain(issued);
    expect(logged).not.toContain(token);
    expect(logged).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(logged).not.toMatch(/ghs_[A-Za-z0-9]{10,}/);
    const keyBody = fakes().githubAppPrivateKey.split("\n")[1]!;
    expect(logged).not.toContain(keyBody.slice(0, 32));
  });
});

describe("GitHub App settings and keys", () => {
  const pem = () => fakes().githubAppPrivateKey;

  async function pkcs8Pem(): Promise<string> {
    const der = Uint8Array.from(
      atob(
        pem()
          .replace(/-----[A-Z ]+-----/g, "")
          .replace(/\s+/g, ""),
      ),
      (c) => c.charCodeAt(0),
    );
    const key = await crypto.subtle.importKey(
      "pkcs8",
      pkcs1ToPkcs8(der),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      true,
      ["sign"],
    );
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
    const base64 = btoa(String.fromCharCode(...pkcs8));
    return `-----BEGIN PRIVATE KEY-----\n${base64.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----`;
  }

  /** env without the named settings (absent, as when they are not set at all). */
  const without = (...names: string[]) => {
    const copy = { ...env } as Record<string, unknown>;
    for (const name of names) delete copy[name];
    return copy;
  };

  it("requires GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY together, naming the missing one", () => {
    const noKey = readSettings(without("GITHUB_APP_PRIVATE_KEY"));
    expect(noKey).toMatchObject({ ok: false, invalid: ["GITHUB_APP_PRIVATE_KEY"] });
    expect(noKey.ok ? [] : noKey.messages).toContain(
      "GITHUB_APP_PRIVATE_KEY is required when GITHUB_APP_ID is set (a private key generated in your GitHub App's settings)",
    );
    expect(readSettings(without("GITHUB_APP_ID"))).toMatchObject({ ok: false, invalid: ["GITHUB_APP_ID"] });
    expect(readSettings({ ...without("GITHUB_APP_ID"), GITHUB_APP_ID: "" })).toMatchObject({
      ok: false,
      invalid: ["GITHUB_APP_ID"],
    });
    const neither = readSettings(without("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY"));
    expect(neither.ok).toBe(true);
  });

  it("refuses a key that is not an unencrypted PEM private key, without quoting it", () => {
    const result = readSettings({ ...env, GITHUB_APP_PRIVATE_KEY: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ-not-a-pem" });
    expect(result).toMatchObject({ ok: false, invalid: ["GITHUB_APP_PRIVATE_KEY"] });
    expect(JSON.stringify(result)).not.toContain("AAAAB3NzaC1yc2E");
  });

  it("accepts the key on one line with literal \\n (as .dev.vars and wrangler secret put often get it)", () => {
    const result = readSettings({ ...env, GITHUB_APP_PRIVATE_KEY: pem().trim().replace(/\n/g, "\\n") });
    expect(result.ok && result.settings.GITHUB_APP_PRIVATE_KEY).toBe(pem().trim());
  });

  it("signs with a PKCS#8 key as well as GitHub's PKCS#1 download", async () => {
    clearGithubAppCaches();
    const settings = readSettings({ ...env, GITHUB_APP_PRIVATE_KEY: await pkcs8Pem() });
    if (!settings.ok) throw new Error(settings.messages.join("; "));
    const result = await commitChanges(
      settings.settings,
      {
        owner: "acme",
        repo: "infra",
        branch: "main",
        additions: [{ path: "pkcs8.txt", contents: b64("ok") }],
        deletions: [],
        message: "pkcs8",
      },
      testNow,
    );
    expect(result).toMatchObject({ unchanged: false, sha: (await main()).sha });
  });

  it("makes an app JWT GitHub accepts: RS256, iss = app id, iat 60 s back, exp 9 min ahead", async () => {
    const settings = readSettings(env);
    if (!settings.ok) throw new Error("settings");
    const now = new Date("2026-06-01T12:00:00Z");
    const [header, payload] = (await appJwt(settings.settings, now))
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    const seconds = now.getTime() / 1000;
    expect(payload).toEqual({ iss: fakes().githubAppId, iat: seconds - 60, exp: seconds + 540 });
  });

  it("a PEM-shaped key that is not an RSA key is a configuration error, not a crash", async () => {
    clearGithubAppCaches();
    const settings = readSettings({
      ...env,
      GITHUB_APP_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    });
    if (!settings.ok) throw new Error(settings.messages.join("; "));
    const failure = await commitChanges(
      settings.settings,
      { owner: "acme", repo: "infra", branch: "main", additions: [], deletions: [], message: "x" },
      testNow,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GithubError);
    expect(failure).toMatchObject({ kind: "bad_private_key" });
  });

  it("commits for the other installed repository too (org/repo), through its own installation", async () => {
    clearGithubAppCaches();
    const settings = readSettings(env);
    if (!settings.ok) throw new Error("settings");
    const result = await commitChanges(
      settings.settings,
      {
        owner: "org",
        repo: "repo",
        branch: "main",
        additions: [{ path: "x.txt", contents: b64("x") }],
        deletions: [{ path: "old.txt" }],
        message: "org",
      },
      testNow,
    );
    const state = await gitState();
    expect(result.sha).toBe(state.branches["org/repo"]!.main!.sha);
    expect(state.requests.map((request) => request.path)).toContain("/app/installations/1002/access_tokens");
  });
});
