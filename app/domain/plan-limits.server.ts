/**
 * The plan limits of app/domain/plans.ts as the writes enforce them. A limit is checked inside the
 * statement that would exceed it (a condition on the workspace's plan, read in the same statement),
 * so two racing requests cannot both take the last place.
 */
import { inArray, sql, type SQL } from "drizzle-orm";
import { workspaces } from "../../db/schema";
import {
  FEATURE_LABELS,
  LIMIT_LABELS,
  PLAN_DEFINITIONS,
  PLANS,
  planAllows,
  planLimit,
  type Feature,
  type Limit,
  type Plan,
} from "./plans";

type CountedLimit = Exclude<Limit, "auditRetentionDays">;

/**
 * SQL that is true while `current` (an SQL count) is below the limit of the workspace's plan.
 * Unlimited plans have no branch, so their CASE is NULL and the condition holds.
 */
export function belowPlanLimit(limit: CountedLimit, workspaceId: string, current: SQL): SQL {
  const branches = PLANS.filter((plan) => planLimit(plan, limit) !== null).map(
    (plan) => sql`WHEN ${plan} THEN ${planLimit(plan, limit)}`,
  );
  const max = sql`(SELECT CASE ${workspaces.plan} ${sql.join(branches, sql` `)} END FROM ${workspaces} WHERE ${workspaces.id} = ${workspaceId})`;
  return sql`(${max} IS NULL OR ${current} < ${max})`;
}

/** What a user reads when a limit stops them: the plan, its limit, and what to do. */
export function planLimitMessage(plan: Plan, limit: CountedLimit, what: string): string {
  const max = planLimit(plan, limit);
  return `The ${PLAN_DEFINITIONS[plan].name} plan includes up to ${max} ${LIMIT_LABELS[limit].unit}, and ${what}. See /pricing for the plans that include more.`;
}

/** The plans that include `feature`, cheapest first. */
export function plansIncluding(feature: Feature): Plan[] {
  return PLANS.filter((plan) => planAllows(plan, feature));
}

/**
 * SQL, for a statement on the `workspaces` row itself: true while that workspace's plan includes
 * `feature` (read in the statement, like belowPlanLimit).
 */
export function planIncludes(feature: Feature): SQL {
  const plans = plansIncluding(feature);
  return plans.length > 0 ? inArray(workspaces.plan, plans) : sql`0`;
}

/** What a user reads when their plan does not include a feature: the plan, the feature, what to do. */
export function planFeatureMessage(plan: Plan, feature: Feature, what: string): string {
  const including = plansIncluding(feature).map((other) => PLAN_DEFINITIONS[other].name);
  const where =
    including.length > 0
      ? `It comes with the ${including.join(" and ")} plan${including.length > 1 ? "s" : ""}`
      : "No plan includes it yet";
  const label = FEATURE_LABELS[feature];
  return `The ${PLAN_DEFINITIONS[plan].name} plan does not include ${label[0]!.toLowerCase()}${label.slice(1)}, so ${what}. ${where}: see /pricing.`;
}
