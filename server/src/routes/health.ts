import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

export const healthRoutes: FastifyPluginAsyncTypebox<{ checkDatabase: () => boolean }> = async (
  app,
  { checkDatabase },
) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Health check',
        description:
          'For load balancers and container health checks: 200 while the database is open.',
        response: {
          200: Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] }),
          503: Type.Object(
            { status: Type.Literal('unavailable') },
            { description: 'The database is closed', examples: [{ status: 'unavailable' }] },
          ),
        },
      },
    },
    async (_request, reply) => {
      if (!checkDatabase()) return reply.code(503).send({ status: 'unavailable' as const });
      return { status: 'ok' as const };
    },
  );
};
