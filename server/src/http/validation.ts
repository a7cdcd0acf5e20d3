import type { FastifyInstance, FastifySchema, FastifySchemaValidationError } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

import { schemaProblems, type SchemaError } from '../schema-problems.js';

// Fastify's own defaults, but for coercion. allErrors stays off: collecting every error of a
// hostile body is work an attacker chooses the size of.
// `unicode: false`: maxLength counts UTF-16 units, not code points, which bounds a string just as
// well without walking every character of every string of a report. Ajv still honours the option
// but calls it deprecated on every instance; that one notice is dropped, every other one kept.
const deprecatedUnicode = /^DEPRECATED: option unicode\b/;
const base: Options = {
  useDefaults: true,
  removeAdditional: true,
  allErrors: false,
  unicode: false,
  logger: {
    log: (...args: unknown[]) => console.log(...args),
    warn: (...args: unknown[]) => {
      if (!deprecatedUnicode.test(String(args[0]))) console.warn(...args);
    },
    error: (...args: unknown[]) => console.error(...args),
  },
};

/**
 * Request bodies are validated as sent: no coercion. Fastify's default turns `null` into `""`
 * or `0` and `"4"` into 4, which rewrote what agents reported (a failed build stored with exit
 * code 0, a missing cache ratio as 0 %). Query strings and path parameters are text by nature
 * and keep the coercion that reads `?days=30` as a number.
 */
export function registerValidation(app: FastifyInstance): void {
  const body = withFormats(new Ajv({ ...base, coerceTypes: false }));
  const text = withFormats(new Ajv({ ...base, coerceTypes: 'array' }));

  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    httpPart === 'body' ? body.compile(schema) : finiteOnly(text.compile(schema)),
  );
}

type Validator = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/**
 * Text coerced to numbers may read as Infinity ("1e999"), which passes Ajv's bounds and would
 * reach a query as a limit or a date range: refused like any other value out of range.
 */
function finiteOnly(validate: Validator): Validator {
  const checked: Validator = (data) => {
    if (!validate(data)) {
      checked.errors = validate.errors ?? null;
      return false;
    }
    const infinite = Object.entries((data ?? {}) as Record<string, unknown>).find(([, value]) =>
      [value].flat().some((item) => typeof item === 'number' && !Number.isFinite(item)),
    );
    checked.errors = infinite
      ? [
          {
            instancePath: `/${infinite[0]}`,
            schemaPath: '#/finite',
            keyword: 'maximum',
            params: {},
            message: 'must be a finite number',
          },
        ]
      : null;
    return !infinite;
  };
  return checked;
}

/**
 * The standard formats, with `date-time` also required to be a time JavaScript can read: a leap
 * second (`23:59:60Z`) is valid RFC 3339, but `Date.parse` makes NaN of it, which would reach
 * storage as a missing time and answer 500.
 */
function withFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv);
  const rfc3339 = ajv.formats['date-time'];
  const isRfc3339 =
    rfc3339 && typeof rfc3339 === 'object' && 'validate' in rfc3339 ? rfc3339.validate : null;
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) =>
      (typeof isRfc3339 !== 'function' || (isRfc3339 as (v: string) => boolean)(value)) &&
      Number.isFinite(Date.parse(value)),
  });
  return ajv;
}

/**
 * Validation errors of a request part in one line: "querystring/status/0 must be one of: open,
 * acknowledged, resolved".
 */
export function describeSchemaErrors(errors: readonly SchemaError[], dataVar: string): string {
  return schemaProblems(errors)
    .flatMap(({ where, problems }) => problems.map((problem) => `${dataVar}${where} ${problem}`))
    .join(', ');
}
