import type { FastifyPluginAsync } from 'fastify';

import { DevfleetError } from '../errors.js';
import type { LiveHub } from '../live/hub.js';

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export const liveRoutes: FastifyPluginAsync<{ hub: LiveHub }> = async (app, { hub }) => {
  const schema = {
    tags: ['operations'],
    summary: 'Live feed (WebSocket)',
    description:
      'Upgrade to a WebSocket: the server pushes `{"type":"report"…}` when a report is stored ' +
      'and `{"type":"alert"…}` when an alert changes (LiveEvent in @devfleet/wire). Messages ' +
      'sent by the client are ignored.',
    response: { 101: { description: 'Switched to the WebSocket protocol', type: 'null' } },
  };
  // @fastify/websocket hides websocket routes from the document; this one is part of the API.
  const config = {
    swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({
      schema: { ...schema, hide: false },
      url,
    }),
  };
  app.get(
    '/api/v1/live',
    {
      websocket: true,
      schema,
      config,
      // Browsers send the session cookie with a WebSocket opened from any page, and WebSockets
      // are not held to the same-origin rule: only the dashboard's own pages may open one.
      preValidation: async (request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !sameOrigin(origin, request.host)) {
          throw new DevfleetError('DEVFLEET_FORBIDDEN', 'Open the live feed from the dashboard');
        }
      },
    },
    (socket) => {
      // Dashboards only listen; anything they send is ignored.
      hub.add(socket);
    },
  );
};
