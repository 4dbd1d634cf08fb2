/**
 * Realistic atmos CLI payloads, built programmatically (deterministic: the same arguments give the
 * same bytes). Shared by the API tests and the upload benchmark.
 */

/** A stack item as the Go CLI marshals it (schema.Affected / schema.Dependent). */
export type WireStackItem = {
  component: string;
  component_type: string;
  component_path: string;
  namespace?: string;
  tenant?: string;
  environment?: string;
  stage?: string;
  stack: string;
  stack_slug: string;
  affected?: string;
  affected_all?: string[] | null;
  dependents: WireStackItem[] | null;
  included_in_dependents: boolean;
  settings: { pro: Record<string, unknown> } | null;
  deleted?: boolean;
  deletion_type?: "component" | "stack";
};

export type WireAffectedStacksBody = {
  head_sha: string;
  base_sha: string;
  repo_url: string;
  repo_name: string;
  repo_owner: string;
  repo_host: string;
  stacks: WireStackItem[] | null;
  batch_id?: string;
  batch_index?: number;
  batch_total?: number;
};

export const REPO = {
  repo_url: "https://github.com/acme/infra",
  repo_name: "infra",
  repo_owner: "acme",
  repo_host: "github.com",
} as const;

/** Who depends on whom inside one stack: each key's dependents. Component names contain `/`. */
export const COMPONENT_DEPENDENTS: Record<string, string[]> = {
  vpc: ["eks/cluster", "rds/aurora-postgres", "alb/public"],
  "iam-role/deployer": ["eks/cluster"],
  "eks/cluster": ["eks/karpenter", "eks/external-dns"],
  "eks/karpenter": ["app/api"],
  "eks/external-dns": [],
  "rds/aurora-postgres": ["app/api"],
  "dns-delegated": ["alb/public"],
  "alb/public": ["waf"],
  waf: [],
  "s3-bucket/artifacts": ["app/worker"],
  "app/api": ["app/worker"],
  "app/worker": [],
};
export const COMPONENTS = Object.keys(COMPONENT_DEPENDENTS);

const TENANTS = [
  "plat",
  "core",
  "data",
  "edge",
  "sec",
  "ml",
  "pay",
  "web",
  "ops",
  "id",
  "ads",
  "iot",
  "crm",
  "erp",
  "hr",
  "fin",
];
const REGIONS = ["ue1", "ue2", "uw2", "ew1", "ec1", "an1", "as1", "se2"];
const STAGES = ["dev", "staging", "prod", "sandbox"];

/** Stack names `<tenant>-<region>-<stage>`, in a fixed order. */
export function stackName(n: number): { stack: string; tenant: string; environment: string; stage: string } {
  const stage = STAGES[n % STAGES.length]!;
  const environment = REGIONS[Math.floor(n / STAGES.length) % REGIONS.length]!;
  const tenant = TENANTS[Math.floor(n / (STAGES.length * REGIONS.length)) % TENANTS.length]!;
  const round = Math.floor(n / (STAGES.length * REGIONS.length * TENANTS.length));
  return { stack: `${tenant}-${environment}-${stage}${round > 0 ? round : ""}`, tenant, environment, stage };
}

/** `settings.pro` as atmos resolves it for a component (workflows per event, inputs templated). */
export function proSettings(component: string): Record<string, unknown> {
  const inputs = { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" };
  return {
    pull_request: {
      synchronize: { workflows: { "atmos-terraform-plan.yaml": { inputs } } },
      merged: { workflows: { "atmos-terraform-apply.yaml": { inputs } } },
    },
    drift_detection: { enabled: !component.startsWith("app/") },
  };
}

function node(
  component: string,
  n: number,
  options: { top: boolean; depth: number; withDependents: boolean },
): WireStackItem {
  const names = stackName(n);
  const item: WireStackItem = {
    component,
    component_type: "terraform",
    component_path: `components/terraform/${component}`,
    stack: names.stack,
    stack_slug: `${names.stack}-${component.replace(/\//g, "-")}`,
    dependents: null,
    included_in_dependents: !options.top,
    // The CLI sends settings for dependents too; most of ours carry none (Go's nil map: null).
    settings: options.top || options.depth === 1 ? { pro: proSettings(component) } : null,
  };
  if (options.top) {
    // omitempty context fields: set on the affected items, absent on most dependents.
    Object.assign(item, {
      namespace: "acme",
      tenant: names.tenant,
      environment: names.environment,
      stage: names.stage,
    });
    item.affected = component.startsWith("app/") ? "component" : "stack.vars";
    item.affected_all = n % 3 === 0 ? null : ["stack.vars", "component"];
  }
  if (options.withDependents) {
    const children = COMPONENT_DEPENDENTS[component] ?? [];
    // Go marshals a nil slice as null, an empty one as []: both appear on the wire.
    item.dependents =
      children.length === 0
        ? n % 2 === 0
          ? []
          : null
        : children.map((child) => node(child, n, { top: false, depth: options.depth + 1, withDependents: true }));
  }
  return item;
}

/** A cross-stack dependency: every tenant's prod `dns-delegated` depends on `core-gbl-dns`'s `dns-primary`. */
function dnsPrimary(prodStacks: number[]): WireStackItem {
  return {
    component: "dns-primary",
    component_type: "terraform",
    component_path: "components/terraform/dns-primary",
    stack: "core-gbl-dns",
    stack_slug: "core-gbl-dns-dns-primary",
    affected: "component",
    affected_all: ["component"],
    dependents: prodStacks.map((n) => node("dns-delegated", n, { top: false, depth: 1, withDependents: true })),
    included_in_dependents: false,
    settings: { pro: proSettings("dns-primary") },
  };
}

/**
 * An affected-stacks body of at least `targetBytes` serialized bytes: stacks after stacks, each with
 * every component as a top-level item carrying its full dependents tree (up to 5 levels:
 * vpc → eks/cluster → eks/karpenter → app/api → app/worker), so items repeat as dependents of
 * others; one cross-stack tree; some deleted components and one deleted stack. ~4 MiB ≈ 3000
 * top-level items.
 */
export function buildAffectedStacksPayload(targetBytes: number): WireAffectedStacksBody {
  const body: WireAffectedStacksBody = {
    head_sha: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    base_sha: "2c26b46b68ffc68ff99b453c1d30413413422d70",
    ...REPO,
    stacks: [],
  };
  const stacks = body.stacks!;
  let bytes = JSON.stringify(body).length;
  const prodStacks: number[] = [];
  const add = (item: WireStackItem) => {
    stacks.push(item);
    bytes += JSON.stringify(item).length + 1;
  };
  for (let n = 0; bytes < targetBytes; n++) {
    const names = stackName(n);
    if (names.stage === "prod") prodStacks.push(n);
    if (n % 50 === 49) {
      // A stack removed from the configuration: its components are deleted, nothing depends on them any more.
      for (const component of COMPONENTS.slice(0, 3)) {
        const item = node(component, n, { top: true, depth: 0, withDependents: false });
        item.dependents = [];
        item.deleted = true;
        item.deletion_type = "stack";
        add(item);
      }
      continue;
    }
    for (const [c, component] of COMPONENTS.entries()) {
      if (bytes >= targetBytes) break;
      if ((n * COMPONENTS.length + c) % 37 === 36) {
        const item = node(component, n, { top: true, depth: 0, withDependents: false });
        item.dependents = [];
        item.deleted = true;
        item.deletion_type = "component";
        add(item);
        continue;
      }
      add(node(component, n, { top: true, depth: 0, withDependents: true }));
    }
  }
  if (prodStacks.length > 0) add(dnsPrimary(prodStacks.slice(0, 20)));
  return body;
}

/**
 * Splits a body as the CLI does (pkg/pro/chunked_upload.go): items packed greedily, in order, into
 * chunks whose serialized size stays under `maxBytes`, all sharing one batch id.
 */
export function chunkAffectedStacks(
  body: WireAffectedStacksBody,
  maxBytes: number,
  batchId: string = crypto.randomUUID(),
): WireAffectedStacksBody[] {
  const stacks = body.stacks ?? [];
  const metadata = JSON.stringify({ ...body, stacks: [] }).length + 200;
  const available = maxBytes - metadata;
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let used = 0;
  stacks.forEach((item, i) => {
    let size = JSON.stringify(item).length + (i > start ? 1 : 0);
    if (i > start && used + size > available) {
      ranges.push([start, i]);
      start = i;
      used = 0;
      size -= 1;
    }
    used += size;
  });
  ranges.push([start, stacks.length]);
  return ranges.map(([from, to], index) => ({
    ...body,
    stacks: stacks.slice(from, to),
    batch_id: batchId,
    batch_index: index,
    batch_total: ranges.length,
  }));
}

/** The items and edges a payload means, computed independently of the server's code: "stack\0component" keys. */
export function expectedGraph(stacks: WireStackItem[]): { items: Set<string>; edges: Set<string> } {
  const items = new Set<string>();
  const edges = new Set<string>();
  const walk = (item: WireStackItem) => {
    const key = `${item.stack}\u0000${item.component}`;
    items.add(key);
    for (const dependent of item.dependents ?? []) {
      const dependentKey = `${dependent.stack}\u0000${dependent.component}`;
      if (dependentKey !== key) edges.add(`${key} -> ${dependentKey}`);
      walk(dependent);
    }
  };
  stacks.forEach(walk);
  return { items, edges };
}

/** An instances (inventory) body as `atmos list instances --upload` sends it. */
export function buildInstancesBody(
  instances: Array<{ stack: string; component: string; drift?: boolean; pro?: boolean }>,
) {
  return {
    ...REPO,
    instances: instances.map(({ stack, component, drift = true, pro = true }) => ({
      component,
      stack,
      component_type: "terraform",
      settings: pro
        ? {
            pro: {
              ...proSettings(component),
              drift_detection: {
                enabled: drift,
                detect: {
                  workflows: {
                    "atmos-terraform-plan.yaml": {
                      inputs: { component: "{{ .atmos_component }}", stack: "{{ .atmos_stack }}" },
                    },
                  },
                },
              },
            },
          }
        : null,
      vars: null,
      env: null,
      backend: null,
      metadata: null,
    })),
  };
}

/** A D1 binding that records every statement bound (its SQL and parameter count) before it runs. */
export function recordingD1(d1: D1Database, log: Array<{ sql: string; params: number }>): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") {
        return (query: string) => {
          const statement = target.prepare(query);
          return new Proxy(statement, {
            get(s, p) {
              if (p === "bind") {
                return (...params: unknown[]) => {
                  log.push({ sql: query, params: params.length });
                  return s.bind(...params);
                };
              }
              const value = Reflect.get(s, p);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
