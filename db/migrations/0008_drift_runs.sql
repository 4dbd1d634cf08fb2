CREATE TABLE `drift_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`schedule_id` text,
	`cause` text NOT NULL,
	`requested_by` text NOT NULL,
	`remediate` integer DEFAULT false NOT NULL,
	`ref` text NOT NULL,
	`head_sha` text,
	`status` text NOT NULL,
	`max_in_flight` integer NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`schedule_id`) REFERENCES `drift_schedules`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `drift_runs_workspace_time` ON `drift_runs` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `drift_runs_status` ON `drift_runs` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `drift_runs_schedule` ON `drift_runs` (`schedule_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `deployments` ADD `drift_run_id` text REFERENCES drift_runs(id) ON DELETE cascade;--> statement-breakpoint
CREATE INDEX `deployments_drift_run` ON `deployments` (`drift_run_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_drift_once` ON `deployments` (`drift_run_id`,`instance_id`,`kind`,`workflow`) WHERE "deployments"."drift_run_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `instance_results` ADD `drift_run_id` text REFERENCES drift_runs(id) ON DELETE set null;--> statement-breakpoint
CREATE INDEX `instance_results_drift_run` ON `instance_results` (`drift_run_id`,`status`);--> statement-breakpoint
CREATE INDEX `instance_results_workspace_drift_time` ON `instance_results` (`workspace_id`,`drift_run_id`,`ran_at`);