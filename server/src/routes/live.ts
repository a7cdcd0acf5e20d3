import type { FastifyPluginAsync } from 'fastify';

import type { LiveHub } from '../live/hub.js';

export const liveRoutes: FastifyPluginAsync<{ hub: LiveHub }> = async (app, { hub }) => {
  app.get('/api/v1/live', { websocket: true }, (socket) => {
    // Dashboards only listen; anything they send is ignored.
    hub.add(socket);
  });
};
