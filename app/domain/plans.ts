/**
 * What each plan includes: the one table the pricing page renders and the product checks against.
 * Enforced today: `members` when inviting and accepting, `repositories` when importing,
 * `driftSchedules` when creating a schedule (all inside the writes, app/domain/plan-limits.server.ts),
 * `auditRetentionDays` in what the audit log shows; older audit events are hidden, not yet pruned. Which sign-in
 * methods exist is set per deployment (AUTH_PROVIDERS); `oidcSignIn` is also what lets a workspace
 * require single sign-on (inside the write, app/domain/workspaces.server.ts `setRequireSso`).
 * A change here changes the page and the checks together.
 * `workspaces.plan` holds the plan id.
 */
export const PLANS = ["free", "team", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** Countable things. `null` means no limit. */
export const LIMITS = ["repositories", "members", "driftSchedules", "auditRetentionDays"] as const;
export type Limit = (typeof LIMITS)[number];

/** On/off features. */
export const FEATURES = [
  "orderedDeployments",
  "driftDetection",
  "advisoryLocks",
  "environmentApprovals",
  "githubSignIn",
  "oidcSignIn",
  "prioritySupport",
] as const;
export type Feature = (typeof FEATURES)[number];

export type PlanDefinition = {
  name: string;
  /** Shown as is on the pricing page. */
  price: string;
  priceNote: string;
  summary: string;
  limits: Record<Limit, number | null>;
  features: Record<Feature, boolean>;
};

const EVERYWHERE = {
  orderedDeployments: true,
  driftDetection: true,
  advisoryLocks: true,
  environmentApprovals: true,
  githubSignIn: true,
} as const;

export const PLAN_DEFINITIONS: Record<Plan, PlanDefinition> = {
  free: {
    name: "Free",
    price: "$0",
    priceNote: "forever",
    summary: "For trying Atmos Pro on a repository or two.",
    limits: { repositories: 3, members: 5, driftSchedules: 1, auditRetentionDays: 30 },
    features: { ...EVERYWHERE, oidcSignIn: false, prioritySupport: false },
  },
  team: {
    name: "Team",
    price: "$99",
    priceNote: "per workspace per month",
    summary: "For platform teams deploying to production every day.",
    limits: { repositories: 25, members: 50, driftSchedules: 10, auditRetentionDays: 365 },
    features: { ...EVERYWHERE, oidcSignIn: false, prioritySupport: false },
  },
  enterprise: {
    name: "Enterprise",
    price: "Custom",
    priceNote: "annual agreement",
    summary: "For organisations with many teams, single sign-on and audit requirements.",
    limits: { repositories: null, members: null, driftSchedules: null, auditRetentionDays: 730 },
    features: { ...EVERYWHERE, oidcSignIn: true, prioritySupport: true },
  },
};

export const LIMIT_LABELS: Record<Limit, { label: string; unit: string }> = {
  repositories: { label: "Repositories", unit: "repositories" },
  members: { label: "Members", unit: "members" },
  driftSchedules: { label: "Drift schedules", unit: "schedules" },
  auditRetentionDays: { label: "Audit log retention", unit: "days" },
};

export const FEATURE_LABELS: Record<Feature, string> = {
  orderedDeployments: "Ordered plan and apply runs",
  driftDetection: "Drift detection",
  advisoryLocks: "Advisory locks",
  environmentApprovals: "Approvals through GitHub Environments",
  githubSignIn: "Sign in with GitHub",
  oidcSignIn: "Single sign-on (OpenID Connect)",
  prioritySupport: "Priority support",
};

export function planLimit(plan: Plan, limit: Limit): number | null {
  return PLAN_DEFINITIONS[plan].limits[limit];
}

export function planAllows(plan: Plan, feature: Feature): boolean {
  return PLAN_DEFINITIONS[plan].features[feature];
}

/** Whether one more of `limit` fits, given how many the workspace has now. */
export function withinPlanLimit(plan: Plan, limit: Exclude<Limit, "auditRetentionDays">, current: number): boolean {
  const max = planLimit(plan, limit);
  return max === null || current < max;
}

/** "3", "1 year", "Unlimited": how the pricing table shows a limit. */
export function formatLimit(limit: Limit, value: number | null): string {
  if (value === null) return "Unlimited";
  if (limit === "auditRetentionDays") {
    if (value % 365 === 0) return value === 365 ? "1 year" : `${value / 365} years`;
    return `${value} days`;
  }
  return String(value);
}
