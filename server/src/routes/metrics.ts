import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { DevfleetError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';

/** Prometheus scrapes: only registered when DEVFLEET_METRICS_TOKEN is set, and only to it. */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: Metrics; token: string }> = async (
  app,
  { metrics, token },
) => {
  // Hashing both sides gives equal lengths, which timingSafeEqual needs, and leaks nothing.
  const expected = sha256(`Bearer ${token}`);

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics',
        description:
          'Request rates and latencies, reports ingested, machines by health status, open ' +
          'alerts, webhook deliveries and failures, database size and process metrics, in the ' +
          'Prometheus text format. Needs `Authorization: Bearer <DEVFLEET_METRICS_TOKEN>`; ' +
          'absent (404) when that setting is unset.',
        security: [{ metricsToken: [] }],
        response: {
          200: {
            description: 'The metrics, Prometheus text exposition format 0.0.4',
            content: {
              'text/plain': {
                schema: Type.String(),
                example:
                  '# HELP devfleet_reports_ingested_total Reports stored\n' +
                  '# TYPE devfleet_reports_ingested_total counter\n' +
                  'devfleet_reports_ingested_total 1284\n',
              },
            },
          },
        },
      },
      onRequest: async (request) => {
        const given = sha256(request.headers.authorization ?? '');
        if (!timingSafeEqual(given, expected)) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED');
      },
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
};

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
