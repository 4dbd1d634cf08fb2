import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { dumpDatabase, FIXED_NOW, seedDatabase } from "../db";
import { actionsToken, api, apiToken } from "./client";

const HOUR = 3_600_000;
/** A JWT time (seconds) relative to the run's clock: the app and the fake token issuer run at FIXED_NOW too. */
const seconds = (offsetMs: number) => Math.floor((FIXED_NOW.getTime() + offsetMs) / 1000);

beforeEach(async () => {
  await seedDatabase();
});

describe("POST /api/v1/auth/github-oidc", () => {
  it("exchanges a valid GitHub Actions token for a 1-hour API token", async () => {
    const { response, envelope } = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: await actionsToken(), workspaceId: SEED.workspaceId },
    });
    expect(response.status).toBe(200);
    expect(envelope.success).toBe(true);
    const token = envelope.data!.token as string;
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    expect(payload).toMatchObject({
      scope: "ws:gh:action",
      ws: SEED.workspaceId,
      repo: "acme/infra",
      br: "main",
      wf: ".github/workflows/atmos-pro.yaml",
    });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(envelope.data!.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("refuses a replayed token (jti is single use)", async () => {
    const token = await actionsToken();
    expect(
      (await api("POST", "/api/v1/auth/github-oidc", { body: { token, workspaceId: SEED.workspaceId } })).response
        .status,
    ).toBe(200);
    const again = await api("POST", "/api/v1/auth/github-oidc", { body: { token, workspaceId: SEED.workspaceId } });
    expect(again.response.status).toBe(401);
    expect(again.envelope).toMatchObject({ success: false, errorTag: "TokenReplayed" });
  });

  it.each([
    ["a wrong issuer", { iss: "https://evil.example" }, {}, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["a wrong audience", { aud: "someone-else" }, {}, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["an expired token", { exp: seconds(-HOUR), iat: seconds(-2 * HOUR) }, {}, "ERR_JWT_EXPIRED"],
    ["a not-yet-valid token", { nbf: seconds(HOUR) }, {}, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
    ["a bad signature", {}, { sign: "rogue" as const }, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"],
    ["an unknown key id", {}, { sign: "rogue" as const, kid: "someone-elses-key" }, "ERR_JWKS_NO_MATCHING_KEY"],
    ["no jti", { jti: null }, {}, "ERR_JWT_CLAIM_VALIDATION_FAILED"],
  ])("refuses %s with 401", async (_name, claims, options, reason) => {
    const before = await dumpDatabase();
    const { response, envelope } = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: await actionsToken(claims, options), workspaceId: SEED.workspaceId },
    });
    expect(response.status).toBe(401);
    expect(envelope).toMatchObject({ success: false, status: 401, errorTag: "InvalidOIDCToken" });
    expect(envelope.errorMessage).toBe(`The GitHub OIDC token was refused (${reason}).`);
    expect(await dumpDatabase()).toEqual(before);
  });

  it("answers 404 for an unknown workspace and for a repository not imported", async () => {
    expect(
      (
        await api("POST", "/api/v1/auth/github-oidc", {
          body: { token: await actionsToken(), workspaceId: "ws_nope000000000000000000000000" },
        })
      ).response.status,
    ).toBe(404);
    const other = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: await actionsToken({ repository: "acme/other" }), workspaceId: SEED.workspaceId },
    });
    expect(other.response.status).toBe(404);
    expect(other.envelope.errorMessage).toContain("acme/other is not imported");
  });

  it.each([
    ["exact workflow", { workflow_pattern: "atmos-pro.yaml" }, {}, 200],
    ["exact workflow, other file", { workflow_pattern: "deploy.yaml" }, {}, 403],
    ["regex branch", { branch_pattern: "release/.*" }, { ref: "refs/heads/release/1.2" }, 200],
    ["regex branch no match", { branch_pattern: "release/.*" }, { ref: "refs/heads/main" }, 403],
    ["environment exact", { environment_pattern: "prod" }, { environment: "prod" }, 200],
    ["environment mismatch", { environment_pattern: "prod" }, { environment: "dev" }, 403],
    [
      "pull request head branch",
      { branch_pattern: "feature-.+" },
      { ref: "refs/pull/12/merge", head_ref: "feature-x" },
      200,
    ],
  ])("permission patterns: %s", async (_name, pattern, claims, status) => {
    const columns = Object.entries(pattern)
      .map(([column, value]) => `${column} = '${value}'`)
      .join(", ");
    await env.DB.prepare(`UPDATE repository_permissions SET ${columns} WHERE type = 'Affected Stacks Create'`).run();
    const { response } = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: await actionsToken(claims), workspaceId: SEED.workspaceId },
    });
    expect(response.status).toBe(status);
  });

  it("refuses a body the CLI would never send with 400 naming the field", async () => {
    const { response, envelope } = await api("POST", "/api/v1/auth/github-oidc", {
      body: { token: 42, workspaceId: SEED.workspaceId },
    });
    expect(response.status).toBe(400);
    expect(envelope.data!.validationErrors!.join(" ")).toContain("token");
  });
});

describe("the envelope on every answer", () => {
  it("401 without a bearer token, and with a tampered one", async () => {
    expect(
      (await api("POST", "/api/v1/locks", { body: { key: "acme/infra/dev/vpc", ttl: 30 } })).envelope,
    ).toMatchObject({ status: 401, success: false, errorTag: "Unauthorized" });
    const token = await apiToken();
    expect(
      (
        await api("POST", "/api/v1/locks", {
          token: token.slice(0, -2) + "xx",
          body: { key: "acme/infra/dev/vpc", ttl: 30 },
        })
      ).response.status,
    ).toBe(401);
  });

  it("404 for unknown routes under /api, never HTML", async () => {
    const { envelope } = await api("GET", "/api/v1/nothing-here");
    expect(envelope).toMatchObject({ status: 404, success: false, errorTag: "NotFound" });
    expect((await api("GET", "/api")).response.status).toBe(404);
  });

  it("405 with Allow for a wrong method", async () => {
    const { response, envelope } = await api("GET", "/api/v1/locks");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, DELETE");
    expect(envelope.errorTag).toBe("MethodNotAllowed");
  });

  it("415 for a body that is not JSON, 400 for broken JSON, 413 above 5 MiB", async () => {
    const token = await apiToken();
    expect(
      (
        await api("POST", "/api/v1/locks", {
          token,
          raw: "key=x",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        })
      ).response.status,
    ).toBe(415);
    const broken = await api("POST", "/api/v1/locks", {
      token,
      raw: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(broken.response.status).toBe(400);
    expect(broken.envelope.data!.validationErrors).toEqual(["body: must be valid JSON"]);
    const huge = await api("POST", "/api/v1/affected-stacks", {
      token,
      raw: "x".repeat(5 * 1024 * 1024 + 1),
      headers: { "Content-Type": "application/json" },
    });
    expect(huge.response.status).toBe(413);
  });
});

describe("locks", () => {
  it("locks, refuses a second lock with who/when, unlocks, and refuses unlocking twice", async () => {
    const token = await apiToken();
    const key = "acme/infra/plat-ue2-dev/vpc";
    const first = await api("POST", "/api/v1/locks", {
      token,
      body: { key, ttl: 3600, lockMessage: "maintenance", properties: { ticket: "OPS-1" } },
    });
    expect(first.response.status).toBe(200);
    expect(first.envelope.data).toMatchObject({
      key,
      lockMessage: "maintenance",
      workspaceId: SEED.workspaceId,
      deletedAt: null,
    });
    for (const field of ["expiresAt", "createdAt", "updatedAt"])
      expect(first.envelope.data![field]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const second = await api("POST", "/api/v1/locks", { token, body: { key, ttl: 30 } });
    expect(second.response.status).toBe(409);
    expect(second.envelope).toMatchObject({
      success: false,
      errorMessage: "Stack is already locked",
      context: { locked_by: "octocat" },
    });
    expect(second.envelope.context!.locked_at).toMatch(/Z$/);

    expect((await api("DELETE", "/api/v1/locks", { token, body: { key } })).envelope.success).toBe(true);
    const again = await api("DELETE", "/api/v1/locks", { token, body: { key } });
    expect(again.response.status).toBe(404);
    expect(again.envelope.errorMessage).toBe("Lock not found or already expired");
    const events = await env.DB.prepare(
      "SELECT action FROM audit_events WHERE action LIKE 'lock.%' AND target_id != ? ORDER BY created_at",
    )
      .bind("lock_acmeprodeks00000000000000000")
      .all<{ action: string }>();
    expect(events.results.map((e) => e.action)).toEqual(["lock.created", "lock.released"]);
  });

  it("an expired lock does not block a new one", async () => {
    const token = await apiToken();
    const key = "acme/infra/plat-ue2-dev/ecr";
    await api("POST", "/api/v1/locks", { token, body: { key, ttl: 30 } });
    await env.DB.prepare("UPDATE locks SET expires_at = ? WHERE key = ?")
      .bind(FIXED_NOW.getTime() - HOUR, key)
      .run();
    expect((await api("POST", "/api/v1/locks", { token, body: { key, ttl: 30 } })).response.status).toBe(200);
  });

  it("racing lockers: exactly one wins", async () => {
    const token = await apiToken();
    const key = "acme/infra/plat-ue2-dev/waf";
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => api("POST", "/api/v1/locks", { token, body: { key, ttl: 60 } })),
    );
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.response.status === 409)).toHaveLength(3);
  });

  it("refuses keys of another repository and needs the Locks Manage permission", async () => {
    const token = await apiToken();
    expect(
      (await api("POST", "/api/v1/locks", { token, body: { key: "other/repo/dev/vpc", ttl: 30 } })).response.status,
    ).toBe(403);
    await env.DB.prepare("DELETE FROM repository_permissions WHERE type = 'Locks Manage'").run();
    const refused = await api("POST", "/api/v1/locks", { token, body: { key: "acme/infra/dev/vpc", ttl: 30 } });
    expect(refused.response.status).toBe(403);
    expect(refused.envelope.errorMessage).toContain("Locks Manage");
  });
});
