import Type, { type Static } from 'typebox';

import { Backend, DaemonState } from './report.js';

// What the server answers over HTTP. The server serializes with these schemas and the web app
// reads the same types, so a field renamed in one place fails to compile in the other.

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ApiError = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const EnrollRequest = Type.Object(
  {
    secret: Type.String({ minLength: 1, maxLength: 256 }),
    hostname: Type.String({ minLength: 1, maxLength: 256 }),
    user: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const EnrollResponse = Type.Object({
  machineId: Type.String(),
  machineKey: Type.String(),
});

export const ReportAccepted = Type.Object({
  reportId: Type.String(),
  machineId: Type.String(),
  duplicate: Type.Boolean(),
});

/** The normalized facts of a machine at the time of one report. */
/** A machine's environment over the run of reports that showed it, from the first to the last. */
export const Environment = Type.Object({
  reportId: Type.String(),
  collectedAt: Type.String(),
  receivedAt: Type.String(),
  lastCollectedAt: Type.String(),
  hostname: Type.String(),
  user: Type.String(),
  platform: Type.String(),
  osName: Type.String(),
  osRelease: Type.String(),
  arch: Type.String(),
  cpus: Type.Integer(),
  memoryBytes: Type.Number(),
  daemonState: DaemonState,
  daemonError: Nullable(Type.String()),
  desktopVersion: Nullable(Type.String()),
  desktopBuild: Nullable(Type.String()),
  engineVersion: Nullable(Type.String()),
  clientVersion: Nullable(Type.String()),
  dockerContext: Nullable(Type.String()),
  engineOsType: Nullable(Type.String()),
  engineKernel: Nullable(Type.String()),
  backend: Nullable(Backend),
  engineCpus: Nullable(Type.Integer()),
  engineMemoryBytes: Nullable(Type.Number()),
  storageDriver: Nullable(Type.String()),
  wslVersion: Nullable(Type.String()),
  wslKernel: Nullable(Type.String()),
  windowsVersion: Nullable(Type.String()),
  wslDistro: Nullable(Type.String()),
  wslMemoryBytes: Nullable(Type.Number()),
  wslProcessors: Nullable(Type.Integer()),
  desktopMemoryMiB: Nullable(Type.Integer()),
  desktopCpus: Nullable(Type.Integer()),
  fileSharing: Nullable(Type.String()),
  projectPathKind: Nullable(Type.String()),
});

export const Change = Type.Object({
  field: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  at: Type.String(),
  reportId: Type.String(),
});

/** A change event with the machine it happened on, for the fleet-wide list. */
export const FleetChange = Type.Object({
  machineId: Type.String(),
  hostname: Type.String(),
  field: Type.String(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  at: Type.String(),
  reportId: Type.String(),
});

export const FleetChangeList = Type.Object({ changes: Type.Array(FleetChange) });

export const MachineSummary = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  owner: Type.String(),
  enrolledAt: Type.String(),
  lastSeenAt: Nullable(Type.String()),
  environment: Nullable(Environment),
});

export const MachineList = Type.Object({
  machines: Type.Array(MachineSummary),
  totals: Type.Object({
    machines: Type.Integer(),
    reporting: Type.Integer(),
    daemonUnreachable: Type.Integer(),
  }),
});

export const MachineDetail = Type.Object({
  machine: MachineSummary,
  /** When an admin revoked the machine's key: it reports no more, its history stays. */
  revokedAt: Nullable(Type.String()),
  history: Type.Array(Environment),
  changes: Type.Array(Change),
});

export type ApiError = Static<typeof ApiError>;
export type EnrollRequest = Static<typeof EnrollRequest>;
export type EnrollResponse = Static<typeof EnrollResponse>;
export type ReportAccepted = Static<typeof ReportAccepted>;
export type Environment = Static<typeof Environment>;
export type Change = Static<typeof Change>;
export type FleetChange = Static<typeof FleetChange>;
export type FleetChangeList = Static<typeof FleetChangeList>;
export type MachineSummary = Static<typeof MachineSummary>;
export type MachineList = Static<typeof MachineList>;
export type MachineDetail = Static<typeof MachineDetail>;

export const SeriesSummary = Type.Object({
  name: Type.String(),
  count: Type.Integer(),
  lastAt: Type.String(),
});

export const SeriesPoint = Type.Object({
  at: Type.String(),
  valueMs: Type.Number(),
  spreadMs: Nullable(Type.Number()),
  ok: Type.Boolean(),
  reportId: Type.String(),
});

export const SeriesList = Type.Object({ series: Type.Array(SeriesSummary) });

export const SeriesResponse = Type.Object({
  machineId: Type.String(),
  metric: Type.String(),
  from: Type.String(),
  to: Type.String(),
  points: Type.Array(SeriesPoint),
});

export type SeriesSummary = Static<typeof SeriesSummary>;
export type SeriesPoint = Static<typeof SeriesPoint>;
export type SeriesList = Static<typeof SeriesList>;
export type SeriesResponse = Static<typeof SeriesResponse>;

/** What the server pushes to open dashboards over the websocket at /api/v1/live. */
export const LiveEvent = Type.Union([
  Type.Object({ type: Type.Literal('hello'), at: Type.String() }),
  Type.Object({
    type: Type.Literal('report'),
    machineId: Type.String(),
    hostname: Type.String(),
    reportId: Type.String(),
    at: Type.String(),
  }),
  Type.Object({
    type: Type.Literal('alert'),
    alertId: Type.String(),
    status: Type.String(),
    at: Type.String(),
  }),
]);

export type LiveEvent = Static<typeof LiveEvent>;

export const AlertStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('acknowledged'),
  Type.Literal('resolved'),
]);

export const AlertMachine = Type.Object({
  machineId: Type.String(),
  hostname: Type.String(),
  effect: Type.Number(),
  pValue: Type.Number(),
  beforeCount: Type.Integer(),
  afterCount: Type.Integer(),
  beforeMedianMs: Type.Number(),
  afterMedianMs: Type.Number(),
  changeAt: Nullable(Type.String()),
});

export const Alert = Type.Object({
  id: Type.String(),
  scope: Type.Union([Type.Literal('machine'), Type.Literal('fleet')]),
  kind: Type.Union([
    Type.Literal('regression'),
    Type.Literal('improvement'),
    Type.Literal('unattributed'),
  ]),
  series: Type.String(),
  transition: Nullable(
    Type.Object({
      field: Type.String(),
      from: Nullable(Type.String()),
      to: Nullable(Type.String()),
    }),
  ),
  title: Type.String(),
  status: AlertStatus,
  effect: Type.Number(),
  openedAt: Type.String(),
  updatedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  resolution: Nullable(Type.Union([Type.Literal('returned'), Type.Literal('manual')])),
  machines: Type.Array(AlertMachine),
  /** Before/after samples, control group and the numbers behind the verdict. */
  evidence: Type.Record(Type.String(), Type.Unknown()),
});

export const AlertList = Type.Object({ alerts: Type.Array(Alert) });

export type AlertStatus = Static<typeof AlertStatus>;
export type AlertMachine = Static<typeof AlertMachine>;
export type Alert = Static<typeof Alert>;
export type AlertList = Static<typeof AlertList>;

// Fleet health, versions and trends: what the dashboard's fleet, machine, developer and alerts
// pages read.

export const HealthStatus = Type.Union([
  Type.Literal('green'),
  Type.Literal('amber'),
  Type.Literal('red'),
]);

/** The result of one health rule on one machine, with a reason a person can act on. */
export const Finding = Type.Object({
  rule: Type.String(),
  title: Type.String(),
  /** `skip`: the rule does not apply to this machine (WSL rules on a Mac). */
  result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skip')]),
  /** The status a failure gives the machine. */
  severity: Type.Union([Type.Literal('amber'), Type.Literal('red')]),
  reason: Type.String(),
});

/** A machine with its latest environment and every rule's finding: what an export carries. */
export const AssessedMachine = Type.Object({
  ...MachineSummary.properties,
  status: HealthStatus,
  /** Every enabled rule's finding, failures first. */
  findings: Type.Array(Finding),
});

/** What the fleet table shows and filters by, from a machine's latest report. */
export const FleetEnvironment = Type.Pick(Environment, [
  'collectedAt',
  'lastCollectedAt',
  'platform',
  'osName',
  'wslDistro',
  'daemonState',
  'desktopVersion',
  'engineVersion',
  'wslVersion',
  'memoryBytes',
  'engineMemoryBytes',
]);

/**
 * One row of the fleet table: small on purpose, since the fleet page loads a thousand of them
 * and reloads them as reports arrive. A machine's page has its full environment and findings.
 */
export const FleetMachine = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  owner: Type.String(),
  enrolledAt: Type.String(),
  lastSeenAt: Nullable(Type.String()),
  environment: Nullable(FleetEnvironment),
  /**
   * The last known versions: what the version inventory counts. The latest report may not tell
   * them (the daemon was down), and then the environment says null while these do not.
   */
  known: Type.Object({
    desktopVersion: Nullable(Type.String()),
    engineVersion: Nullable(Type.String()),
    wslVersion: Nullable(Type.String()),
  }),
  status: HealthStatus,
  /** The rules this machine fails, worst first: the reasons the table shows. */
  failing: Type.Array(Finding),
});

export const RuleInfo = Type.Object({
  rule: Type.String(),
  title: Type.String(),
  severity: Type.Union([Type.Literal('amber'), Type.Literal('red')]),
  enabled: Type.Boolean(),
  /** The rule's threshold in words: "4.34.0 or newer", "a report in the last 48 h". */
  threshold: Type.String(),
});

export const FleetOverview = Type.Object({
  generatedAt: Type.String(),
  counts: Type.Object({
    machines: Type.Integer(),
    green: Type.Integer(),
    amber: Type.Integer(),
    red: Type.Integer(),
    openAlerts: Type.Integer(),
  }),
  rules: Type.Array(RuleInfo),
  machines: Type.Array(FleetMachine),
});

export const MachineHealth = Type.Object({
  machineId: Type.String(),
  status: HealthStatus,
  findings: Type.Array(Finding),
});

export const VersionField = Type.Union([
  Type.Literal('desktopVersion'),
  Type.Literal('engineVersion'),
  Type.Literal('wslVersion'),
]);

/** How many machines run one version; `version` null: not reported (no WSL, daemon down…). */
export const VersionCount = Type.Object({
  version: Nullable(Type.String()),
  machines: Type.Integer(),
});

export const FleetVersions = Type.Object({
  current: Type.Object({
    desktopVersion: Type.Array(VersionCount),
    engineVersion: Type.Array(VersionCount),
    wslVersion: Type.Array(VersionCount),
  }),
  rollout: Type.Object({
    field: VersionField,
    /** UTC days, `YYYY-MM-DD`, oldest first. */
    days: Type.Array(Type.String()),
    /** Machines on each version at the end of each day (same order as `days`). */
    versions: Type.Array(
      Type.Object({ version: Type.String(), machines: Type.Array(Type.Integer()) }),
    ),
  }),
});

/**
 * One bucket of a series: x is the bucket's middle in ms since the epoch, y the median of its
 * samples. Shaped so that a chart can take the array as is, without parsing each point.
 */
export const TrendPoint = Type.Object({
  x: Type.Number(),
  y: Type.Number(),
  min: Type.Number(),
  max: Type.Number(),
  n: Type.Integer(),
});

export const TrendSeries = Type.Object({
  name: Type.String(),
  machineId: Type.String(),
  hostname: Type.String(),
  points: Type.Array(TrendPoint),
});

/** A machine's change events of one report, drawn as one vertical line on its charts. */
export const ChangeMarker = Type.Object({
  x: Type.Number(),
  machineId: Type.String(),
  hostname: Type.String(),
  label: Type.String(),
  fields: Type.Array(Type.String()),
});

export const Trends = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucketMs: Type.Integer(),
  series: Type.Array(TrendSeries),
  markers: Type.Array(ChangeMarker),
});

export const DeveloperSummary = Type.Object({
  owner: Type.String(),
  machines: Type.Integer(),
  status: HealthStatus,
  lastSeenAt: Nullable(Type.String()),
});

export const DeveloperList = Type.Object({ developers: Type.Array(DeveloperSummary) });

export const DeveloperDetail = Type.Object({
  owner: Type.String(),
  machines: Type.Array(FleetMachine),
  builds: Trends,
});

export type HealthStatus = Static<typeof HealthStatus>;
export type Finding = Static<typeof Finding>;
export type AssessedMachine = Static<typeof AssessedMachine>;
export type FleetEnvironment = Static<typeof FleetEnvironment>;
export type FleetMachine = Static<typeof FleetMachine>;
export type RuleInfo = Static<typeof RuleInfo>;
export type FleetOverview = Static<typeof FleetOverview>;
export type MachineHealth = Static<typeof MachineHealth>;
export type VersionField = Static<typeof VersionField>;
export type VersionCount = Static<typeof VersionCount>;
export type FleetVersions = Static<typeof FleetVersions>;
export type TrendPoint = Static<typeof TrendPoint>;
export type TrendSeries = Static<typeof TrendSeries>;
export type ChangeMarker = Static<typeof ChangeMarker>;
export type Trends = Static<typeof Trends>;
export type DeveloperSummary = Static<typeof DeveloperSummary>;
export type DeveloperList = Static<typeof DeveloperList>;
export type DeveloperDetail = Static<typeof DeveloperDetail>;

// Administration: enrollment secrets and dashboard logins.

/** An enrollment secret as listed: the secret itself is never kept, only its hash. */
export const EnrollmentSecret = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
});

export const EnrollmentSecretList = Type.Object({ secrets: Type.Array(EnrollmentSecret) });

/** The answer to creating a secret: the only time the secret is shown. */
export const NewEnrollmentSecret = Type.Object({
  id: Type.String(),
  label: Type.String(),
  secret: Type.String(),
});

export const UserRole = Type.Union([Type.Literal('admin'), Type.Literal('viewer')]);

export const UserInfo = Type.Object({
  username: Type.String(),
  role: UserRole,
  createdAt: Type.String(),
});

export const UserList = Type.Object({ users: Type.Array(UserInfo) });

export type EnrollmentSecret = Static<typeof EnrollmentSecret>;
export type EnrollmentSecretList = Static<typeof EnrollmentSecretList>;
export type NewEnrollmentSecret = Static<typeof NewEnrollmentSecret>;
export type UserRole = Static<typeof UserRole>;
export type UserInfo = Static<typeof UserInfo>;
export type UserList = Static<typeof UserList>;
