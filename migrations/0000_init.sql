CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`report_id` text NOT NULL,
	`field` text NOT NULL,
	`from_value` text,
	`to_value` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `changes_machine_at_idx` ON `changes` (`machine_id`,`at`);--> statement-breakpoint
CREATE INDEX `changes_report_idx` ON `changes` (`report_id`);--> statement-breakpoint
CREATE TABLE `environments` (
	`report_id` text PRIMARY KEY NOT NULL,
	`machine_id` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`hostname` text NOT NULL,
	`user` text NOT NULL,
	`platform` text NOT NULL,
	`os_name` text NOT NULL,
	`os_release` text NOT NULL,
	`arch` text NOT NULL,
	`cpus` integer NOT NULL,
	`memory_bytes` integer NOT NULL,
	`daemon_state` text NOT NULL,
	`daemon_error` text,
	`desktop_version` text,
	`desktop_build` text,
	`engine_version` text,
	`client_version` text,
	`docker_context` text,
	`engine_os_type` text,
	`engine_kernel` text,
	`backend` text,
	`engine_cpus` integer,
	`engine_memory_bytes` integer,
	`storage_driver` text,
	`wsl_version` text,
	`wsl_kernel` text,
	`windows_version` text,
	`wsl_distro` text,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `environments_machine_collected_idx` ON `environments` (`machine_id`,`collected_at`);--> statement-breakpoint
CREATE TABLE `machines` (
	`id` text PRIMARY KEY NOT NULL,
	`key_hash` text NOT NULL,
	`hostname` text NOT NULL,
	`owner` text NOT NULL,
	`enrolled_at` integer NOT NULL,
	`last_seen_at` integer,
	`latest_report_id` text,
	`latest_collected_at` integer,
	`known_state` text,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `machines_key_hash_idx` ON `machines` (`key_hash`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`machine_id` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`schema_version` integer NOT NULL,
	`raw` text NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reports_machine_collected_idx` ON `reports` (`machine_id`,`collected_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);