/**
 * The API's request DTOs: they accept what the Go CLI really sends (zero values "", null, false;
 * unknown keys) and refuse what is wrong with a message that names the field.
 */
import { describe, expect, it } from "vitest";
import { lockBody, oidcExchangeBody, unlockBody } from "~/api/bodies";
import { affectedStacksBody, batchOf, instancesBody, instanceStatusBody } from "~/domain/uploads/payloads";
import { validate, type Issue } from "~/validation";
import { buildAffectedStacksPayload, buildInstancesBody, REPO } from "./fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function refusal(schema: any, value: unknown): Issue[] {
  const result = validate(schema, value);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value).slice(0, 200)}`);
  expect(result.crashed).toBeUndefined();
  return result.issues;
}

/**
 * The one issue: its dotted path, and a message that starts by naming the field as a reader writes it.
 * An error inside a list that may be null (Go's nil slice) is reported at the list ("stacks"), its
 * message naming the field inside it.
 */
function expectOneIssue(issues: Issue[], path: string, message: RegExp) {
  expect(issues.map((issue) => issue.path)).toEqual([path]);
  expect(issues[0]!.message).toMatch(message);
}

const BATCH_ID = "3f1c2a4e-8b7d-4c3a-9f2e-1a2b3c4d5e6f";

/** The Pact example of the atmos CLI (pacts/atmos-AtmosPro.json), verbatim. */
const PACT_AFFECTED = {
  base_sha: "111222333444",
  head_sha: "abc123def456",
  repo_host: "github.com",
  repo_name: "repo",
  repo_owner: "org",
  repo_url: "https://github.com/org/repo",
  stacks: [
    {
      affected: "",
      affected_all: null,
      component: "vpc",
      component_path: "",
      component_type: "",
      dependents: [],
      included_in_dependents: false,
      settings: null,
      stack: "dev-us-east-1",
      stack_slug: "",
    },
  ],
};

describe("affectedStacksBody", () => {
  it("accepts the Pact example and Go's zero values", () => {
    expect(validate(affectedStacksBody, PACT_AFFECTED)).toEqual({ ok: true, value: PACT_AFFECTED });
    const zero = {
      ...PACT_AFFECTED,
      stacks: [
        {
          ...PACT_AFFECTED.stacks[0],
          dependents: null,
          settings: { pro: null },
          deleted: false,
          deletion_type: "",
          namespace: "",
          spacelift_stack: "",
          atlantis_project: "",
        },
        { ...PACT_AFFECTED.stacks[0], component: "eks/cluster", affected_all: [], settings: {} },
        { ...PACT_AFFECTED.stacks[0], component: "eks/karpenter", affected_all: ["stack.vars", "component"] },
        // Older CLIs sent affected_all as a boolean.
        { ...PACT_AFFECTED.stacks[0], component: "rds", affected_all: true },
      ],
    };
    expect(validate(affectedStacksBody, zero).ok).toBe(true);
    expect(validate(affectedStacksBody, { ...PACT_AFFECTED, stacks: null }).ok).toBe(true);
    expect(validate(affectedStacksBody, { ...PACT_AFFECTED, stacks: [] }).ok).toBe(true);
    expect(
      validate(affectedStacksBody, { ...PACT_AFFECTED, batch_id: "", batch_index: null, batch_total: null }).ok,
    ).toBe(true);
  });

  it("accepts nested dependents, deletions, components with a slash, and ignores unknown keys", () => {
    const body = {
      ...PACT_AFFECTED,
      future_field: { anything: 1 },
      stacks: [
        {
          ...PACT_AFFECTED.stacks[0],
          component: "vpc",
          vars: { cidr: "10.0.0.0/16" },
          settings: { pro: { drift_detection: { enabled: true } }, depends_on: { 1: { component: "x" } } },
          dependents: [
            {
              component: "eks/cluster",
              stack: "dev-us-east-1",
              component_type: "terraform",
              dependents: [
                {
                  component: "eks/karpenter",
                  stack: "dev-us-east-1",
                  dependents: [{ component: "app/api", stack: "dev-us-east-1", dependents: null }],
                },
              ],
            },
          ],
        },
        { ...PACT_AFFECTED.stacks[0], component: "s3-bucket/legacy", deleted: true, deletion_type: "component" },
        { ...PACT_AFFECTED.stacks[0], component: "vpc", stack: "gone-stack", deleted: true, deletion_type: "stack" },
      ],
    };
    const result = validate(affectedStacksBody, body);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.stacks![0]!.dependents![0]!.dependents![0]!.dependents![0]!.component).toBe("app/api");
  });

  it("accepts the 4 MiB benchmark payload; one bad field deep inside it is named in a short message", () => {
    const wire = buildAffectedStacksPayload(4 * 1024 * 1024);
    expect(validate(affectedStacksBody, wire).ok).toBe(true);
    const broken = JSON.parse(JSON.stringify(wire));
    const n = broken.stacks.findIndex(
      (it: { component: string; deleted?: boolean }, i: number) => i >= 2000 && it.component === "vpc" && !it.deleted,
    );
    broken.stacks[n].dependents[0].dependents[0].component_type = 7;
    const issues = refusal(affectedStacksBody, broken);
    expectOneIssue(
      issues,
      `stacks.${n}.dependents.0.dependents.0.component_type`,
      new RegExp(
        `^stacks\\[${n}\\]\\.dependents\\[0\\]\\.dependents\\[0\\]\\.component_type must be a string or null \\(was 7\\)$`,
      ),
    );
  });

  it("reports an error inside a nullable list briefly: the bad field, never the list it is in", () => {
    const wire = buildAffectedStacksPayload(1024 * 1024);
    const broken = JSON.parse(JSON.stringify(wire));
    broken.stacks[5].dependents = "none";
    broken.stacks[7].stack = 7;
    const issues = refusal(affectedStacksBody, broken);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^stacks\[5\]\.dependents must be an array or null \(was string\)/);
    expect(issues[0]!.message.length).toBeLessThan(300);
    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, stacks: { vpc: {} } }),
      "stacks",
      /^stacks must be an array or null \(was an object\)$/,
    );
  });

  it("refuses a wrong field anywhere in the trees, naming it", () => {
    const nested = {
      ...PACT_AFFECTED,
      stacks: [
        {
          ...PACT_AFFECTED.stacks[0],
          dependents: [
            { component: "eks", stack: "s" },
            { component: 3, stack: "s" },
          ],
        },
      ],
    };
    expectOneIssue(
      refusal(affectedStacksBody, nested),
      "stacks.0.dependents.1.component",
      /^stacks\[0\]\.dependents\[1\]\.component must be a string \(was a number\)$/,
    );

    const deep = {
      ...PACT_AFFECTED,
      stacks: [
        {
          ...PACT_AFFECTED.stacks[0],
          dependents: [{ component: "a", stack: "s", dependents: [{ component: "b", stack: "" }] }],
        },
      ],
    };
    expectOneIssue(
      refusal(affectedStacksBody, deep),
      "stacks.0.dependents.0.dependents.0.stack",
      /^stacks\[0\]\.dependents\[0\]\.dependents\[0\]\.stack must be non-empty$/,
    );

    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, stacks: [{ ...PACT_AFFECTED.stacks[0], component: "" }] }),
      "stacks.0.component",
      /^stacks\[0\]\.component must be non-empty/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, {
        ...PACT_AFFECTED,
        stacks: [{ ...PACT_AFFECTED.stacks[0], deletion_type: "everything" }],
      }),
      "stacks.0.deletion_type",
      /^stacks\[0\]\.deletion_type must be/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, {
        ...PACT_AFFECTED,
        stacks: [{ ...PACT_AFFECTED.stacks[0], included_in_dependents: "yes" }],
      }),
      "stacks.0.included_in_dependents",
      /^stacks\[0\]\.included_in_dependents must be/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, stacks: [{ ...PACT_AFFECTED.stacks[0], affected_all: "all" }] }),
      "stacks.0.affected_all",
      /^stacks\[0\]\.affected_all must be/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, stacks: "vpc" }),
      "stacks",
      /^stacks must be an array or null \(was string\)$/,
    );
    const { head_sha: _omitted, ...noHead } = PACT_AFFECTED;
    expectOneIssue(refusal(affectedStacksBody, noHead), "head_sha", /^head_sha must be a string \(was missing\)$/);
    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, repo_name: null }),
      "repo_name",
      /^repo_name must be a string/,
    );
  });

  it("accepts well-formed batch fields and refuses malformed ones at the field that breaks", () => {
    const chunk = { ...PACT_AFFECTED, batch_id: BATCH_ID, batch_index: 2, batch_total: 3 };
    const ok = validate(affectedStacksBody, chunk);
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(batchOf(ok.value)).toEqual({ id: BATCH_ID, index: 2, total: 3 });
    const single = validate(affectedStacksBody, PACT_AFFECTED);
    expect(single.ok, JSON.stringify(single.ok ? null : single.issues)).toBe(true);
    if (single.ok) expect(batchOf(single.value)).toBeNull();

    expectOneIssue(
      refusal(affectedStacksBody, { ...chunk, batch_id: "batch-1" }),
      "batch_id",
      /^batch_id must be a UUID/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...chunk, batch_index: 3 }),
      "batch_index",
      /^batch_index must be less than batch_total \(3\) \(was 3\)$/,
    );
    expectOneIssue(refusal(affectedStacksBody, { ...chunk, batch_index: -1 }), "batch_index", /^batch_index must be/);
    expectOneIssue(refusal(affectedStacksBody, { ...chunk, batch_index: 1.5 }), "batch_index", /^batch_index must be/);
    expectOneIssue(refusal(affectedStacksBody, { ...chunk, batch_total: 0 }), "batch_total", /^batch_total must be/);
    expectOneIssue(
      refusal(affectedStacksBody, { ...chunk, batch_total: 1001 }),
      "batch_total",
      /^batch_total must be at most 1000/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...chunk, batch_index: 1e9, batch_total: 1000 }),
      "batch_index",
      /^batch_index must be less than 1000/,
    );
    expect(validate(affectedStacksBody, { ...chunk, batch_index: 999, batch_total: 1000 }).ok).toBe(true);
    const { batch_total: _total, ...noTotal } = chunk;
    expectOneIssue(
      refusal(affectedStacksBody, noTotal),
      "batch_total",
      /^batch_total must be an integer >= 1 when batch_id is set \(was missing\)$/,
    );
    const { batch_index: _index, ...noIndex } = chunk;
    expectOneIssue(
      refusal(affectedStacksBody, noIndex),
      "batch_index",
      /^batch_index must be an integer >= 0 when batch_id is set \(was missing\)$/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...chunk, batch_index: null }),
      "batch_index",
      /^batch_index must be an integer >= 0 when batch_id is set \(was missing\)$/,
    );
    expectOneIssue(
      refusal(affectedStacksBody, { ...PACT_AFFECTED, batch_index: 0, batch_total: 2 }),
      "batch_id",
      /^batch_id must be a UUID when batch_index or batch_total is set \(was missing\)$/,
    );
  });
});

describe("instancesBody", () => {
  const PACT_INSTANCES = {
    instances: [{ component: "vpc", component_type: "terraform", stack: "dev-us-east-1" }],
    ...REPO,
  };

  it("accepts the Pact example, what `atmos list instances` sends, and Go's zero values", () => {
    expect(validate(instancesBody, PACT_INSTANCES).ok).toBe(true);
    expect(
      validate(
        instancesBody,
        buildInstancesBody([
          { stack: "plat-ue2-dev", component: "eks/cluster" },
          { stack: "plat-ue2-dev", component: "vpc", pro: false },
        ]),
      ).ok,
    ).toBe(true);
    expect(validate(instancesBody, { ...PACT_INSTANCES, instances: null }).ok).toBe(true);
    expect(
      validate(instancesBody, {
        ...PACT_INSTANCES,
        instances: [{ component: "vpc", stack: "s", component_type: "", settings: { pro: null } }],
      }).ok,
    ).toBe(true);
    expect(validate(instancesBody, { ...PACT_INSTANCES, batch_id: BATCH_ID, batch_index: 0, batch_total: 1 }).ok).toBe(
      true,
    );
  });

  it("refuses a wrong instance field or batch, naming it", () => {
    expectOneIssue(
      refusal(instancesBody, { ...PACT_INSTANCES, instances: [{ component: "vpc" }] }),
      "instances.0.stack",
      /^instances\[0\]\.stack must be a string \(was missing\)$/,
    );
    expectOneIssue(
      refusal(instancesBody, { ...PACT_INSTANCES, instances: [{ component: "vpc", stack: "s", settings: "pro" }] }),
      "instances.0.settings",
      /^instances\[0\]\.settings must be/,
    );
    expectOneIssue(
      refusal(instancesBody, { ...PACT_INSTANCES, instances: {} }),
      "instances",
      /^instances must be an array or null \(was an object\)$/,
    );
    expectOneIssue(
      refusal(instancesBody, { ...PACT_INSTANCES, batch_id: BATCH_ID, batch_index: 1, batch_total: 1 }),
      "batch_index",
      /^batch_index must be less than batch_total/,
    );
  });
});

describe("instanceStatusBody", () => {
  it("accepts {command, exit_code, last_run?} — with the CLI's run metadata — and the legacy {status}", () => {
    expect(validate(instanceStatusBody, { command: "plan", exit_code: 0 })).toEqual({
      ok: true,
      value: { command: "plan", exit_code: 0, last_run: null },
    });
    const cli = {
      atmos_pro_run_id: "",
      atmos_version: "1.200.0",
      atmos_os: "linux",
      atmos_arch: "amd64",
      git_sha: "abc",
      repo_url: "",
      repo_name: "repo",
      repo_owner: "org",
      repo_host: "github.com",
      component: "eks/cluster",
      stack: "dev",
      command: "apply",
      exit_code: 1,
    };
    expect(validate(instanceStatusBody, cli)).toEqual({
      ok: true,
      value: { command: "apply", exit_code: 1, last_run: null },
    });
    expect(
      validate(instanceStatusBody, { command: "remediate", exit_code: 0, last_run: "2026-06-09T10:00:00Z" }),
    ).toEqual({ ok: true, value: { command: "remediate", exit_code: 0, last_run: "2026-06-09T10:00:00Z" } });
    expect(validate(instanceStatusBody, { command: "detect", exit_code: 2, last_run: "" })).toEqual({
      ok: true,
      value: { command: "detect", exit_code: 2, last_run: null },
    });
    expect(validate(instanceStatusBody, { command: "plan", exit_code: 2, last_run: null })).toEqual({
      ok: true,
      value: { command: "plan", exit_code: 2, last_run: null },
    });
    expect(validate(instanceStatusBody, { status: "drifted" })).toEqual({ ok: true, value: { status: "drifted" } });
  });

  it("refuses what is wrong, naming the field", () => {
    expectOneIssue(
      refusal(instanceStatusBody, { command: "destroy", exit_code: 0 }),
      "command",
      /^command must be "apply", "detect", "plan" or "remediate" \(was "destroy"\)$/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan" }),
      "exit_code",
      /^exit_code must be an integer \(was missing\)$/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan", exit_code: 1.5 }),
      "exit_code",
      /^exit_code must be an integer/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan", exit_code: 1e300 }),
      "exit_code",
      /^exit_code must be at most 2147483647/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan", exit_code: -2147483649 }),
      "exit_code",
      /^exit_code must be at least -2147483648/,
    );
    expect(validate(instanceStatusBody, { command: "apply", exit_code: -1 }).ok).toBe(true);
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan", exit_code: "0" }),
      "exit_code",
      /^exit_code must be a number/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { command: "plan", exit_code: 0, last_run: "yesterday" }),
      "last_run",
      /^last_run must be/,
    );
    expectOneIssue(
      refusal(instanceStatusBody, { exit_code: 0 }),
      "command",
      /^command must be "plan", "apply", "remediate" or "detect" \(or a legacy "status"\) \(was missing\)$/,
    );
    expectOneIssue(refusal(instanceStatusBody, { status: "broken" }), "status", /^status must be/);
  });
});

describe("lockBody, unlockBody, oidcExchangeBody", () => {
  it("accept what the CLI sends", () => {
    expect(validate(lockBody, { key: "org/repo/dev/vpc", ttl: 3600 }).ok).toBe(true);
    expect(
      validate(lockBody, { key: "acme/infra/plat-ue2-prod/eks/cluster", ttl: 30, lockMessage: "", properties: null })
        .ok,
    ).toBe(true);
    expect(
      validate(lockBody, {
        key: "k",
        ttl: 2592000,
        lockMessage: null,
        properties: { ticket: "OPS-1", nested: { a: [1] } },
      }).ok,
    ).toBe(true);
    expect(validate(unlockBody, { key: "org/repo/dev/vpc" }).ok).toBe(true);
    expect(
      validate(oidcExchangeBody, { token: "eyJhbGciOiJSUzI1NiJ9.oidcpayload", workspaceId: "workspace-uuid-1234" }).ok,
    ).toBe(true);
  });

  it("refuse what is wrong, naming the field", () => {
    expectOneIssue(refusal(lockBody, { key: "", ttl: 30 }), "key", /^key must be non-empty$/);
    expectOneIssue(refusal(lockBody, { key: "k".repeat(513), ttl: 30 }), "key", /^key must be at most length 512/);
    expectOneIssue(refusal(lockBody, { key: "k", ttl: 0 }), "ttl", /^ttl must be at least 1 \(was 0\)$/);
    expectOneIssue(refusal(lockBody, { key: "k", ttl: 2592001 }), "ttl", /^ttl must be at most 2592000/);
    expectOneIssue(refusal(lockBody, { key: "k", ttl: 1.5 }), "ttl", /^ttl must be an integer/);
    expectOneIssue(refusal(lockBody, { key: "k" }), "ttl", /^ttl must be a number \(was missing\)$/);
    expectOneIssue(
      refusal(lockBody, { key: "k", ttl: 30, lockMessage: 5 }),
      "lockMessage",
      /^lockMessage must be a string or null/,
    );
    expectOneIssue(
      refusal(lockBody, { key: "k", ttl: 30, properties: ["a"] }),
      "properties",
      /^properties must be an object or null \(was an array\)$/,
    );
    expectOneIssue(refusal(lockBody, { key: "k", ttl: 30, properties: "x" }), "properties", /^properties must be/);
    expectOneIssue(refusal(unlockBody, {}), "key", /^key must be a string \(was missing\)$/);
    expectOneIssue(refusal(oidcExchangeBody, { token: "", workspaceId: "ws" }), "token", /^token must be non-empty$/);
    expectOneIssue(
      refusal(oidcExchangeBody, { token: "t" }),
      "workspaceId",
      /^workspaceId must be a string \(was missing\)$/,
    );
  });
});
