/**
 * The words the database, the server and the browser share: roles, plans, instance and deployment
 * statuses, deployment kinds. Browser-safe (no schema library, no db/schema.ts, which must not reach
 * the browser): the lists are repeated from db/schema.ts, and the type checks below fail the build if
 * the two ever disagree. Schemas build on these (`type.enumerated(...INSTANCE_STATUSES)`), components
 * on their types; nothing else spells them out.
 */
import type {
  DEPLOYMENT_KINDS as DB_DEPLOYMENT_KINDS,
  DEPLOYMENT_STATUSES as DB_DEPLOYMENT_STATUSES,
  INSTANCE_STATUSES as DB_INSTANCE_STATUSES,
  WEBHOOK_DELIVERY_STATUSES as DB_WEBHOOK_DELIVERY_STATUSES,
  ROLES as DB_ROLES,
  AUTH_PROVIDERS as DB_AUTH_PROVIDERS,
  PERMISSION_TYPES as DB_PERMISSION_TYPES,
  PULL_REQUEST_STATES as DB_PULL_REQUEST_STATES,
  BATCH_STATUSES as DB_BATCH_STATUSES,
  DRIFT_RUN_CAUSES as DB_DRIFT_RUN_CAUSES,
  DRIFT_RUN_STATUSES as DB_DRIFT_RUN_STATUSES,
  DEPLOYMENT_EVENTS as DB_DEPLOYMENT_EVENTS,
  affectedStacksUploads,
  instanceUploads,
  workspaces,
} from "../../db/schema";
import { PLANS } from "./plans";
import { ROLES } from "./roles";

export { PLANS, ROLES };
export type { Plan } from "./plans";
export type { Role } from "./roles";

export const INSTANCE_STATUSES = ["in_sync", "drifted", "error", "unknown"] as const;
export const DEPLOYMENT_KINDS = ["plan", "apply", "detect", "remediate"] as const;
/** A deployment's life (db/schema.ts says each): waiting, dispatched, running, ended. */
export const DEPLOYMENT_STATUSES = [
  "pending",
  "blocked",
  "dispatching",
  "queued",
  "in_progress",
  "awaiting_approval",
  "success",
  "failure",
  "cancelled",
  "superseded",
  "skipped",
] as const;
/** A pull request as GitHub last told us. */
export const PULL_REQUEST_STATES = ["open", "closed", "merged"] as const;
/** A deployment batch (the jobs of one plan or apply of a head sha): running, then how it ended. */
export const BATCH_STATUSES = ["running", "success", "failure", "cancelled", "superseded", "invalid"] as const;
export const DRIFT_RUN_CAUSES = ["schedule", "manual"] as const;
export const DRIFT_RUN_STATUSES = ["running", "success", "failure"] as const;
/** What GitHub told us that starts a batch. */
export const DEPLOYMENT_EVENTS = ["pull_request", "merge_group", "release"] as const;
export const AUTH_PROVIDERS = ["github", "oidc", "dev"] as const;
/** A webhook delivery's progress: queued → processing → done | ignored | failed. */
export const WEBHOOK_DELIVERY_STATUSES = ["queued", "processing", "done", "ignored", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
/** What someone did on GitHub before its App setup URL sent them back (GitHub's `setup_action`). */
export const GITHUB_SETUP_ACTIONS = ["install", "update", "request"] as const;
export type GithubSetupAction = (typeof GITHUB_SETUP_ACTIONS)[number];
/** What a repository permission lets a workflow do (the atmos CLI's names). */
export const PERMISSION_TYPES = [
  "Affected Stacks Create",
  "Deployments Create",
  "Instances Upload",
  "Locks Manage",
] as const;
export type PermissionType = (typeof PERMISSION_TYPES)[number];
/** The orders a repository's instances can be listed in. */
export const INSTANCE_SORTS = ["component", "stack", "status", "last_run"] as const;
/** An upload's (affected stacks or an inventory) progress through its chunks. */
export const UPLOAD_STATUSES = ["receiving", "complete", "expired"] as const;

export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _SchemaAgrees = [
  Assert<Same<typeof ROLES, typeof DB_ROLES>>,
  Assert<Same<typeof INSTANCE_STATUSES, typeof DB_INSTANCE_STATUSES>>,
  Assert<Same<typeof DEPLOYMENT_KINDS, typeof DB_DEPLOYMENT_KINDS>>,
  Assert<Same<typeof DEPLOYMENT_STATUSES, typeof DB_DEPLOYMENT_STATUSES>>,
  Assert<Same<typeof AUTH_PROVIDERS, typeof DB_AUTH_PROVIDERS>>,
  Assert<Same<typeof WEBHOOK_DELIVERY_STATUSES, typeof DB_WEBHOOK_DELIVERY_STATUSES>>,
  Assert<Same<typeof PERMISSION_TYPES, typeof DB_PERMISSION_TYPES>>,
  Assert<Same<typeof PULL_REQUEST_STATES, typeof DB_PULL_REQUEST_STATES>>,
  Assert<Same<typeof BATCH_STATUSES, typeof DB_BATCH_STATUSES>>,
  Assert<Same<typeof DRIFT_RUN_CAUSES, typeof DB_DRIFT_RUN_CAUSES>>,
  Assert<Same<typeof DRIFT_RUN_STATUSES, typeof DB_DRIFT_RUN_STATUSES>>,
  Assert<Same<typeof DEPLOYMENT_EVENTS, typeof DB_DEPLOYMENT_EVENTS>>,
  Assert<Same<(typeof PLANS)[number], typeof workspaces.$inferSelect.plan>>,
  Assert<Same<UploadStatus, typeof affectedStacksUploads.$inferSelect.status>>,
  Assert<Same<UploadStatus, typeof instanceUploads.$inferSelect.status>>,
];
