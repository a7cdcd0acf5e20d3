CREATE TABLE `alert_machines` (
	`alert_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`effect` real NOT NULL,
	`p_value` real NOT NULL,
	`before_count` integer NOT NULL,
	`after_count` integer NOT NULL,
	`before_median_ms` real NOT NULL,
	`after_median_ms` real NOT NULL,
	`change_at` integer,
	`resolved_at` integer,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_machines_pk_idx` ON `alert_machines` (`alert_id`,`machine_id`);--> statement-breakpoint
CREATE INDEX `alert_machines_machine_idx` ON `alert_machines` (`machine_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`scope` text NOT NULL,
	`kind` text NOT NULL,
	`series` text NOT NULL,
	`field` text,
	`from_value` text,
	`to_value` text,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`effect` real NOT NULL,
	`opened_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`acknowledged_at` integer,
	`resolved_at` integer,
	`resolution` text,
	`evidence` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_dedupe_key_idx` ON `alerts` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `alerts_status_updated_idx` ON `alerts` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`alert_id` text NOT NULL,
	`event` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_alert_idx` ON `webhook_deliveries` (`alert_id`);