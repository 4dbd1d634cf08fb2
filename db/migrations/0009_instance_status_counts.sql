CREATE TABLE `instance_status_counts` (
	`workspace_id` text NOT NULL,
	`repository_id` text NOT NULL,
	`status` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `repository_id`, `status`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `instances_workspace_status`;--> statement-breakpoint
CREATE INDEX `instances_workspace_status_last_run` ON `instances` (`workspace_id`,`status`,`last_run_at`);--> statement-breakpoint
-- The counts of the instances already there.
INSERT INTO `instance_status_counts` (`workspace_id`, `repository_id`, `status`, `count`)
SELECT `workspace_id`, `repository_id`, `status`, count(*) FROM `instances` WHERE `removed_at` IS NULL
GROUP BY `workspace_id`, `repository_id`, `status`;--> statement-breakpoint
-- From now on every write to `instances` keeps them (a live instance is one whose removed_at is null).
CREATE TRIGGER `instance_status_counts_insert` AFTER INSERT ON `instances` WHEN NEW.`removed_at` IS NULL
BEGIN
  INSERT INTO `instance_status_counts` (`workspace_id`, `repository_id`, `status`, `count`)
  VALUES (NEW.`workspace_id`, NEW.`repository_id`, NEW.`status`, 1)
  ON CONFLICT (`workspace_id`, `repository_id`, `status`) DO UPDATE SET `count` = `count` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `instance_status_counts_delete` AFTER DELETE ON `instances` WHEN OLD.`removed_at` IS NULL
BEGIN
  UPDATE `instance_status_counts` SET `count` = `count` - 1
  WHERE `workspace_id` = OLD.`workspace_id` AND `repository_id` = OLD.`repository_id` AND `status` = OLD.`status`;
END;--> statement-breakpoint
CREATE TRIGGER `instance_status_counts_update` AFTER UPDATE OF `status`, `removed_at`, `workspace_id`, `repository_id` ON `instances`
WHEN (OLD.`removed_at` IS NULL) != (NEW.`removed_at` IS NULL) OR OLD.`status` IS NOT NEW.`status`
  OR OLD.`workspace_id` IS NOT NEW.`workspace_id` OR OLD.`repository_id` IS NOT NEW.`repository_id`
BEGIN
  UPDATE `instance_status_counts` SET `count` = `count` - 1
  WHERE OLD.`removed_at` IS NULL AND `workspace_id` = OLD.`workspace_id` AND `repository_id` = OLD.`repository_id`
    AND `status` = OLD.`status`;
  INSERT INTO `instance_status_counts` (`workspace_id`, `repository_id`, `status`, `count`)
  SELECT NEW.`workspace_id`, NEW.`repository_id`, NEW.`status`, 1 WHERE NEW.`removed_at` IS NULL
  ON CONFLICT (`workspace_id`, `repository_id`, `status`) DO UPDATE SET `count` = `count` + 1;
END;
