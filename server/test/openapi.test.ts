import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestApp, type TestServer } from './helpers.js';

interface Media {
  example?: unknown;
  examples?: unknown;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

let server: TestServer;
let document: OpenApiDocument;

beforeAll(async () => {
  // With a metrics token, so that /metrics exists and must be described too.
  server = await startTestApp({
    config: { bodyLimitBytes: 256 * 1024, metricsToken: 'test-metrics-token-0123456789' },
  });
  const res = await server.app.inject({ method: 'GET', url: '/api/docs/json' });
  expect(res.statusCode).toBe(200);
  document = res.json<OpenApiDocument>();
});

afterAll(async () => {
  await server.close();
});

/** Every `METHOD /path` the app answers, read from Fastify's route tree (HEAD left out). */
function appRoutes(): string[] {
  const segments: string[] = [];
  const routes: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ├└─]*)(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    segments.length = depth;
    segments.push(match[2] ?? '');
    const methods = (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD');
    for (const method of methods) routes.push(`${method} ${segments.join('')}`);
  }
  return routes;
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths).flatMap(([url, operations]) =>
    Object.keys(operations).map(
      (method) => `${method.toUpperCase()} ${url.replace(/\{(\w+)\}/g, ':$1')}`,
    ),
  );
}

describe('GET /api/docs', () => {
  it('serves Swagger UI as HTML without a session, under the strict CSP', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/docs' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui-bundle.js');
    // The page's scripts are files of its own: no inline script for the CSP to block.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self';");

    const script = await server.app.inject({
      method: 'GET',
      url: '/api/docs/static/swagger-ui-bundle.js',
    });
    expect(script.statusCode).toBe(200);
  });

  it('serves a valid OpenAPI 3 document without a session', async () => {
    const result = await new Validator().validate(
      document as unknown as Parameters<Validator['validate']>[0],
    );

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);
  });

  it('describes every route the app answers, the UI and the dashboard files aside', () => {
    const own = appRoutes().filter((r) => !/^GET \/(api\/docs|$|\*$)/.test(r));

    expect(own).toContain('POST /api/v1/reports');
    expect(own).toContain('GET /api/v1/export/alerts.csv');
    expect(documentedRoutes().sort()).toEqual(own.sort());
  });

  it('gives every operation a summary, a description, a tag and examples', () => {
    for (const [url, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${url}`;
        expect(op.summary, where).toBeTruthy();
        expect(op.description, where).toBeTruthy();
        expect(op.tags?.length, where).toBeGreaterThan(0);

        const media = [
          ...Object.values(op.requestBody?.content ?? {}),
          ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
        ];
        for (const m of media) expect(m.example ?? m.examples, where).toBeDefined();
      }
    }
  });
});
