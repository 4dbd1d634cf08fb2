CREATE TABLE `deployment_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`upload_id` text NOT NULL,
	`trigger_id` text NOT NULL,
	`kind` text NOT NULL,
	`event` text NOT NULL,
	`activity` text NOT NULL,
	`head_sha` text NOT NULL,
	`ref` text NOT NULL,
	`pull_request_number` integer,
	`status` text NOT NULL,
	`error` text,
	`max_in_flight` integer NOT NULL,
	`check_run_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`upload_id`) REFERENCES `affected_stacks_uploads`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`trigger_id`) REFERENCES `deployment_triggers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployment_batches_upload` ON `deployment_batches` (`upload_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployment_batches_trigger` ON `deployment_batches` (`workspace_id`,`trigger_id`);--> statement-breakpoint
CREATE INDEX `deployment_batches_pull_request` ON `deployment_batches` (`workspace_id`,`repository_id`,`pull_request_number`,`created_at`);--> statement-breakpoint
CREATE INDEX `deployment_batches_status` ON `deployment_batches` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `deployment_triggers` (
	`id` text PRIMARY KEY NOT NULL,
	`repository_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`event` text NOT NULL,
	`activity` text NOT NULL,
	`head_sha` text NOT NULL,
	`ref` text NOT NULL,
	`pull_request_number` integer,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployment_triggers_delivery` ON `deployment_triggers` (`delivery_id`);--> statement-breakpoint
CREATE INDEX `deployment_triggers_head` ON `deployment_triggers` (`repository_id`,`head_sha`,`received_at`);--> statement-breakpoint
CREATE TABLE `pull_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`repository_id` text NOT NULL,
	`number` integer NOT NULL,
	`title` text NOT NULL,
	`author` text NOT NULL,
	`state` text NOT NULL,
	`head_sha` text NOT NULL,
	`head_ref` text NOT NULL,
	`base_ref` text NOT NULL,
	`html_url` text NOT NULL,
	`github_updated_at` integer NOT NULL,
	`comment_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pull_requests_number` ON `pull_requests` (`repository_id`,`number`);--> statement-breakpoint
ALTER TABLE `deployments` ADD `batch_id` text REFERENCES deployment_batches(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `deployments` ADD `item_id` text REFERENCES affected_stack_items(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `deployments` ADD `ref` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `inputs` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `deployments` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `deployments` ADD `not_before` integer;--> statement-breakpoint
ALTER TABLE `deployments` ADD `dispatched_at` integer;--> statement-breakpoint
CREATE INDEX `deployments_batch` ON `deployments` (`batch_id`,`status`);--> statement-breakpoint
CREATE INDEX `deployments_run` ON `deployments` (`github_run_id`);