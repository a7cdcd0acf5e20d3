import fs from 'node:fs';

import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';

import { listProblems, schemaProblems } from '../schema-problems.js';

// The team's health rules: one YAML file (JSON is YAML too), path from DEVFLEET_RULES. Every key
// is optional: what the file leaves out keeps the default below, so a file can be one line.

const Severity = Type.Union([Type.Literal('amber'), Type.Literal('red')]);

const rule = <T extends Type.TProperties>(severity: 'amber' | 'red', extra: T) =>
  Type.Object(
    {
      enabled: Type.Boolean({ default: true }),
      severity: { ...Severity, default: severity },
      ...extra,
    },
    { default: {}, additionalProperties: false },
  );

export const HealthRulesSchema = Type.Object(
  {
    desktopMinimum: rule('red', {
      /** Oldest Docker Desktop version the team supports. */
      version: Type.String({ pattern: '^\\d+(\\.\\d+)*$', default: '4.34.0' }),
    }),
    wslBackend: rule('red', {}),
    wslIntegration: rule('amber', {}),
    memory: rule('amber', {
      minWslGiB: Type.Number({ minimum: 0, default: 4 }),
      minDesktopGiB: Type.Number({ minimum: 0, default: 4 }),
    }),
    projectLocation: rule('amber', {}),
    openRegression: rule('amber', {}),
    stale: rule('amber', { hours: Type.Number({ exclusiveMinimum: 0, default: 48 }) }),
    daemon: rule('red', {}),
  },
  { additionalProperties: false },
);

export type HealthRules = Static<typeof HealthRulesSchema>;
export type RuleName = keyof HealthRules;

export const RULES_VARIABLE = 'DEVFLEET_RULES';

export class RulesFileError extends Error {
  override name = 'RulesFileError';
}

export function defaultHealthRules(): HealthRules {
  return parseHealthRules({});
}

/** Defaults filled in, then checked: a typo in a key or a threshold fails with its path. */
export function parseHealthRules(input: unknown, source = 'rules'): HealthRules {
  const value = Value.Default(HealthRulesSchema, Value.Clone(input ?? {}));
  const problems = schemaProblems(Value.Errors(HealthRulesSchema, value)).flatMap(
    ({ where, problems }) => problems.map((problem) => `${where || '/'} ${problem}`),
  );
  if (problems.length > 0) {
    throw new RulesFileError(`${source} is not valid:${listProblems(problems)}`);
  }
  return value as HealthRules;
}

/** The rules from the file DEVFLEET_RULES names (config.rulesPath), or the defaults. */
export function loadHealthRules(file: string | null | undefined): HealthRules {
  if (!file) return defaultHealthRules();

  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as { code?: string }).code ?? String(error);
    throw new RulesFileError(`${RULES_VARIABLE}: cannot read ${file} (${reason})`, {
      cause: error,
    });
  }

  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    // The parser's first line says what and where; the lines after it draw the spot.
    const text = error instanceof Error ? error.message : String(error);
    const message = (text.split('\n')[0] ?? '').replace(/:$/, '');
    throw new RulesFileError(`${RULES_VARIABLE}: ${file} is not valid YAML or JSON: ${message}`, {
      cause: error,
    });
  }
  return parseHealthRules(parsed, `${RULES_VARIABLE}: ${file}`);
}
