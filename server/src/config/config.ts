import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';

import { repoRoot } from '../paths.js';
import { listProblems } from '../schema-problems.js';

/**
 * Server configuration, from environment variables and an optional JSON file. The schema is the
 * only definition; `configVariables` names each setting's variable for messages, `--help` and
 * the README table.
 */
export const ConfigSchema = Type.Object({
  configFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  dbPath: Type.String({ minLength: 1 }),
  enrollSecret: Type.Union([Type.String({ minLength: 16, maxLength: 256 }), Type.Null()]),
  adminPassword: Type.Union([Type.String({ minLength: 12, maxLength: 256 }), Type.Null()]),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  publicUrl: Type.Union([Type.String({ format: 'uri', pattern: '^https?://' }), Type.Null()]),
  webhookUrl: Type.Union([Type.String({ format: 'uri', pattern: '^https?://' }), Type.Null()]),
  webhookFormat: Type.Union([Type.Literal('slack'), Type.Literal('json')], { default: 'slack' }),
  // false; true (one proxy in front, the usual TLS terminator); the number of proxies in front;
  // or the proxies' addresses. Never "every hop": that would let a client name its own address
  // in X-Forwarded-For and walk past the login rate limit.
  trustProxy: Type.Union(
    [Type.Boolean(), Type.Integer({ minimum: 1, maximum: 10 }), Type.String({ minLength: 1 })],
    { default: false },
  ),
  reportsPerMinute: Type.Integer({ minimum: 1, default: 600 }),
  loginsPerMinute: Type.Integer({ minimum: 1, default: 10 }),
  retentionDays: Type.Integer({ minimum: 0, maximum: 36500, default: 180 }),
  fleetIntervalSeconds: Type.Integer({ minimum: 0, maximum: 3600, default: 30 }),
  rulesPath: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  // Long enough that guessing it over HTTP is hopeless; `openssl rand -hex 32` makes one.
  metricsToken: Type.Union([Type.String({ minLength: 16, maxLength: 256 }), Type.Null()]),
});

export type Config = Static<typeof ConfigSchema>;

export interface ConfigVariable {
  name: string;
  /** The default in words, as `--help` and the README show it. */
  default: string;
  meaning: string;
}

/** Which environment variable (or config file key) feeds which setting. */
export const configVariables: Record<keyof Config, ConfigVariable> = {
  configFile: {
    name: 'DEVFLEET_CONFIG',
    default: 'none',
    meaning: 'JSON file of these settings by variable name; the environment wins over it',
  },
  host: { name: 'DEVFLEET_HOST', default: '127.0.0.1', meaning: 'address to listen on' },
  port: { name: 'DEVFLEET_PORT', default: '8080', meaning: 'port to listen on' },
  dbPath: {
    name: 'DEVFLEET_DB',
    default: './data/devfleet.db',
    meaning: 'SQLite database file (created and migrated at start)',
  },
  enrollSecret: {
    name: 'DEVFLEET_ENROLL_SECRET',
    default: 'generated on first start',
    meaning: 'secret agents exchange for a machine key (16+ characters)',
  },
  adminPassword: {
    name: 'DEVFLEET_ADMIN_PASSWORD',
    default: 'generated on first start, printed once',
    meaning: 'password of the admin login (12+ characters)',
  },
  logLevel: { name: 'DEVFLEET_LOG_LEVEL', default: 'info', meaning: 'fatal … trace, or silent' },
  bodyLimitBytes: {
    name: 'DEVFLEET_BODY_LIMIT',
    default: '1048576',
    meaning: 'largest accepted request body, in bytes',
  },
  publicUrl: {
    name: 'DEVFLEET_PUBLIC_URL',
    default: 'none',
    meaning: 'the dashboard address people use, for links in notifications',
  },
  webhookUrl: {
    name: 'DEVFLEET_WEBHOOK_URL',
    default: 'none',
    meaning: 'where alerts are posted (Slack incoming webhook or any JSON endpoint)',
  },
  webhookFormat: { name: 'DEVFLEET_WEBHOOK_FORMAT', default: 'slack', meaning: 'slack or json' },
  trustProxy: {
    name: 'DEVFLEET_TRUST_PROXY',
    default: 'false',
    meaning:
      'true behind one TLS-terminating proxy (or how many, or their addresses): honours X-Forwarded-* from them, marks cookies Secure',
  },
  reportsPerMinute: {
    name: 'DEVFLEET_REPORT_RATE_LIMIT',
    default: '600',
    meaning: 'reports one machine may send per minute before 429',
  },
  loginsPerMinute: {
    name: 'DEVFLEET_LOGIN_RATE_LIMIT',
    default: '10',
    meaning: 'login attempts per minute from one address before 429',
  },
  retentionDays: {
    name: 'DEVFLEET_RETENTION_DAYS',
    default: '180',
    meaning: 'raw reports and per-report samples older than this are thinned to daily; 0 keeps all',
  },
  fleetIntervalSeconds: {
    name: 'DEVFLEET_FLEET_INTERVAL',
    default: '30',
    meaning:
      'seconds between fleet-wide assessments of one update and series (pools the machines that took it)',
  },
  rulesPath: {
    name: 'DEVFLEET_RULES',
    default: 'built-in rules',
    meaning: "YAML or JSON file of the team's health rules; a broken one stops the server",
  },
  metricsToken: {
    name: 'DEVFLEET_METRICS_TOKEN',
    default: 'none: /metrics is off',
    meaning: 'serves Prometheus metrics at /metrics to `Authorization: Bearer <token>` (16+ chars)',
  },
};

// Paths in a config file are relative to the file, wherever the server was started from.
const pathSettings: readonly (keyof Config)[] = ['dbPath', 'rulesPath'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The settings from the environment over those of DEVFLEET_CONFIG's file, checked. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const configFile = nonEmpty(env[configVariables.configFile.name]) ?? null;
  const file = configFile === null ? {} : readConfigFile(configFile);

  const read = (key: keyof Config): unknown => {
    const { name } = configVariables[key];
    const text = nonEmpty(env[name]);
    return text === undefined ? file[name] : fromEnvironment(key, text);
  };

  const raw: Record<keyof Config, unknown> = {
    configFile,
    host: read('host'),
    port: read('port'),
    dbPath: read('dbPath') ?? path.join(repoRoot, 'data', 'devfleet.db'),
    enrollSecret: read('enrollSecret') ?? null,
    adminPassword: read('adminPassword') ?? null,
    logLevel: read('logLevel'),
    bodyLimitBytes: read('bodyLimitBytes'),
    publicUrl: read('publicUrl') ?? null,
    webhookUrl: read('webhookUrl') ?? null,
    webhookFormat: read('webhookFormat'),
    trustProxy: read('trustProxy'),
    reportsPerMinute: read('reportsPerMinute'),
    loginsPerMinute: read('loginsPerMinute'),
    retentionDays: read('retentionDays'),
    fleetIntervalSeconds: read('fleetIntervalSeconds'),
    rulesPath: read('rulesPath') ?? null,
    metricsToken: read('metricsToken') ?? null,
  };

  return checkConfig(raw);
}

function checkConfig(raw: Record<keyof Config, unknown>): Config {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const value = Value.Default(ConfigSchema, defined) as Record<string, unknown>;

  const problems = new Map<keyof Config, string>();
  for (const error of Value.Errors(ConfigSchema, value)) {
    const key = error.instancePath.replace(/^\//, '') as keyof Config;
    if (problems.has(key)) continue;
    const setting = ConfigSchema.properties[key] as Type.TSchema | undefined;
    problems.set(
      key,
      `${JSON.stringify(value[key])} ${setting ? expected(setting) : 'is not valid'}`,
    );
  }
  const proxies = value['trustProxy'];
  if (!problems.has('trustProxy') && typeof proxies === 'string' && !isProxyList(proxies)) {
    problems.set(
      'trustProxy',
      `${JSON.stringify(proxies)} is not valid: expected true, a number of proxies, or ` +
        'comma-separated addresses or CIDR ranges (loopback, linklocal and uniquelocal too)',
    );
  }
  if (problems.size > 0) {
    const lines = [...problems].map(([key, problem]) => {
      const variable = configVariables[key]?.name ?? key;
      return `${variable}: ${problem}`;
    });
    throw new ConfigError(`invalid configuration:${listProblems(lines)}`);
  }

  return value as Config;
}

// The names proxy-addr knows besides addresses and CIDR ranges.
const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Whether DEVFLEET_TRUST_PROXY's text is what Fastify's proxy-addr takes, checked here so that a
 * typo is one line at start, not a stack from deep inside Fastify.
 */
function isProxyList(text: string): boolean {
  return text.split(',').every((part) => {
    const entry = part.trim();
    if (proxyNames.has(entry)) return true;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return false;
    if (bits === undefined) return true;
    const max = family === 4 ? 32 : 128;
    return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
  });
}

/**
 * An environment variable's text as the type its setting wants. Only plain forms count:
 * "8080" is a port, "80.5", "1e3" and "0x1F90" are not (JavaScript's Number would take them).
 * What does not read as the wanted type stays text, and the schema check names it.
 */
function fromEnvironment(key: keyof Config, text: string): unknown {
  const setting = ConfigSchema.properties[key] as Type.TSchema;
  const kinds = typesOf(setting);
  if (kinds.has('integer') && /^-?\d{1,15}$/.test(text)) return Number(text);
  if (kinds.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function typesOf(schema: Type.TSchema): Set<string> {
  const record = schema as { type?: string; anyOf?: Type.TSchema[] };
  if (record.anyOf) return new Set(record.anyOf.flatMap((s) => [...typesOf(s)]));
  return new Set(record.type ? [record.type] : []);
}

/** What a setting takes, in words, for the one line that says why a value was refused. */
function expected(schema: Type.TSchema): string {
  const options = (schema as { anyOf?: Type.TSchema[] }).anyOf;
  const literals = options?.map((o) => (o as { const?: unknown }).const);
  if (literals?.every((l) => typeof l === 'string')) {
    return `is not one of: ${literals.join(', ')}`;
  }

  const parts = (options ?? [schema]).flatMap((option): string[] => {
    const o = option as {
      type?: string;
      minimum?: number;
      maximum?: number;
      minLength?: number;
      format?: string;
    };
    if (o.type === 'integer') {
      const low = o.minimum ?? 0;
      return [
        `a whole number ${o.maximum === undefined ? `${low} or more` : `${low} to ${o.maximum}`}`,
      ];
    }
    if (o.type === 'boolean') return ['true or false'];
    if (o.type !== 'string') return [];
    if (o.format === 'uri') return ['an http:// or https:// URL'];
    return [o.minLength && o.minLength > 1 ? `text of ${o.minLength}+ characters` : 'text'];
  });
  return `is not valid: expected ${parts.join(', or ')}`;
}

/** The file's settings by variable name; an unknown key is a typo and fails the start. */
function readConfigFile(file: string): Record<string, unknown> {
  const source = configVariables.configFile.name;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${source}: cannot read ${file} as JSON: ${reason}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${source}: ${file} must hold one JSON object`);
  }

  const known = new Map(
    Object.entries(configVariables)
      .filter(([key]) => key !== 'configFile')
      .map(([key, v]) => [v.name, key as keyof Config]),
  );
  const unknown = Object.keys(parsed).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(`${source}: ${file} has unknown settings: ${unknown.join(', ')}`);
  }

  const dir = path.dirname(path.resolve(file));
  return Object.fromEntries(
    Object.entries(parsed).map(([name, value]) => {
      const isPath = pathSettings.includes(known.get(name) as keyof Config);
      return [name, isPath && typeof value === 'string' ? path.resolve(dir, value) : value];
    }),
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
