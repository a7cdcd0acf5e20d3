import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Times are stored as integer milliseconds since the epoch (UTC): they sort, compare and
// aggregate cheaply in SQLite and map one-to-one onto PostgreSQL bigint columns.

export const machines = sqliteTable(
  'machines',
  {
    id: text('id').primaryKey(),
    keyHash: text('key_hash').notNull(),
    hostname: text('hostname').notNull(),
    owner: text('owner').notNull(),
    enrolledAt: integer('enrolled_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
    latestReportId: text('latest_report_id'),
    latestCollectedAt: integer('latest_collected_at'),
    /**
     * The environment of the latest report, which holds what is known of the machine: the next
     * report that shows the same one extends it, and nothing else needs reading.
     */
    environmentId: integer('environment_id'),
    /**
     * How much slower the latest mount benchmark's file work was through the bind mount than in
     * a named volume (1.0: no slower), so the health rules never read samples.
     */
    mountSlowdown: real('mount_slowdown'),
    /** What the agent's spool still held, and had dropped, when it sent the latest report. */
    spoolPending: integer('spool_pending'),
    spoolDropped: integer('spool_dropped'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('machines_key_hash_idx').on(t.keyHash)],
);

/** Every fact a report showed and the scopes it spoke for: change events re-derive from it. */
export type StoredFacts = { facts: Record<string, string | null>; scopes: string[] };

/**
 * The environment of a machine over a run of consecutive reports that showed the same one,
 * normalized once at ingestion so that pages never parse raw reports. Hourly reports rarely
 * change anything, so the table grows with changes, not with reports.
 */
export const environments = sqliteTable(
  'environments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    /** The first report that showed this environment, and when. */
    reportId: text('report_id').notNull(),
    collectedAt: integer('collected_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    /**
     * Identifies the environment part of the reports as sent (`raw`) and the project location:
     * a report with the same fingerprint as the machine's current environment extends it. Null
     * on rows from before environments were shared, one per report.
     */
    fingerprint: text('fingerprint'),
    /**
     * The environment part of the reports as sent (host, docker, wsl, desktopSettings), as JSON:
     * each report's own `raw` holds the rest. Null on rows from before, whose reports kept all.
     */
    raw: text('raw'),
    facts: text('facts', { mode: 'json' })
      .$type<StoredFacts>()
      .notNull()
      .default(sql`'{"facts":{},"scopes":[]}'`),
    /**
     * The last known value of every tracked fact once this environment began: the facts of every
     * environment before folded in collected order (a fact this one cannot tell stays as it was).
     * The next environment is diffed against it to find the change events.
     */
    knownState: text('known_state', { mode: 'json' })
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'`),
    hostname: text('hostname').notNull(),
    user: text('user').notNull(),
    platform: text('platform').notNull(),
    osName: text('os_name').notNull(),
    osRelease: text('os_release').notNull(),
    arch: text('arch').notNull(),
    cpus: integer('cpus').notNull(),
    memoryBytes: integer('memory_bytes').notNull(),
    daemonState: text('daemon_state').notNull(),
    daemonError: text('daemon_error'),
    desktopVersion: text('desktop_version'),
    desktopBuild: text('desktop_build'),
    engineVersion: text('engine_version'),
    clientVersion: text('client_version'),
    dockerContext: text('docker_context'),
    engineOsType: text('engine_os_type'),
    engineKernel: text('engine_kernel'),
    backend: text('backend'),
    engineCpus: integer('engine_cpus'),
    engineMemoryBytes: integer('engine_memory_bytes'),
    storageDriver: text('storage_driver'),
    wslVersion: text('wsl_version'),
    wslKernel: text('wsl_kernel'),
    windowsVersion: text('windows_version'),
    wslDistro: text('wsl_distro'),
    wslMemoryBytes: integer('wsl_memory_bytes'),
    wslProcessors: integer('wsl_processors'),
    desktopMemoryMiB: integer('desktop_memory_mib'),
    desktopCpus: integer('desktop_cpus'),
    fileSharing: text('file_sharing'),
    /** Where the mount benchmark found the developer's code, as last measured. */
    projectPathKind: text('project_path_kind'),
    /** Where each project timed with `devfleet-agent time` lives, as last seen: `{ name: kind }`. */
    projectPaths: text('project_paths', { mode: 'json' })
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index('environments_machine_collected_idx').on(t.machineId, t.collectedAt)],
);

/** One submission of an agent, stored once however often it is sent. */
export const reports = sqliteTable(
  'reports',
  {
    id: text('id').primaryKey(),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    collectedAt: integer('collected_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    /**
     * The report as accepted, as JSON, less its environment part, which its environment's `raw`
     * holds once for the run (ingest/raw-report.ts puts them together again). Whole on rows from
     * before environments were shared; emptied by retention past the horizon (`pruned`).
     */
    raw: text('raw').notNull(),
    pruned: integer('pruned', { mode: 'boolean' }).notNull().default(false),
    // Nullable only because SQLite adds a referencing column no other way; always set.
    environmentId: integer('environment_id').references(() => environments.id),
  },
  (t) => [index('reports_machine_collected_idx').on(t.machineId, t.collectedAt)],
);

/** One environment fact that moved between two consecutive environments of a machine. */
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    reportId: text('report_id')
      .notNull()
      .references(() => reports.id),
    field: text('field').notNull(),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    at: integer('at').notNull(),
  },
  (t) => [
    index('changes_machine_at_idx').on(t.machineId, t.at),
    index('changes_report_idx').on(t.reportId),
    // The fleet detector looks up every machine that made one transition.
    index('changes_transition_idx').on(t.field, t.fromValue, t.toValue),
  ],
);

/**
 * A named measurement of one machine: a benchmark phase at one location
 * (`bench.mount.bind.create`) or a developer's real build (`build:<project>`). Samples refer to
 * it by number, which keeps a year of hourly samples small and each series' samples together.
 */
export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('series_machine_name_idx').on(t.machineId, t.name)],
);

/** One timed value of a series: a benchmark phase's median, or one real build. */
export const samples = sqliteTable(
  'samples',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    seriesId: integer('series_id')
      .notNull()
      .references(() => series.id),
    at: integer('at').notNull(),
    valueMs: real('value_ms').notNull(),
    spreadMs: real('spread_ms'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    reportId: text('report_id')
      .notNull()
      .references(() => reports.id),
    /**
     * Set where the same sample may arrive twice: a build queued on the agent and sent again in
     * a later report, an imported buildx build, a day folded by retention (`day:2026-01-31`).
     */
    sampleKey: text('sample_key'),
  },
  (t) => [
    // By machine and time, so that the samples of one report (a benchmark run has a dozen
    // phases, each its own series) land in one index page: by series, they cost a page each,
    // which was most of what storing a report cost. It covers the chart and detection reads:
    // those scan a machine's time range and skip the other series within the index.
    index('samples_machine_at_idx').on(t.machineId, t.at, t.seriesId, t.valueMs, t.ok),
    uniqueIndex('samples_series_key_idx')
      .on(t.seriesId, t.sampleKey)
      .where(sql`sample_key IS NOT NULL`),
  ],
);

/**
 * A detected regression (or an unexplained level shift) with its evidence. One alert per
 * `dedupeKey`: a fleet alert per transition and series gathers its machines in alert_machines.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    scope: text('scope', { enum: ['machine', 'fleet'] }).notNull(),
    kind: text('kind', { enum: ['regression', 'improvement', 'unattributed'] }).notNull(),
    series: text('series').notNull(),
    field: text('field'),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    title: text('title').notNull(),
    status: text('status', { enum: ['open', 'acknowledged', 'resolved'] }).notNull(),
    effect: real('effect').notNull(),
    openedAt: integer('opened_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    acknowledgedAt: integer('acknowledged_at'),
    resolvedAt: integer('resolved_at'),
    resolution: text('resolution', { enum: ['returned', 'manual'] }),
    evidence: text('evidence', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  },
  (t) => [
    uniqueIndex('alerts_dedupe_key_idx').on(t.dedupeKey),
    index('alerts_status_updated_idx').on(t.status, t.updatedAt),
  ],
);

export const alertMachines = sqliteTable(
  'alert_machines',
  {
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    effect: real('effect').notNull(),
    pValue: real('p_value').notNull(),
    beforeCount: integer('before_count').notNull(),
    afterCount: integer('after_count').notNull(),
    beforeMedianMs: real('before_median_ms').notNull(),
    afterMedianMs: real('after_median_ms').notNull(),
    changeAt: integer('change_at'),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [
    uniqueIndex('alert_machines_pk_idx').on(t.alertId, t.machineId),
    index('alert_machines_machine_idx').on(t.machineId),
  ],
);

/** Every attempt to tell a webhook about an alert, so a lost notification is visible. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id),
    event: text('event').notNull(),
    format: text('format', { enum: ['slack', 'json'] }).notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('webhook_deliveries_alert_idx').on(t.alertId)],
);

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['admin', 'viewer'] }).notNull(),
  createdAt: integer('created_at')
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

/** A dashboard login. Only the SHA-256 of the cookie's token is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Secrets agents exchange for a machine key. Several may be active: rotate by add, then revoke. */
export const enrollmentSecrets = sqliteTable(
  'enrollment_secrets',
  {
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('enrollment_secrets_hash_idx').on(t.secretHash)],
);

/** Small server-wide values that must survive restarts, such as the generated enrollment secret. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
