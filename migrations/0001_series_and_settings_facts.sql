CREATE TABLE `samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`series` text NOT NULL,
	`at` integer NOT NULL,
	`value_ms` real NOT NULL,
	`spread_ms` real,
	`ok` integer NOT NULL,
	`report_id` text NOT NULL,
	`sample_key` text NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `samples_machine_series_key_idx` ON `samples` (`machine_id`,`series`,`sample_key`);--> statement-breakpoint
CREATE INDEX `samples_machine_series_at_idx` ON `samples` (`machine_id`,`series`,`at`);--> statement-breakpoint
ALTER TABLE `environments` ADD `wsl_memory_bytes` integer;--> statement-breakpoint
ALTER TABLE `environments` ADD `wsl_processors` integer;--> statement-breakpoint
ALTER TABLE `environments` ADD `desktop_memory_mib` integer;--> statement-breakpoint
ALTER TABLE `environments` ADD `desktop_cpus` integer;--> statement-breakpoint
ALTER TABLE `environments` ADD `file_sharing` text;--> statement-breakpoint
ALTER TABLE `environments` ADD `project_path_kind` text;