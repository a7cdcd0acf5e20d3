import Type, { type Static } from 'typebox';

// Timed measurements an agent adds to a report: benchmark runs and the developer's real builds.
// Both are optional in the report, so agents without them still send schema version 1.

const Text = (maxLength = 256) => Type.String({ maxLength });
const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Shape = <T extends Type.TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });
const Millis = Type.Number({ minimum: 0, maximum: 7 * 24 * 3600 * 1000 });

export const PathKind = Type.Union([
  Type.Literal('windows-drive-via-wsl'),
  Type.Literal('wsl-ext4'),
  Type.Literal('macos-host'),
  Type.Literal('linux'),
  Type.Literal('windows'),
  Type.Literal('volume'),
  Type.Literal('container'),
  Type.Literal('unknown'),
]);

/** Every sample of one phase at one location, with the median and spread derived from them. */
export const PhaseResult = Shape({
  /** e.g. 'bind', 'volume', 'container', 'native' for mounts; 'mount', 'copy', 'native' for builds */
  location: Text(32),
  /** e.g. 'create', 'stat', 'read', 'delete', 'walk', 'large-write', 'large-read', 'cold', 'warm' */
  phase: Text(32),
  samplesMs: Type.Array(Millis, { maxItems: 100 }),
  medianMs: Millis,
  /** Interquartile range of the samples, in ms. */
  spreadMs: Millis,
});

export const BenchmarkRun = Shape({
  kind: Type.Union([Type.Literal('mount'), Type.Literal('build')]),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')]),
  /** Why it failed or was skipped, for a person: "no Docker daemon", "image not found"… */
  reason: Nullable(Text(2048)),
  startedAt: Type.String({ format: 'date-time', maxLength: 64 }),
  durationMs: Millis,
  quick: Type.Boolean(),
  repetitions: Type.Integer({ minimum: 0, maximum: 100 }),
  image: Nullable(Text()),
  imageDigest: Nullable(Text()),
  engineVersion: Nullable(Text(64)),
  desktopVersion: Nullable(Text(64)),
  /** 'bind' mount through Docker Desktop's file sharing (VirtioFS, gRPC FUSE, 9P…) when known */
  mountType: Nullable(Text(64)),
  /** Where the bind-mounted host directory lives */
  pathKind: PathKind,
  hostPath: Nullable(Text(1024)),
  results: Type.Array(PhaseResult, { maxItems: 64 }),
});

export const BuildRecord = Shape({
  /** Made on the agent, so that a build imported or sent twice is stored once. */
  id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{4,128}$' }),
  source: Type.Union([Type.Literal('time'), Type.Literal('buildx')]),
  name: Text(128),
  command: Nullable(Text(1024)),
  startedAt: Type.String({ format: 'date-time', maxLength: 64 }),
  durationMs: Millis,
  // Any process exit status: 32 bits, signed on Windows (NTSTATUS), unsigned elsewhere.
  exitCode: Nullable(Type.Integer({ minimum: -2147483648, maximum: 4294967295 })),
  succeeded: Type.Boolean(),
  /** Short hash of the environment facts the build ran on (Desktop, engine, WSL, path kind). */
  fingerprint: Nullable(Text(64)),
  pathKind: PathKind,
  /** buildx: cached steps / total steps */
  cacheRatio: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
});

export type PathKind = Static<typeof PathKind>;
export type PhaseResult = Static<typeof PhaseResult>;
export type BenchmarkRun = Static<typeof BenchmarkRun>;
export type BuildRecord = Static<typeof BuildRecord>;
