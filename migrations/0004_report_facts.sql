ALTER TABLE `reports` ADD `facts` text DEFAULT '{"facts":{},"scopes":[]}' NOT NULL;--> statement-breakpoint
ALTER TABLE `reports` ADD `pruned` integer DEFAULT false NOT NULL;