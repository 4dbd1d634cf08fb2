/**
 * The whole data model of Atmos Pro, in one place (drizzle, sqlite-core → D1).
 *
 * Conventions:
 * - IDs are text with a product prefix (`ws_`, `usr_`, …) + 28 base62 characters (see app/domain/ids.ts).
 * - Times are integer milliseconds since the epoch (`timestamp_ms`), so ordering and keyset pagination
 *   are plain integer comparisons.
 * - Every table that belongs to a tenant carries `workspace_id` and every page query filters by it;
 *   deleting a workspace cascades to everything it owns.
 */
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);
const updatedAt = () =>
  integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const ROLES = ["owner", "admin", "member"] as const;
export const INSTANCE_STATUSES = ["in_sync", "drifted", "error", "unknown"] as const;
export const DEPLOYMENT_KINDS = ["plan", "apply", "detect", "remediate"] as const;
/**
 * A deployment's life: a job of a batch waits (pending, or blocked by a lock), is claimed
 * (dispatching) and dispatched (queued), runs (in_progress, awaiting_approval), and ends (success,
 * failure, cancelled, superseded by a newer job, or skipped because something it depends on failed).
 */
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
export const DEPLOYMENT_EVENTS = ["pull_request", "merge_group", "release"] as const;
export const PULL_REQUEST_STATES = ["open", "closed", "merged"] as const;
export const BATCH_STATUSES = ["running", "success", "failure", "cancelled", "superseded", "invalid"] as const;
export const PERMISSION_TYPES = [
  "Affected Stacks Create",
  "Deployments Create",
  "Instances Upload",
  "Locks Manage",
] as const;
export const AUTH_PROVIDERS = ["github", "oidc", "dev"] as const;
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export const STATUS_COMPONENTS = ["authentication", "dashboard", "api", "webhooks", "deployments"] as const;

// ─── People and sign-in ────────────────────────────────────────────────────────────────────────

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  login: text("login"),
  name: text("name").notNull(),
  email: text("email"),
  avatarUrl: text("avatar_url"),
  /** The workspace `/dashboard` opens by default. */
  lastWorkspaceId: text("last_workspace_id"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** One row per way a user signs in (a GitHub account, an OIDC subject, a dev identity). */
export const identities = sqliteTable(
  "identities",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: AUTH_PROVIDERS }).notNull(),
    /** The OIDC issuer, GitHub's URL, or "dev". */
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    email: text("email"),
    /** The provider said the email is the person's (`email_verified: true`, GitHub's verified primary). */
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    login: text("login"),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("identities_provider_subject").on(t.provider, t.issuer, t.subject),
    index("identities_user").on(t.userId),
  ],
);

/** A signed-in browser. The cookie carries the id; revoking the row signs that browser out. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: AUTH_PROVIDERS }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    /** Rolling expiry, pushed forward on use … */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    /** … but never past this. */
    absoluteExpiresAt: integer("absolute_expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId, t.revokedAt)],
);

// ─── Tenancy ──────────────────────────────────────────────────────────────────────────────────

export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  plan: text("plan", { enum: ["free", "team", "enterprise"] })
    .notNull()
    .default("free"),
  /** Enterprise: members must be signed in with the OIDC provider (single sign-on) to use the workspace. */
  requireSso: integer("require_sso", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Old slugs keep working after a rename: they redirect to the workspace's current slug. */
export const workspaceSlugRedirects = sqliteTable("workspace_slug_redirects", {
  slug: text("slug").primaryKey(),
  workspaceId: text("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("memberships_user").on(t.userId)],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** A GitHub login or an email address. */
    invitee: text("invitee").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    /** SHA-256 of the single-use token in the link; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    acceptedAt: integer("accepted_at", { mode: "timestamp_ms" }),
    acceptedBy: text("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("invitations_workspace").on(t.workspaceId, t.createdAt)],
);

// ─── GitHub ───────────────────────────────────────────────────────────────────────────────────

export const githubInstallations = sqliteTable(
  "github_installations",
  {
    /** GitHub's installation id. */
    id: integer("id").primaryKey(),
    workspaceId: text("workspace_id").references(() => workspaces.id, { onDelete: "set null" }),
    accountLogin: text("account_login").notNull(),
    accountType: text("account_type", { enum: ["User", "Organization"] }).notNull(),
    host: text("host").notNull().default("github.com"),
    /** GitHub's id of the account the App is installed on. */
    accountGithubId: integer("account_github_id"),
    /** GitHub's id of whoever installed it (the `installation.created` sender): who may connect it to a workspace. */
    installedByGithubId: integer("installed_by_github_id"),
    repositorySelection: text("repository_selection", { enum: ["all", "selected"] }),
    /** The permissions the installation granted (JSON object, e.g. {"contents":"write"}). */
    permissions: text("permissions", { mode: "json" }).$type<Record<string, string>>(),
    suspendedAt: integer("suspended_at", { mode: "timestamp_ms" }),
    /** Uninstalled: kept so that a late event for it never brings it back. */
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("github_installations_workspace").on(t.workspaceId)],
);

export const repositories = sqliteTable(
  "repositories",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull().default("github.com"),
    owner: text("owner").notNull(),
    name: text("name").notNull(),
    installationId: integer("installation_id").references(() => githubInstallations.id, {
      onDelete: "set null",
    }),
    githubId: integer("github_id"),
    defaultBranch: text("default_branch").notNull().default("main"),
    /** Deleted on GitHub. */
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("repositories_host_owner_name").on(t.host, t.owner, t.name),
    index("repositories_installation").on(t.installationId),
    index("repositories_github_id").on(t.host, t.githubId),
  ],
);

/** A repository may be imported into several workspaces. */
export const workspaceRepositories = sqliteTable(
  "workspace_repositories",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    importedBy: text("imported_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.repositoryId] }),
    index("workspace_repositories_repository").on(t.repositoryId),
  ],
);

/**
 * How many live instances (not removed) each repository of a workspace has in each status, kept up to
 * date by triggers on `instances` (db/migrations/0009_instance_status_counts.sql), so the overview and
 * the Repositories page read a few rows instead of counting every instance on each view.
 */
export const instanceStatusCounts = sqliteTable(
  "instance_status_counts",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    status: text("status", { enum: INSTANCE_STATUSES }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.repositoryId, t.status] })],
);

/** What a workflow of an imported repository may do. Patterns: `*`, an exact string, or a regex. */
export const repositoryPermissions = sqliteTable(
  "repository_permissions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    type: text("type", { enum: PERMISSION_TYPES }).notNull(),
    workflowPattern: text("workflow_pattern").notNull().default("*"),
    branchPattern: text("branch_pattern").notNull().default("*"),
    environmentPattern: text("environment_pattern").notNull().default("*"),
    createdAt: createdAt(),
  },
  (t) => [index("repository_permissions_lookup").on(t.workspaceId, t.repositoryId, t.type)],
);

// ─── Instances (a component in a stack) ───────────────────────────────────────────────────────

export const instances = sqliteTable(
  "instances",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    stack: text("stack").notNull(),
    component: text("component").notNull(),
    componentType: text("component_type").notNull().default("terraform"),
    /** The instance's `settings.pro` as JSON text, or null. */
    settingsPro: text("settings_pro", { mode: "json" }).$type<Record<string, unknown> | null>(),
    driftEnabled: integer("drift_enabled", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: INSTANCE_STATUSES }).notNull().default("unknown"),
    lastCommand: text("last_command"),
    lastExitCode: integer("last_exit_code"),
    lastRunAt: integer("last_run_at", { mode: "timestamp_ms" }),
    /** Set when an inventory upload no longer lists the instance. */
    removedAt: integer("removed_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("instances_identity").on(t.workspaceId, t.repositoryId, t.stack, t.component),
    index("instances_repository_page").on(t.workspaceId, t.repositoryId, t.component, t.stack),
    index("instances_repository_status").on(t.workspaceId, t.repositoryId, t.status),
    // "Needs attention": a workspace's errors, then its drifted instances, most recent run first.
    index("instances_workspace_status_last_run").on(t.workspaceId, t.status, t.lastRunAt),
    // The instances table sorted by last run (never-run last), in the exact order the page reads it.
    index("instances_repository_last_run_page").on(
      t.workspaceId,
      t.repositoryId,
      sql`coalesce(${t.lastRunAt}, -1)`,
      t.component,
      t.stack,
    ),
  ],
);

/** Each plan/apply/detect/remediate result reported for an instance. */
export const instanceResults = sqliteTable(
  "instance_results",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    command: text("command", { enum: DEPLOYMENT_KINDS }).notNull(),
    exitCode: integer("exit_code").notNull(),
    status: text("status", { enum: INSTANCE_STATUSES }).notNull(),
    ranAt: integer("ran_at", { mode: "timestamp_ms" }).notNull(),
    /** The drift run whose detect reported it (null: a plan or apply of a pull request, or a run of its own). */
    driftRunId: text("drift_run_id").references((): AnySQLiteColumn => driftRuns.id, { onDelete: "set null" }),
  },
  (t) => [
    index("instance_results_instance").on(t.instanceId, t.ranAt),
    index("instance_results_drift_run").on(t.driftRunId, t.status),
    index("instance_results_workspace_drift_time").on(t.workspaceId, t.driftRunId, t.ranAt),
    index("instance_results_workspace_time").on(t.workspaceId, t.ranAt),
  ],
);

// ─── Affected-stacks uploads ──────────────────────────────────────────────────────────────────

export const affectedStacksUploads = sqliteTable(
  "affected_stacks_uploads",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    headSha: text("head_sha").notNull(),
    baseSha: text("base_sha").notNull(),
    pullRequest: integer("pull_request"),
    headRef: text("head_ref"),
    /** Chunked uploads share a batch id; a single upload has none. */
    batchId: text("batch_id"),
    batchTotal: integer("batch_total").notNull().default(1),
    batchReceived: integer("batch_received").notNull().default(0),
    status: text("status", { enum: ["receiving", "complete", "expired"] })
      .notNull()
      .default("receiving"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("affected_stacks_uploads_batch").on(t.workspaceId, t.batchId),
    index("affected_stacks_uploads_head").on(t.workspaceId, t.repositoryId, t.headSha),
    index("affected_stacks_uploads_pr").on(t.workspaceId, t.repositoryId, t.pullRequest),
    index("affected_stacks_uploads_time").on(t.workspaceId, t.createdAt),
  ],
);

/** Raw chunks of a batched upload, kept until the batch is whole. */
export const affectedStacksChunks = sqliteTable(
  "affected_stacks_chunks",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => affectedStacksUploads.id, { onDelete: "cascade" }),
    batchIndex: integer("batch_index").notNull(),
    body: text("body").notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.batchIndex] })],
);

export const affectedStackItems = sqliteTable(
  "affected_stack_items",
  {
    id: text("id").primaryKey(),
    uploadId: text("upload_id")
      .notNull()
      .references(() => affectedStacksUploads.id, { onDelete: "cascade" }),
    stack: text("stack").notNull(),
    component: text("component").notNull(),
    componentType: text("component_type").notNull(),
    componentPath: text("component_path"),
    affected: text("affected"),
    affectedAll: integer("affected_all", { mode: "boolean" }).notNull().default(false),
    includedInDependents: integer("included_in_dependents", { mode: "boolean" }).notNull().default(false),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    deletionType: text("deletion_type", { enum: ["component", "stack"] }),
    settingsPro: text("settings_pro", { mode: "json" }).$type<Record<string, unknown> | null>(),
    planStatus: text("plan_status", { enum: DEPLOYMENT_STATUSES }),
    applyStatus: text("apply_status", { enum: DEPLOYMENT_STATUSES }),
  },
  (t) => [uniqueIndex("affected_stack_items_identity").on(t.uploadId, t.stack, t.component)],
);

/** `dependentItemId` must wait for `itemId`: the edges of the upload's dependency graph. */
export const affectedStackEdges = sqliteTable(
  "affected_stack_edges",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => affectedStacksUploads.id, { onDelete: "cascade" }),
    itemId: text("item_id")
      .notNull()
      .references(() => affectedStackItems.id, { onDelete: "cascade" }),
    dependentItemId: text("dependent_item_id")
      .notNull()
      .references(() => affectedStackItems.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.itemId, t.dependentItemId] })],
);

// ─── Pull requests, triggers and batches ──────────────────────────────────────────────────────

/** A pull request as GitHub's `pull_request` events describe it (a GitHub fact about a repository). */
export const pullRequests = sqliteTable(
  "pull_requests",
  {
    id: text("id").primaryKey(),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    title: text("title").notNull(),
    author: text("author").notNull(),
    state: text("state", { enum: PULL_REQUEST_STATES }).notNull(),
    headSha: text("head_sha").notNull(),
    headRef: text("head_ref").notNull(),
    baseRef: text("base_ref").notNull(),
    htmlUrl: text("html_url").notNull(),
    /** GitHub's `updated_at` of the event last applied: a late, older event never overwrites a newer one. */
    githubUpdatedAt: integer("github_updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Our one comment on it (edited in place as jobs move). */
    commentId: integer("comment_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("pull_requests_number").on(t.repositoryId, t.number)],
);

/**
 * Something GitHub told us that deploys a head sha: a pull request opened / synchronized / reopened /
 * merged, a merge group's checks requested, a release. It meets an affected-stacks upload of the same
 * repository and head sha (whichever arrives first waits for the other) and the pair becomes a batch.
 */
export const deploymentTriggers = sqliteTable(
  "deployment_triggers",
  {
    id: text("id").primaryKey(),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    /** The webhook delivery it came from: a redelivery adds nothing. */
    deliveryId: text("delivery_id").notNull(),
    event: text("event", { enum: DEPLOYMENT_EVENTS }).notNull(),
    /** opened | synchronize | reopened | merged | checks_requested | published | released */
    activity: text("activity").notNull(),
    headSha: text("head_sha").notNull(),
    /** The branch (or tag) its workflows are dispatched on. */
    ref: text("ref").notNull(),
    pullRequestNumber: integer("pull_request_number"),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    /**
     * A merge group that no upload met in time: when the sweeper claimed it to report "No affected
     * stacks workflow detected" (claimed before the call, so it is reported once).
     */
    settledAt: integer("settled_at", { mode: "timestamp_ms" }),
    /** The neutral "Atmos Pro" check run posted then; a batch of the same head sha edits it later. */
    checkRunId: integer("check_run_id"),
  },
  (t) => [
    uniqueIndex("deployment_triggers_delivery").on(t.deliveryId),
    index("deployment_triggers_head").on(t.repositoryId, t.headSha, t.receivedAt),
    // `published` and `released` of one release (and a pre-release promoted later) deploy its commit once.
    uniqueIndex("deployment_triggers_release")
      .on(t.repositoryId, t.headSha)
      .where(sql`${t.event} = 'release'`),
    index("deployment_triggers_unsettled").on(t.event, t.settledAt, t.receivedAt),
  ],
);

/** A trigger and an upload, matched: the jobs of one plan or apply of a head sha, in dependency order. */
export const deploymentBatches = sqliteTable(
  "deployment_batches",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    uploadId: text("upload_id")
      .notNull()
      .references(() => affectedStacksUploads.id, { onDelete: "cascade" }),
    triggerId: text("trigger_id")
      .notNull()
      .references(() => deploymentTriggers.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["plan", "apply"] }).notNull(),
    event: text("event", { enum: DEPLOYMENT_EVENTS }).notNull(),
    activity: text("activity").notNull(),
    headSha: text("head_sha").notNull(),
    ref: text("ref").notNull(),
    pullRequestNumber: integer("pull_request_number"),
    status: text("status", { enum: BATCH_STATUSES }).notNull(),
    /** Why the batch was refused (a dependency cycle, a workflow input we cannot render). */
    error: text("error"),
    /** At most this many of its jobs in flight at once. */
    maxInFlight: integer("max_in_flight").notNull(),
    /** The "Atmos Pro" check run on its head sha (shared by the batches of one head). */
    checkRunId: integer("check_run_id"),
    createdAt: createdAt(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // One batch per upload, and one per trigger in a workspace: matching twice is a no-op.
    uniqueIndex("deployment_batches_upload").on(t.uploadId),
    uniqueIndex("deployment_batches_trigger").on(t.workspaceId, t.triggerId),
    index("deployment_batches_pull_request").on(t.workspaceId, t.repositoryId, t.pullRequestNumber, t.createdAt),
    index("deployment_batches_status").on(t.status, t.createdAt),
  ],
);

// ─── Deployments (dispatched workflow runs) ───────────────────────────────────────────────────

export const deployments = sqliteTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    instanceId: text("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    uploadId: text("upload_id").references(() => affectedStacksUploads.id, {
      onDelete: "set null",
    }),
    kind: text("kind", { enum: DEPLOYMENT_KINDS }).notNull(),
    status: text("status", { enum: DEPLOYMENT_STATUSES }).notNull(),
    workflow: text("workflow").notNull(),
    githubRunId: integer("github_run_id"),
    githubRunUrl: text("github_run_url"),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    /** The batch this job belongs to (null: recorded without one). */
    batchId: text("batch_id").references(() => deploymentBatches.id, { onDelete: "cascade" }),
    /** The upload's item it deploys: its place in the dependency graph. */
    itemId: text("item_id").references(() => affectedStackItems.id, { onDelete: "set null" }),
    /** The ref and the rendered inputs it is dispatched with (every input a string). */
    ref: text("ref"),
    inputs: text("inputs", { mode: "json" }).$type<Record<string, string>>(),
    /** Why it is blocked, skipped or failed to dispatch, in the product's words. */
    reason: text("reason"),
    /** Dispatch attempts so far, and the earliest time of the next one (GitHub's Retry-After). */
    attempts: integer("attempts").notNull().default(0),
    notBefore: integer("not_before", { mode: "timestamp_ms" }),
    dispatchedAt: integer("dispatched_at", { mode: "timestamp_ms" }),
    /** The drift run this detect or remediate job belongs to (null: a batch's job). */
    driftRunId: text("drift_run_id").references((): AnySQLiteColumn => driftRuns.id, { onDelete: "cascade" }),
  },
  (t) => [
    index("deployments_batch").on(t.batchId, t.status),
    index("deployments_drift_run").on(t.driftRunId, t.status),
    // One detect (and at most one remediate) per instance and workflow in a drift run.
    uniqueIndex("deployments_drift_once")
      .on(t.driftRunId, t.instanceId, t.kind, t.workflow)
      .where(sql`${t.driftRunId} IS NOT NULL`),
    index("deployments_run").on(t.githubRunId),
    index("deployments_workspace_time").on(t.workspaceId, t.createdAt),
    index("deployments_workspace_status").on(t.workspaceId, t.status, t.createdAt),
    index("deployments_workspace_kind").on(t.workspaceId, t.kind, t.createdAt),
    index("deployments_instance").on(t.instanceId, t.createdAt),
  ],
);

// ─── Locks, schedules, audit ──────────────────────────────────────────────────────────────────

/** Advisory locks: while a key is locked nothing is dispatched to it. Key: owner/repo/stack/component. */
export const locks = sqliteTable(
  "locks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    message: text("message"),
    lockedBy: text("locked_by").notNull(),
    properties: text("properties", { mode: "json" }).$type<Record<string, unknown> | null>(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("locks_workspace_key").on(t.workspaceId, t.key, t.deletedAt),
    index("locks_workspace_expiry").on(t.workspaceId, t.deletedAt, t.expiresAt),
  ],
);

export const driftSchedules = sqliteTable(
  "drift_schedules",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** Null: every repository of the workspace. */
    repositoryId: text("repository_id").references(() => repositories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Whether a drifted instance gets its `drift_detection.remediate` workflows, once. */
    remediate: integer("remediate", { mode: "boolean" }).notNull().default(false),
    lastRunAt: integer("last_run_at", { mode: "timestamp_ms" }),
    nextRunAt: integer("next_run_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("drift_schedules_workspace").on(t.workspaceId),
    index("drift_schedules_due").on(t.enabled, t.nextRunAt),
  ],
);

export const DRIFT_RUN_CAUSES = ["schedule", "manual"] as const;
export const DRIFT_RUN_STATUSES = ["running", "success", "failure"] as const;

/**
 * One drift check of one repository: a schedule that came due, or a person's "check now" (of the
 * repository, or of one instance). Its jobs are deployments (detect, then remediate) with this id.
 */
export const driftRuns = sqliteTable(
  "drift_runs",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    scheduleId: text("schedule_id").references(() => driftSchedules.id, { onDelete: "set null" }),
    cause: text("cause", { enum: DRIFT_RUN_CAUSES }).notNull(),
    /** Who or what started it, in words: the schedule's name, or the person's login. */
    requestedBy: text("requested_by").notNull(),
    /** Whether a drifted instance gets its remediate workflows (the schedule's choice when it started). */
    remediate: integer("remediate", { mode: "boolean" }).notNull().default(false),
    /** The branch the workflows run on (the repository's default branch), and its commit once resolved. */
    ref: text("ref").notNull(),
    headSha: text("head_sha"),
    status: text("status", { enum: DRIFT_RUN_STATUSES }).notNull(),
    maxInFlight: integer("max_in_flight").notNull(),
    error: text("error"),
    createdAt: createdAt(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("drift_runs_workspace_time").on(t.workspaceId, t.createdAt),
    index("drift_runs_status").on(t.status, t.createdAt),
    index("drift_runs_schedule").on(t.scheduleId, t.createdAt),
  ],
);

/** Append-only. Written in the same D1 batch as the change it records. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    actorType: text("actor_type", { enum: ["user", "ci", "system"] }).notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull(),
    /** e.g. `workspace.created`, `team_member.invited`, `permission.default_created`. */
    action: text("action").notNull(),
    /** The part of `action` before the dot, kept for filtering. */
    category: text("category").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown> | null>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_events_workspace_time").on(t.workspaceId, t.createdAt, t.id),
    index("audit_events_workspace_category").on(t.workspaceId, t.category, t.createdAt, t.id),
    index("audit_events_workspace_actor").on(t.workspaceId, t.actorId, t.createdAt, t.id),
  ],
);

/** GitHub Actions OIDC tokens already exchanged (single use), kept until they expire. */
export const usedOidcTokens = sqliteTable(
  "used_oidc_tokens",
  {
    jti: text("jti").primaryKey(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("used_oidc_tokens_expiry").on(t.expiresAt)],
);

// ─── Status page ──────────────────────────────────────────────────────────────────────────────

export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    /** `<YYYY-MM-DD>-<slug>`, the incident page's address. */
    slug: text("slug").notNull().unique(),
    title: text("title").notNull(),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull(),
    impact: text("impact_level", { enum: ["degraded", "partial_outage", "major_outage"] })
      .notNull()
      .default("degraded"),
    author: text("author").notNull(),
    occurredAt: integer("occurred_at", { mode: "timestamp_ms" }).notNull(),
    mitigatedAt: integer("mitigated_at", { mode: "timestamp_ms" }),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    /** Postmortem sections, markdown. */
    summary: text("summary"),
    impactText: text("impact"),
    whatHappened: text("what_happened"),
    whatWeDid: text("what_we_did"),
    followUp: text("follow_up"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("incidents_time").on(t.occurredAt), index("incidents_status").on(t.status)],
);

export const incidentUpdates = sqliteTable(
  "incident_updates",
  {
    id: text("id").primaryKey(),
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull(),
    body: text("body").notNull(),
    author: text("author").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("incident_updates_incident").on(t.incidentId, t.createdAt)],
);

export const incidentComponents = sqliteTable(
  "incident_components",
  {
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    component: text("component", { enum: STATUS_COMPONENTS }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.component] }), index("incident_components_component").on(t.component)],
);

// ─── Instance inventory uploads ───────────────────────────────────────────────────────────────

/**
 * A chunked inventory upload (POST /api/v1/instances with batch fields) while its chunks arrive.
 * Each chunk's instances are upserted as it comes; what the inventory no longer lists is marked
 * removed only once every chunk is in (instances not written since `started_at`).
 */
export const instanceUploads = sqliteTable(
  "instance_uploads",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    batchId: text("batch_id").notNull(),
    repositoryId: text("repository_id")
      .notNull()
      .references(() => repositories.id, { onDelete: "cascade" }),
    batchTotal: integer("batch_total").notNull(),
    /** Distinct chunks in so far … */
    received: integer("received").notNull().default(0),
    /** … and which ones (a JSON array of batch indexes), so a retried chunk is not counted twice. */
    receivedIndexes: text("received_indexes").notNull().default("[]"),
    status: text("status", { enum: ["receiving", "complete", "expired"] })
      .notNull()
      .default("receiving"),
    /** The first chunk's time. */
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.batchId] }),
    index("instance_uploads_status").on(t.status, t.startedAt),
  ],
);

// ─── Webhooks ──────────────────────────────────────────────────────────────────────────────────

export const WEBHOOK_DELIVERY_STATUSES = ["queued", "processing", "done", "ignored", "failed"] as const;

/**
 * One row per GitHub delivery (`X-GitHub-Delivery`), stored before it is queued: the id makes a
 * redelivery a no-op, and the row is what the queue consumer reads and what admins see.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    action: text("action"),
    installationId: integer("installation_id"),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    /** Why the last attempt failed, or why the delivery was ignored (no secret, no payload). */
    error: text("error"),
    /** The raw body is stored in parts (webhook_delivery_bodies), gzip + base64. */
    bodyParts: integer("body_parts").notNull(),
    bodyBytes: integer("body_bytes").notNull(),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    processedAt: integer("processed_at", { mode: "timestamp_ms" }),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_deliveries_received").on(t.receivedAt),
    index("webhook_deliveries_installation").on(t.installationId, t.receivedAt),
  ],
);

export const webhookDeliveryBodies = sqliteTable(
  "webhook_delivery_bodies",
  {
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    part: integer("part").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.part] })],
);
