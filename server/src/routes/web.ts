import fs from 'node:fs';

import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Serves the built dashboard (web/dist) from `/`. */
export const webRoutes: FastifyPluginAsync<{ dir: string }> = async (app, { dir }) => {
  if (!fs.existsSync(dir)) {
    // Running from source without `npm run build`: say so instead of a bare 404.
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain').send('The dashboard is not built: run `npm run build`.'),
    );
    return;
  }

  await app.register(fastifyStatic, { root: dir, index: 'index.html' });
};
