/**
 * The repository page's permission editor: Admins and Owners add and remove (type, workflow, branch,
 * environment) permissions; a pattern is `*`, a literal or a regular expression, checked when it is
 * written (an invalid one is refused with a message and changes nothing) and matched by RE2, so no
 * pattern can make a token exchange slow. What the editor writes is what the CLI's token exchange obeys.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { SEED } from "../../db/seed";
import { MAX_PATTERN_LENGTH, patternMatches, patternProblem } from "~/domain/repository-permissions.server";
import { sessionCookieFor } from "../auth";
import { form, request } from "../auth/sign-in";
import { db, dumpDatabase, seedDatabase } from "../db";
import { actionsToken, api } from "../api/client";

const PAGE = `/dashboard/${SEED.workspaceSlug}/repositories/acme/infra`;
const DATA = `${PAGE}?_data=${encodeURIComponent("routes/dashboard.$workspace.repositories.$owner.$name")}`;
const ANY = { workflow: "*", branch: "*", environment: "*" };

type Permission = { id: string; type: string; workflow: string; branch: string; environment: string };

async function post(fields: Record<string, string>, userId: string = SEED.ownerId) {
  const { response } = await request(DATA, await sessionCookieFor(userId), form(fields));
  return {
    status: response.status,
    body: (await response.json()) as { ok: boolean; message?: string; fieldErrors?: Record<string, string> },
  };
}

async function permissions(userId: string = SEED.ownerId) {
  const { response } = await request(DATA, await sessionCookieFor(userId));
  expect(response.status).toBe(200);
  const data = (await response.json()) as {
    permissions: { ok: true; data: { canManage: boolean; permissions: Permission[] } };
  };
  expect(data.permissions.ok).toBe(true);
  return data.permissions.data;
}

const add = (type: string, patterns: Partial<typeof ANY>, userId?: string) =>
  post({ intent: "add-permission", type, ...ANY, ...patterns }, userId);

async function auditEvents(action: string) {
  const { results } = await db()
    .$client.prepare("SELECT actor_id, metadata FROM audit_events WHERE workspace_id = ? AND action = ?")
    .bind(SEED.workspaceId, action)
    .all<{ actor_id: string; metadata: string }>();
  return results.map((row) => ({ actor: row.actor_id, metadata: JSON.parse(row.metadata) as unknown }));
}

/** A token exchange by acme/infra's atmos-pro.yaml workflow on `branch`: the status it gets. */
async function exchangeFrom(branch: string) {
  const { response } = await api("POST", "/api/v1/auth/github-oidc", {
    body: { token: await actionsToken({ ref: `refs/heads/${branch}` }), workspaceId: SEED.workspaceId },
  });
  return response.status;
}

describe("the permission editor", () => {
  beforeEach(async () => {
    await seedDatabase();
  });

  it("lists the imported repository's permissions, and only managers may change them", async () => {
    const owner = await permissions();
    expect(owner.canManage).toBe(true);
    expect(owner.permissions.map((p) => [p.type, p.workflow, p.branch, p.environment]).sort()).toEqual([
      ["Affected Stacks Create", "*", "*", "*"],
      ["Deployments Create", "*", "*", "*"],
      ["Instances Upload", "*", "*", "*"],
      ["Locks Manage", "*", "*", "*"],
    ]);
    expect((await permissions(SEED.memberId)).canManage).toBe(false);

    const before = await dumpDatabase({ except: ["sessions"] });
    expect((await add("Locks Manage", { branch: "main" }, SEED.memberId)).status).toBe(403);
    expect(
      (await post({ intent: "remove-permission", permissionId: owner.permissions[0]!.id }, SEED.memberId)).status,
    ).toBe(403);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("adds a permission: shown on the page, audited with its patterns; the same one again is 409", async () => {
    const added = await add("Deployments Create", {
      workflow: "atmos-terraform-apply.yaml",
      branch: "main",
      environment: "(staging|production)",
    });
    expect(added).toEqual({
      status: 200,
      body: expect.objectContaining({
        ok: true,
        message:
          "Deployments Create allowed for workflow atmos-terraform-apply.yaml, branch main, environment (staging|production).",
      }),
    });
    expect((await permissions()).permissions).toContainEqual(
      expect.objectContaining({
        type: "Deployments Create",
        workflow: "atmos-terraform-apply.yaml",
        branch: "main",
        environment: "(staging|production)",
      }),
    );
    expect(await auditEvents("permission.assigned")).toEqual([
      {
        actor: SEED.ownerId,
        metadata: {
          repository: "acme/infra",
          type: "Deployments Create",
          workflow: "atmos-terraform-apply.yaml",
          branch: "main",
          environment: "(staging|production)",
        },
      },
    ]);

    const before = await dumpDatabase({ except: ["sessions"] });
    const again = await add("Deployments Create", {
      workflow: "atmos-terraform-apply.yaml",
      branch: "main",
      environment: "(staging|production)",
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe("Deployments Create with these patterns is already allowed on this repository.");
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("narrowing the default: the token exchange then works from main only", async () => {
    expect(await exchangeFrom("feature/x")).toBe(200);
    const { permissions: listed } = await permissions();
    const open = listed.find((p) => p.type === "Affected Stacks Create")!;
    expect((await add("Affected Stacks Create", { branch: "main" })).status).toBe(200);
    const removed = await post({ intent: "remove-permission", permissionId: open.id });
    expect(removed).toEqual({
      status: 200,
      body: expect.objectContaining({ ok: true, message: "Permission removed (Affected Stacks Create)." }),
    });
    expect((await permissions()).permissions.find((p) => p.id === open.id)).toBeUndefined();
    expect(await auditEvents("permission.removed")).toEqual([
      {
        actor: SEED.ownerId,
        metadata: { repository: "acme/infra", type: "Affected Stacks Create", ...ANY },
      },
    ]);

    expect(await exchangeFrom("main")).toBe(200);
    expect(await exchangeFrom("feature/x")).toBe(403);

    // A regular expression over the whole branch name.
    expect((await add("Affected Stacks Create", { branch: "release/v[0-9]+" })).status).toBe(200);
    expect(await exchangeFrom("release/v12")).toBe(200);
    expect(await exchangeFrom("release/v12-hotfix")).toBe(403);
    expect(await exchangeFrom("x-release/v12")).toBe(403);
  });

  it.each([
    ["an unclosed class", { branch: "feature/[abc" }, "branch", "Not a valid regular expression (missing closing ]"],
    ["a backreference", { workflow: "(a)\\1" }, "workflow", "Not a valid regular expression"],
    ["a lookahead", { environment: "(?=prod)prod" }, "environment", "Not a valid regular expression"],
    ["a huge repeat count", { branch: "(a{1000}){1000}" }, "branch", "Not a valid regular expression"],
    [
      "an expression between slashes",
      { branch: "/^release\\/.+$/" },
      "branch",
      "Write the expression without the surrounding slashes (^release\\/.+$)",
    ],
    ["an empty pattern", { workflow: "" }, "workflow", "Enter a pattern (* allows any)."],
    ["a control character", { branch: "main\nx" }, "branch", "A pattern cannot contain control characters."],
    [
      "a pattern over the length limit",
      { environment: "e".repeat(MAX_PATTERN_LENGTH + 1) },
      "environment",
      `A pattern is at most ${MAX_PATTERN_LENGTH} characters.`,
    ],
  ])("refuses %s with a message on its field, changing nothing", async (_name, patterns, field, message) => {
    const before = await dumpDatabase({ except: ["sessions"] });
    const { status, body } = await add("Locks Manage", patterns);
    expect(status).toBe(400);
    expect(body.ok).toBe(false);
    expect(body.message).toBe("Check the permission's patterns.");
    expect(Object.keys(body.fieldErrors ?? {})).toEqual([field]);
    expect(body.fieldErrors![field]).toContain(message);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("refuses an unknown type, a malformed or unknown permission id, and another repository's permission", async () => {
    const before = await dumpDatabase({ except: ["sessions"] });
    const unknownType = await add("Everything", {});
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.fieldErrors).toEqual({ type: "Choose what the workflows may do." });

    const malformed = await post({ intent: "remove-permission", permissionId: "perm_'; DROP TABLE x" });
    expect(malformed.status).toBe(400);
    const unknown = await post({ intent: "remove-permission", permissionId: `perm_${"z".repeat(28)}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe("That permission does not exist (any more) on this repository.");

    // Under a repository Acme never imported, nothing is found either.
    const { response } = await request(
      DATA.replace("acme/infra", "acme/elsewhere"),
      await sessionCookieFor(SEED.ownerId),
      form({ intent: "add-permission", type: "Locks Manage", ...ANY, branch: "main" }),
    );
    expect(response.status).toBe(404);
    expect(await dumpDatabase({ except: ["sessions"] })).toEqual(before);
  });

  it("the page shows the editor to managers and the list to members", async () => {
    const owner = await (await request(PAGE, await sessionCookieFor(SEED.ownerId))).response.text();
    expect(owner).toContain("Add permission");
    expect(owner).toContain('aria-label="Remove Affected Stacks Create for workflow *, branch *, environment *"');
    const member = await (await request(PAGE, await sessionCookieFor(SEED.memberId))).response.text();
    expect(member).toContain("Affected Stacks Create");
    expect(member).not.toContain("Add permission");
    expect(member).not.toContain("Remove Affected Stacks Create");
  });
});

describe("patterns", () => {
  it("`*` matches anything, a literal itself, an expression the whole value", () => {
    expect(patternMatches("*", "")).toBe(true);
    expect(patternMatches("main", "main")).toBe(true);
    expect(patternMatches("main", "mainline")).toBe(false);
    expect(patternMatches("release/.+", "release/1.2")).toBe(true);
    expect(patternMatches("release/.+", "pre-release/1.2")).toBe(false);
    expect(patternMatches("(staging|production)", "production")).toBe(true);
    expect(patternMatches("(staging|production)", "production-eu")).toBe(false);
    // A literal with regex characters matches itself, and an old invalid stored pattern still matches itself.
    expect(patternMatches("v1.2", "v1.2")).toBe(true);
    expect(patternMatches("feature/[abc", "feature/[abc")).toBe(true);
    expect(patternMatches("feature/[abc", "feature/a")).toBe(false);
  });

  it("a pattern that backtracks catastrophically elsewhere is linear here", () => {
    // With a backtracking engine, this takes longer than the age of the universe; RE2 returns.
    expect(patternMatches("(a+)+$", `${"a".repeat(50_000)}b`)).toBe(false);
    expect(patternMatches("(a|aa)+", `${"a".repeat(50_000)}!`)).toBe(false);
    expect(patternMatches("(a|aa)+", "a".repeat(50_000))).toBe(true);
  });

  it("patternProblem accepts what RE2 accepts, and says why it refuses", () => {
    for (const ok of ["*", "main", "release/v[0-9]+", "(staging|production)", ".github/workflows/.*\\.ya?ml"])
      expect(patternProblem(ok), ok).toBeNull();
    expect(patternProblem("a{2,1}")).toMatch(/^Not a valid regular expression \(/);
  });
});
