CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`action` text,
	`installation_id` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`body_parts` integer NOT NULL,
	`body_bytes` integer NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_received` ON `webhook_deliveries` (`received_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_installation` ON `webhook_deliveries` (`installation_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `webhook_delivery_bodies` (
	`delivery_id` text NOT NULL,
	`part` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`delivery_id`, `part`),
	FOREIGN KEY (`delivery_id`) REFERENCES `webhook_deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `github_installations` ADD `account_github_id` integer;--> statement-breakpoint
ALTER TABLE `github_installations` ADD `installed_by_github_id` integer;--> statement-breakpoint
ALTER TABLE `github_installations` ADD `repository_selection` text;--> statement-breakpoint
ALTER TABLE `github_installations` ADD `permissions` text;--> statement-breakpoint
ALTER TABLE `github_installations` ADD `deleted_at` integer;--> statement-breakpoint
ALTER TABLE `repositories` ADD `deleted_at` integer;--> statement-breakpoint
CREATE INDEX `repositories_installation` ON `repositories` (`installation_id`);--> statement-breakpoint
CREATE INDEX `repositories_github_id` ON `repositories` (`host`,`github_id`);