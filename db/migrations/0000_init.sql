CREATE TABLE `affected_stack_edges` (
	`upload_id` text NOT NULL,
	`item_id` text NOT NULL,
	`dependent_item_id` text NOT NULL,
	PRIMARY KEY(`upload_id`, `item_id`, `dependent_item_id`),
	FOREIGN KEY (`upload_id`) REFERENCES `affected_stacks_uploads`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `affected_stack_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`dependent_item_id`) REFERENCES `affected_stack_items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `affected_stack_items` (
	`id` text PRIMARY KEY NOT NULL,
	`upload_id` text NOT NULL,
	`stack` text NOT NULL,
	`component` text NOT NULL,
	`component_type` text NOT NULL,
	`component_path` text,
	`affected` text,
	`affected_all` integer DEFAULT false NOT NULL,
	`included_in_dependents` integer DEFAULT false NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`deletion_type` text,
	`settings_pro` text,
	`plan_status` text,
	`apply_status` text,
	FOREIGN KEY (`upload_id`) REFERENCES `affected_stacks_uploads`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `affected_stack_items_identity` ON `affected_stack_items` (`upload_id`,`stack`,`component`);--> statement-breakpoint
CREATE TABLE `affected_stacks_chunks` (
	`upload_id` text NOT NULL,
	`batch_index` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`upload_id`, `batch_index`),
	FOREIGN KEY (`upload_id`) REFERENCES `affected_stacks_uploads`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `affected_stacks_uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`head_sha` text NOT NULL,
	`base_sha` text NOT NULL,
	`pull_request` integer,
	`head_ref` text,
	`batch_id` text,
	`batch_total` integer DEFAULT 1 NOT NULL,
	`batch_received` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'receiving' NOT NULL,
	`expires_at` integer,
	`completed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `affected_stacks_uploads_batch` ON `affected_stacks_uploads` (`workspace_id`,`batch_id`);--> statement-breakpoint
CREATE INDEX `affected_stacks_uploads_head` ON `affected_stacks_uploads` (`workspace_id`,`repository_id`,`head_sha`);--> statement-breakpoint
CREATE INDEX `affected_stacks_uploads_pr` ON `affected_stacks_uploads` (`workspace_id`,`repository_id`,`pull_request`);--> statement-breakpoint
CREATE INDEX `affected_stacks_uploads_time` ON `affected_stacks_uploads` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`category` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`metadata` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `audit_events_workspace_time` ON `audit_events` (`workspace_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_workspace_category` ON `audit_events` (`workspace_id`,`category`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_workspace_actor` ON `audit_events` (`workspace_id`,`actor_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`instance_id` text NOT NULL,
	`upload_id` text,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`workflow` text NOT NULL,
	`github_run_id` integer,
	`github_run_url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`started_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`upload_id`) REFERENCES `affected_stacks_uploads`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `deployments_workspace_time` ON `deployments` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `deployments_workspace_status` ON `deployments` (`workspace_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `deployments_workspace_kind` ON `deployments` (`workspace_id`,`kind`,`created_at`);--> statement-breakpoint
CREATE INDEX `deployments_instance` ON `deployments` (`instance_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `drift_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text,
	`name` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`last_run_at` integer,
	`next_run_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `drift_schedules_workspace` ON `drift_schedules` (`workspace_id`);--> statement-breakpoint
CREATE INDEX `drift_schedules_due` ON `drift_schedules` (`enabled`,`next_run_at`);--> statement-breakpoint
CREATE TABLE `github_installations` (
	`id` integer PRIMARY KEY NOT NULL,
	`workspace_id` text,
	`account_login` text NOT NULL,
	`account_type` text NOT NULL,
	`host` text DEFAULT 'github.com' NOT NULL,
	`suspended_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `github_installations_workspace` ON `github_installations` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `identities` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`email` text,
	`login` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identities_provider_subject` ON `identities` (`provider`,`issuer`,`subject`);--> statement-breakpoint
CREATE INDEX `identities_user` ON `identities` (`user_id`);--> statement-breakpoint
CREATE TABLE `incident_components` (
	`incident_id` text NOT NULL,
	`component` text NOT NULL,
	PRIMARY KEY(`incident_id`, `component`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_components_component` ON `incident_components` (`component`);--> statement-breakpoint
CREATE TABLE `incident_updates` (
	`id` text PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL,
	`status` text NOT NULL,
	`body` text NOT NULL,
	`author` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_updates_incident` ON `incident_updates` (`incident_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`impact_level` text DEFAULT 'degraded' NOT NULL,
	`author` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`mitigated_at` integer,
	`resolved_at` integer,
	`summary` text,
	`impact` text,
	`what_happened` text,
	`what_we_did` text,
	`follow_up` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_slug_unique` ON `incidents` (`slug`);--> statement-breakpoint
CREATE INDEX `incidents_time` ON `incidents` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `incidents_status` ON `incidents` (`status`);--> statement-breakpoint
CREATE TABLE `instance_results` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`instance_id` text NOT NULL,
	`command` text NOT NULL,
	`exit_code` integer NOT NULL,
	`status` text NOT NULL,
	`ran_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_results_instance` ON `instance_results` (`instance_id`,`ran_at`);--> statement-breakpoint
CREATE INDEX `instance_results_workspace_time` ON `instance_results` (`workspace_id`,`ran_at`);--> statement-breakpoint
CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`stack` text NOT NULL,
	`component` text NOT NULL,
	`component_type` text DEFAULT 'terraform' NOT NULL,
	`settings_pro` text,
	`drift_enabled` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'unknown' NOT NULL,
	`last_command` text,
	`last_exit_code` integer,
	`last_run_at` integer,
	`removed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `instances_identity` ON `instances` (`workspace_id`,`repository_id`,`stack`,`component`);--> statement-breakpoint
CREATE INDEX `instances_repository_page` ON `instances` (`workspace_id`,`repository_id`,`component`,`stack`);--> statement-breakpoint
CREATE INDEX `instances_repository_status` ON `instances` (`workspace_id`,`repository_id`,`status`);--> statement-breakpoint
CREATE INDEX `instances_workspace_status` ON `instances` (`workspace_id`,`status`);--> statement-breakpoint
CREATE INDEX `instances_repository_last_run` ON `instances` (`workspace_id`,`repository_id`,`last_run_at`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`invitee` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`invited_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`accepted_at` integer,
	`accepted_by` text,
	`revoked_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`accepted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_workspace` ON `invitations` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `locks` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`key` text NOT NULL,
	`message` text,
	`locked_by` text NOT NULL,
	`properties` text,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `locks_workspace_key` ON `locks` (`workspace_id`,`key`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `locks_workspace_expiry` ON `locks` (`workspace_id`,`deleted_at`,`expires_at`);--> statement-breakpoint
CREATE TABLE `memberships` (
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `user_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `memberships_user` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `repositories` (
	`id` text PRIMARY KEY NOT NULL,
	`host` text DEFAULT 'github.com' NOT NULL,
	`owner` text NOT NULL,
	`name` text NOT NULL,
	`installation_id` integer,
	`github_id` integer,
	`default_branch` text DEFAULT 'main' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`installation_id`) REFERENCES `github_installations`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `repositories_host_owner_name` ON `repositories` (`host`,`owner`,`name`);--> statement-breakpoint
CREATE TABLE `repository_permissions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`type` text NOT NULL,
	`workflow_pattern` text DEFAULT '*' NOT NULL,
	`branch_pattern` text DEFAULT '*' NOT NULL,
	`environment_pattern` text DEFAULT '*' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `repository_permissions_lookup` ON `repository_permissions` (`workspace_id`,`repository_id`,`type`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`absolute_expires_at` integer NOT NULL,
	`revoked_at` integer,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`,`revoked_at`);--> statement-breakpoint
CREATE TABLE `used_oidc_tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `used_oidc_tokens_expiry` ON `used_oidc_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`login` text,
	`name` text NOT NULL,
	`email` text,
	`avatar_url` text,
	`last_workspace_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workspace_repositories` (
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`imported_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `repository_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`imported_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `workspace_repositories_repository` ON `workspace_repositories` (`repository_id`);--> statement-breakpoint
CREATE TABLE `workspace_slug_redirects` (
	`slug` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`plan` text DEFAULT 'free' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_slug_unique` ON `workspaces` (`slug`);