ALTER TABLE `identities` ADD `email_verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `require_sso` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- GitHub sign-in only ever kept a verified primary email, and dev identities are local: both were verified.
-- OIDC identities are not known to be: they learn it at their next sign-in.
UPDATE `identities` SET `email_verified` = true WHERE `provider` IN ('github', 'dev') AND `email` IS NOT NULL;
