CREATE TABLE `instance_uploads` (
	`workspace_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`batch_total` integer NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`received_indexes` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'receiving' NOT NULL,
	`started_at` integer NOT NULL,
	`completed_at` integer,
	PRIMARY KEY(`workspace_id`, `batch_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_uploads_status` ON `instance_uploads` (`status`,`started_at`);