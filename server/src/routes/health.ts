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
        response: {
          200: Type.Object({ status: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('unavailable') }),
        },
      },
    },
    async (_request, reply) => {
      if (!checkDatabase()) return reply.code(503).send({ status: 'unavailable' as const });
      return { status: 'ok' as const };
    },
  );
};
