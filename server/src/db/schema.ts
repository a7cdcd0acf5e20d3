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
    // The last known value of every tracked environment fact, folded over the reports in
    // collected order: the next report is diffed against it without reading history.
    knownState: text('known_state', { mode: 'json' }).$type<Record<string, string>>(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('machines_key_hash_idx').on(t.keyHash)],
);

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
    /** The report as sent; emptied by retention once older than the horizon (`pruned`). */
    raw: text('raw').notNull(),
    /** Every fact the report showed and the scopes it spoke for: change events re-derive from it. */
    facts: text('facts', { mode: 'json' })
      .$type<{ facts: Record<string, string | null>; scopes: string[] }>()
      .notNull()
      .default(sql`'{"facts":{},"scopes":[]}'`),
    pruned: integer('pruned', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('reports_machine_collected_idx').on(t.machineId, t.collectedAt)],
);

/** The normalized facts of one report, derived once at ingestion so that pages never parse raw. */
export const environments = sqliteTable(
  'environments',
  {
    reportId: text('report_id')
      .primaryKey()
      .references(() => reports.id),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    collectedAt: integer('collected_at').notNull(),
    receivedAt: integer('received_at').notNull(),
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
    projectPathKind: text('project_path_kind'),
  },
  (t) => [index('environments_machine_collected_idx').on(t.machineId, t.collectedAt)],
);

/** One environment fact that moved between two consecutive reports of a machine. */
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
 * One timed value of a named series of a machine: a benchmark phase's median at one location
 * (`bench.mount.bind.create`) or one real build (`build:<project>`). `sampleKey` makes a
 * re-sent report or re-imported build land once.
 */
export const samples = sqliteTable(
  'samples',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id')
      .notNull()
      .references(() => machines.id),
    series: text('series').notNull(),
    at: integer('at').notNull(),
    valueMs: real('value_ms').notNull(),
    spreadMs: real('spread_ms'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    reportId: text('report_id')
      .notNull()
      .references(() => reports.id),
    sampleKey: text('sample_key').notNull(),
  },
  (t) => [
    uniqueIndex('samples_machine_series_key_idx').on(t.machineId, t.series, t.sampleKey),
    index('samples_machine_series_at_idx').on(t.machineId, t.series, t.at),
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
