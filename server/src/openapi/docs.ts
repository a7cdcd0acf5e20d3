import fs from 'node:fs';

import { ApiError } from '@devfleet/wire';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

import { errorExample } from './examples.js';

export const DOCS_PREFIX = '/api/docs';

/**
 * The OpenAPI document, generated from the route schemas, at /api/docs/json, and Swagger UI at
 * /api/docs. Public: the shape of the API is no secret, and every route it describes still
 * checks its own credentials. Register before any route: the generator collects routes as
 * they are added.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'devfleet server API',
        version: serverVersion(),
        description:
          'Agents enroll and send reports; the dashboard reads the fleet, machines, series, ' +
          'health and alerts. Errors are `{ "error": { "code": "DEVFLEET_…", "message": "…" } }` ' +
          'with a stable code. Dashboard routes need a session (log in first); every ' +
          'state-changing one also needs the session CSRF token in `X-CSRF-Token`.',
      },
      tags: [
        { name: 'agent', description: 'What devfleet-agent calls: enrollment and reports' },
        { name: 'auth', description: 'Dashboard login, session and logout' },
        { name: 'machines', description: 'Enrolled machines, their environments and series' },
        { name: 'fleet', description: 'Fleet health, versions, changes and developers' },
        { name: 'alerts', description: 'Detected regressions and improvements' },
        { name: 'export', description: 'CSV and JSON downloads of the dashboard tables' },
        { name: 'admin', description: 'Enrollment secrets, machine revocation, logins' },
        { name: 'operations', description: 'Health check, metrics, live feed' },
      ],
      components: {
        securitySchemes: {
          machineKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'The machine key `POST /api/v1/enroll` returned (`dfk_…`)',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'devfleet_session',
            description: 'Set by `POST /api/v1/auth/login`',
          },
          csrfToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-CSRF-Token',
            description: 'The `csrfToken` of the login or session answer',
          },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'DEVFLEET_METRICS_TOKEN',
          },
        },
      },
    },
    transform: ({ schema, url }) => ({ schema: withErrorResponse(schema), url }),
  });

  // Swagger UI's page loads its scripts from its own static files, no inline script: the
  // server's CSP (script-src 'self') holds here as everywhere else.
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    validatorUrl: false,
  });
}

/**
 * An onRoute hook for a scope: records in the document which credentials its routes need.
 * Documentation only: the scope's own onRequest hook is what enforces them.
 */
export function documentSecurity(role: 'viewer' | 'admin') {
  return (route: RouteOptions) => {
    const methods = [route.method].flat();
    const changesState = methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m));
    const security = [changesState ? { session: [], csrfToken: [] } : { session: [] }];
    const note = role === 'admin' ? 'Needs an admin session.' : 'Needs a session.';

    const schema = route.schema ?? {};
    const description = (schema as { description?: string }).description;
    route.schema = {
      ...schema,
      security,
      description: description ? `${description}\n\n${note}` : note,
    } as FastifySchema;
  };
}

/** server/package.json's version: one level above both src/ and dist/. */
function serverVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Every route answers errors in one shape: say so once here rather than in each route. */
function withErrorResponse(schema: FastifySchema | undefined): FastifySchema {
  if (!schema || (schema as { hide?: boolean }).hide) return schema ?? {};
  const response = (schema.response ?? {}) as Record<string, unknown>;
  return {
    ...schema,
    response: {
      ...response,
      '4XX': {
        ...ApiError,
        description: 'The request failed: the code says why (see src/errors.ts)',
        examples: [errorExample],
      },
    },
  };
}
