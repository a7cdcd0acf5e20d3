-- Environments become runs of reports that showed the same one, what is known of a machine
-- moves to its environment, and samples refer to a series by number. Rows from before keep one
-- environment per report (no fingerprint, no raw part: those reports keep their whole raw
-- report), so nothing stored is lost and nothing is derived again.
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_machine_name_idx` ON `series` (`machine_id`,`name`);--> statement-breakpoint
CREATE TABLE `__new_environments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`report_id` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`fingerprint` text,
	`raw` text,
	`facts` text DEFAULT '{"facts":{},"scopes":[]}' NOT NULL,
	`known_state` text DEFAULT '{}' NOT NULL,
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
	`wsl_memory_bytes` integer,
	`wsl_processors` integer,
	`desktop_memory_mib` integer,
	`desktop_cpus` integer,
	`file_sharing` text,
	`project_path_kind` text,
	`project_paths` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_environments` (`machine_id`, `report_id`, `collected_at`, `received_at`, `fingerprint`, `raw`, `facts`, `known_state`, `hostname`, `user`, `platform`, `os_name`, `os_release`, `arch`, `cpus`, `memory_bytes`, `daemon_state`, `daemon_error`, `desktop_version`, `desktop_build`, `engine_version`, `client_version`, `docker_context`, `engine_os_type`, `engine_kernel`, `backend`, `engine_cpus`, `engine_memory_bytes`, `storage_driver`, `wsl_version`, `wsl_kernel`, `windows_version`, `wsl_distro`, `wsl_memory_bytes`, `wsl_processors`, `desktop_memory_mib`, `desktop_cpus`, `file_sharing`, `project_path_kind`)
SELECT e.`machine_id`, e.`report_id`, e.`collected_at`, e.`received_at`, NULL, NULL, r.`facts`,
  CASE WHEN m.`latest_report_id` = e.`report_id` THEN coalesce(m.`known_state`, '{}') ELSE '{}' END,
  e.`hostname`, e.`user`, e.`platform`, e.`os_name`, e.`os_release`, e.`arch`, e.`cpus`, e.`memory_bytes`, e.`daemon_state`, e.`daemon_error`, e.`desktop_version`, e.`desktop_build`, e.`engine_version`, e.`client_version`, e.`docker_context`, e.`engine_os_type`, e.`engine_kernel`, e.`backend`, e.`engine_cpus`, e.`engine_memory_bytes`, e.`storage_driver`, e.`wsl_version`, e.`wsl_kernel`, e.`windows_version`, e.`wsl_distro`, e.`wsl_memory_bytes`, e.`wsl_processors`, e.`desktop_memory_mib`, e.`desktop_cpus`, e.`file_sharing`, e.`project_path_kind`
FROM `environments` e
JOIN `reports` r ON r.`id` = e.`report_id`
JOIN `machines` m ON m.`id` = e.`machine_id`
ORDER BY e.`collected_at`, e.`received_at`;--> statement-breakpoint
DROP TABLE `environments`;--> statement-breakpoint
ALTER TABLE `__new_environments` RENAME TO `environments`;--> statement-breakpoint
CREATE INDEX `environments_machine_collected_idx` ON `environments` (`machine_id`,`collected_at`);--> statement-breakpoint
CREATE INDEX `environments_report_migration_idx` ON `environments` (`report_id`);--> statement-breakpoint
ALTER TABLE `reports` ADD `environment_id` integer REFERENCES environments(id);--> statement-breakpoint
UPDATE `reports` SET `environment_id` = (SELECT `id` FROM `environments` WHERE `environments`.`report_id` = `reports`.`id`);--> statement-breakpoint
ALTER TABLE `reports` DROP COLUMN `facts`;--> statement-breakpoint
ALTER TABLE `machines` ADD `environment_id` integer;--> statement-breakpoint
ALTER TABLE `machines` ADD `mount_slowdown` real;--> statement-breakpoint
ALTER TABLE `machines` ADD `spool_pending` integer;--> statement-breakpoint
ALTER TABLE `machines` ADD `spool_dropped` integer;--> statement-breakpoint
UPDATE `machines` SET `environment_id` = (SELECT `id` FROM `environments` WHERE `environments`.`report_id` = `machines`.`latest_report_id`);--> statement-breakpoint
ALTER TABLE `machines` DROP COLUMN `known_state`;--> statement-breakpoint
DROP INDEX `environments_report_migration_idx`;--> statement-breakpoint
INSERT INTO `series` (`machine_id`, `name`) SELECT DISTINCT `machine_id`, `series` FROM `samples` ORDER BY `machine_id`, `series`;--> statement-breakpoint
CREATE TABLE `__new_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`machine_id` text NOT NULL,
	`series_id` integer NOT NULL,
	`at` integer NOT NULL,
	`value_ms` real NOT NULL,
	`spread_ms` real,
	`ok` integer NOT NULL,
	`report_id` text NOT NULL,
	`sample_key` text,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_samples` (`id`, `machine_id`, `series_id`, `at`, `value_ms`, `spread_ms`, `ok`, `report_id`, `sample_key`)
SELECT s.`id`, s.`machine_id`, x.`id`, s.`at`, s.`value_ms`, s.`spread_ms`, s.`ok`, s.`report_id`,
  CASE WHEN s.`sample_key` = s.`report_id` THEN NULL ELSE s.`sample_key` END
FROM `samples` s JOIN `series` x ON x.`machine_id` = s.`machine_id` AND x.`name` = s.`series`
ORDER BY s.`id`;--> statement-breakpoint
DROP TABLE `samples`;--> statement-breakpoint
ALTER TABLE `__new_samples` RENAME TO `samples`;--> statement-breakpoint
CREATE INDEX `samples_machine_at_idx` ON `samples` (`machine_id`,`at`,`series_id`,`value_ms`,`ok`);--> statement-breakpoint
CREATE UNIQUE INDEX `samples_series_key_idx` ON `samples` (`series_id`,`sample_key`) WHERE sample_key IS NOT NULL;--> statement-breakpoint
-- The mount slowdown the health rules read, as ingestion now keeps it per machine: the latest
-- sample of each bind-mount phase against the latest of the same phase in a named volume.
UPDATE `machines` SET `mount_slowdown` = (
  SELECT CASE WHEN sum(v.`ms`) > 0 THEN sum(b.`ms`) / sum(v.`ms`) END
  FROM (
    SELECT substr(x.`name`, 18) AS `phase`,
      (SELECT `value_ms` FROM `samples` WHERE `machine_id` = x.`machine_id` AND `series_id` = x.`id` AND `ok` = 1 ORDER BY `at` DESC LIMIT 1) AS `ms`
    FROM `series` x WHERE x.`machine_id` = `machines`.`id` AND substr(x.`name`, 1, 17) = 'bench.mount.bind.'
  ) b
  JOIN (
    SELECT substr(x.`name`, 20) AS `phase`,
      (SELECT `value_ms` FROM `samples` WHERE `machine_id` = x.`machine_id` AND `series_id` = x.`id` AND `ok` = 1 ORDER BY `at` DESC LIMIT 1) AS `ms`
    FROM `series` x WHERE x.`machine_id` = `machines`.`id` AND substr(x.`name`, 1, 19) = 'bench.mount.volume.'
  ) v ON v.`phase` = b.`phase`
  WHERE b.`ms` IS NOT NULL AND v.`ms` IS NOT NULL
);