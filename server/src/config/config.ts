import path from 'node:path';

import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';

import { repoRoot } from '../paths.js';

/** Server configuration, read from the environment. The schema is the only definition. */
export const ConfigSchema = Type.Object({
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
  trustProxy: Type.Boolean({ default: false }),
  reportsPerMinute: Type.Integer({ minimum: 1, default: 600 }),
  loginsPerMinute: Type.Integer({ minimum: 1, default: 10 }),
  retentionDays: Type.Integer({ minimum: 0, maximum: 36500, default: 180 }),
});

export type Config = Static<typeof ConfigSchema>;

/** Which environment variable feeds which setting, for messages and `--help`. */
export const configVariables: Record<keyof Config, { name: string; meaning: string }> = {
  host: { name: 'DEVFLEET_HOST', meaning: 'address to listen on (default 127.0.0.1)' },
  port: { name: 'DEVFLEET_PORT', meaning: 'port to listen on (default 8080)' },
  dbPath: { name: 'DEVFLEET_DB', meaning: 'SQLite database file (default ./data/devfleet.db)' },
  enrollSecret: {
    name: 'DEVFLEET_ENROLL_SECRET',
    meaning: 'secret agents exchange for a machine key (generated on first start when unset)',
  },
  adminPassword: {
    name: 'DEVFLEET_ADMIN_PASSWORD',
    meaning: 'password of the admin login (generated on first start when unset)',
  },
  logLevel: { name: 'DEVFLEET_LOG_LEVEL', meaning: 'fatal … trace, or silent (default info)' },
  bodyLimitBytes: {
    name: 'DEVFLEET_BODY_LIMIT',
    meaning: 'largest accepted request body in bytes (default 1048576)',
  },
  publicUrl: {
    name: 'DEVFLEET_PUBLIC_URL',
    meaning: 'the dashboard address people use, for links in notifications (default none)',
  },
  webhookUrl: {
    name: 'DEVFLEET_WEBHOOK_URL',
    meaning: 'where alerts are posted (Slack incoming webhook or any JSON endpoint; default none)',
  },
  webhookFormat: { name: 'DEVFLEET_WEBHOOK_FORMAT', meaning: 'slack or json (default slack)' },
  trustProxy: {
    name: 'DEVFLEET_TRUST_PROXY',
    meaning: 'true behind a TLS-terminating proxy: honours X-Forwarded-*, marks cookies Secure',
  },
  reportsPerMinute: {
    name: 'DEVFLEET_REPORT_RATE_LIMIT',
    meaning: 'reports one machine may send per minute before 429 (default 600)',
  },
  loginsPerMinute: {
    name: 'DEVFLEET_LOGIN_RATE_LIMIT',
    meaning: 'login attempts per minute from one address before 429 (default 10)',
  },
  retentionDays: {
    name: 'DEVFLEET_RETENTION_DAYS',
    meaning:
      'raw reports and per-report samples older than this are thinned to daily (default 180; 0 keeps all)',
  },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (key: keyof Config) => {
    const value = env[configVariables[key].name];
    return value === undefined || value === '' ? undefined : value;
  };

  const raw = {
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
  };

  // Default fills in what is unset; Convert turns "8080" into 8080 but leaves "80x" a string,
  // so Check still rejects it with a message naming the variable.
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const value = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, defined));
  const errors = Value.Errors(ConfigSchema, value);
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const key = e.instancePath.replace(/^\//, '') as keyof Config;
      const variable = configVariables[key]?.name ?? key;
      return `  ${variable}: ${e.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }

  return value as Config;
}
