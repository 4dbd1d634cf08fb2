DROP INDEX `instances_repository_last_run`;--> statement-breakpoint
CREATE INDEX `instances_repository_last_run_page` ON `instances` (`workspace_id`,`repository_id`,coalesce(`last_run_at`, -1),`component`,`stack`);
