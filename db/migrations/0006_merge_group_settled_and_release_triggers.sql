ALTER TABLE `deployment_triggers` ADD `settled_at` integer;--> statement-breakpoint
ALTER TABLE `deployment_triggers` ADD `check_run_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `deployment_triggers_release` ON `deployment_triggers` (`repository_id`,`head_sha`) WHERE "deployment_triggers"."event" = 'release';--> statement-breakpoint
CREATE INDEX `deployment_triggers_unsettled` ON `deployment_triggers` (`event`,`settled_at`,`received_at`);