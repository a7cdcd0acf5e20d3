import type { FastifyInstance, FastifySchema } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

// Fastify's own defaults, but for coercion. allErrors stays off: collecting every error of a
// hostile body is work an attacker chooses the size of.
const base: Options = { useDefaults: true, removeAdditional: true, allErrors: false };

/**
 * Request bodies are validated as sent: no coercion. Fastify's default turns `null` into `""`
 * or `0` and `"4"` into 4, which rewrote what agents reported (a failed build stored with exit
 * code 0, a missing cache ratio as 0 %). Query strings and path parameters are text by nature
 * and keep the coercion that reads `?days=30` as a number.
 */
export function registerValidation(app: FastifyInstance): void {
  const body = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
  const text = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));

  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? body : text).compile(schema),
  );
}
