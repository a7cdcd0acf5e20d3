import Type, { type Static } from 'typebox';

import { BenchmarkRun, BuildRecord } from './measurement.js';

/**
 * The report an agent sends. Bump SCHEMA_VERSION on a breaking change; the server accepts the
 * current and the previous version (see ACCEPTED_SCHEMA_VERSIONS).
 */
export const SCHEMA_VERSION = 1;
export const ACCEPTED_SCHEMA_VERSIONS = [SCHEMA_VERSION] as const;

// Everything in a report is untrusted input from a laptop: bound every string and list so that
// a hostile or broken agent cannot make the server store megabytes in one field.
const Text = (maxLength = 256) => Type.String({ maxLength });
const LongText = Text(4096);
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000 });
const Bytes = Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 });
const List = <T extends Type.TSchema>(item: T, maxItems = 256) => Type.Array(item, { maxItems });
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
// Fields an agent adds that this schema does not know are dropped before the server sees the
// report (Fastify's validator removes them): a newer agent still reports to an older server, and
// no unknown field, however large or deeply nested, reaches storage.
const Shape = <T extends Type.TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const Problem = Shape({
  source: Text(64),
  code: Text(64),
  message: LongText,
});

export const WslInside = Shape({
  distro: Nullable(Text()),
  version: Nullable(Type.Union([Type.Literal(1), Type.Literal(2)])),
  interop: Type.Boolean(),
});

export const Host = Shape({
  hostname: Text(),
  platform: Text(32),
  osName: Text(),
  release: Text(),
  arch: Text(32),
  cpus: Count,
  memoryBytes: Bytes,
  user: Text(),
  wsl: Nullable(WslInside),
});

export const DaemonState = Type.Union([
  Type.Literal('running'),
  Type.Literal('unreachable'),
  Type.Literal('not-installed'),
]);

export const DockerClient = Shape({
  version: Text(64),
  apiVersion: Nullable(Text(32)),
  goVersion: Nullable(Text(32)),
  os: Nullable(Text(32)),
  arch: Nullable(Text(64)),
  context: Nullable(Text()),
});

export const DockerServer = Shape({
  version: Text(64),
  apiVersion: Nullable(Text(32)),
  minApiVersion: Nullable(Text(32)),
  os: Nullable(Text(32)),
  arch: Nullable(Text(64)),
  kernelVersion: Nullable(Text()),
  platformName: Nullable(Text()),
  components: List(Shape({ name: Text(64), version: Text(64) }), 32),
});

export const Backend = Type.Union([
  Type.Literal('wsl2'),
  Type.Literal('linuxkit'),
  Type.Literal('native'),
  Type.Literal('unknown'),
]);

export const DockerEngine = Shape({
  serverVersion: Text(64),
  operatingSystem: Nullable(Text()),
  osType: Nullable(Text(32)),
  kernelVersion: Nullable(Text()),
  backend: Backend,
  architecture: Nullable(Text(32)),
  cpus: Nullable(Count),
  memoryBytes: Nullable(Bytes),
  storageDriver: Nullable(Text(64)),
  cgroupVersion: Nullable(Text(8)),
  name: Nullable(Text()),
});

export const Docker = Shape({
  daemon: Shape({ state: DaemonState, error: Nullable(LongText) }),
  client: Nullable(DockerClient),
  server: Nullable(DockerServer),
  desktop: Nullable(Shape({ version: Text(64), build: Nullable(Text(32)) })),
  engine: Nullable(DockerEngine),
  plugins: List(Shape({ name: Text(64), version: Text(64) }), 64),
  warnings: List(LongText, 64),
});

export const WslDistro = Shape({
  name: Text(),
  state: Text(32),
  version: Nullable(Type.Integer({ minimum: 1, maximum: 2 })),
  isDefault: Type.Boolean(),
});

export const WslConfigEntry = Shape({
  section: Text(64),
  key: Text(64),
  value: LongText,
  bytes: Nullable(Bytes),
});

export const Wsl = Shape({
  version: Nullable(Text(64)),
  kernelVersion: Nullable(Text(128)),
  windowsVersion: Nullable(Text(64)),
  defaultDistro: Nullable(Text()),
  distros: List(WslDistro, 64),
  config: List(WslConfigEntry, 128),
});

export const DesktopSettings = Shape({
  source: Text(64),
  memoryMiB: Nullable(Count),
  cpus: Nullable(Count),
  swapMiB: Nullable(Count),
  wslEngineEnabled: Nullable(Type.Boolean()),
  integratedWslDistros: List(Text(), 64),
  integrationWithDefaultDistro: Nullable(Type.Boolean()),
  fileSharing: Nullable(Text(32)),
  filesharingDirectories: List(LongText, 64),
});

export const Report = Shape({
  schemaVersion: Type.Integer({ minimum: 1, maximum: 1000 }),
  reportId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }),
  collectedAt: Type.String({ format: 'date-time', maxLength: 64 }),
  agentVersion: Text(32),
  host: Host,
  docker: Docker,
  wsl: Nullable(Wsl),
  desktopSettings: Nullable(DesktopSettings),
  problems: List(Problem, 128),
  /** The agent's spool when this report left: reports still waiting, and dropped because full. */
  spool: Type.Optional(Shape({ pending: Count, dropped: Count })),
  benchmarks: Type.Optional(List(BenchmarkRun, 16)),
  builds: Type.Optional(List(BuildRecord, 500)),
});

export type Problem = Static<typeof Problem>;
export type Host = Static<typeof Host>;
export type DaemonState = Static<typeof DaemonState>;
export type DockerClient = Static<typeof DockerClient>;
export type DockerServer = Static<typeof DockerServer>;
export type DockerEngine = Static<typeof DockerEngine>;
export type Backend = Static<typeof Backend>;
export type Docker = Static<typeof Docker>;
export type WslDistro = Static<typeof WslDistro>;
export type WslConfigEntry = Static<typeof WslConfigEntry>;
export type Wsl = Static<typeof Wsl>;
export type DesktopSettings = Static<typeof DesktopSettings>;
export type Report = Static<typeof Report>;
