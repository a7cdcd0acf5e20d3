import fs from 'node:fs';

import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';

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
  const problems = describeProblems(Value.Errors(HealthRulesSchema, value));
  if (problems.length > 0) {
    const listed = problems.length === 1 ? ` ${problems[0]}` : `\n  ${problems.join('\n  ')}`;
    throw new RulesFileError(`${source} is not valid:${listed}`);
  }
  return value as HealthRules;
}

interface SchemaProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * One line a place in the file: a choice names the values it takes (TypeBox reports one error
 * per value and one for the choice), an unknown key is named once, with the keys that exist.
 */
function describeProblems(errors: SchemaProblem[]): string[] {
  const byPath = new Map<string, SchemaProblem[]>();
  for (const error of errors) {
    byPath.set(error.instancePath, [...(byPath.get(error.instancePath) ?? []), error]);
  }

  const problems: string[] = [];
  for (const [where, found] of byPath) {
    const place = where || '/';
    const allowed = found.filter((e) => e.keyword === 'const').map((e) => e.params.allowedValue);
    const unknown = found.flatMap((e) =>
      e.keyword === 'additionalProperties' ? (e.params.additionalProperties as string[]) : [],
    );
    if (allowed.length > 0) {
      problems.push(`${place} must be one of: ${allowed.join(', ')}`);
    } else if (unknown.length > 0) {
      const keys = unknown.length === 1 ? 'an unknown key' : 'unknown keys';
      problems.push(`${place} has ${keys}: ${unknown.join(', ')}`);
    } else if (!found.every((e) => e.keyword === 'boolean')) {
      // "schema is false" is the unknown key's own error, named above with its parent.
      const messages = found.filter((e) => e.keyword !== 'boolean').map((e) => e.message);
      problems.push(`${place} ${[...new Set(messages)].join(', ')}`);
    }
  }
  return problems;
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
