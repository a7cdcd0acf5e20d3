import { Alert, AlertList, AlertStatus } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

import { getAlert, listAlerts, setAlertStatus } from '../db/alert-repository.js';
import type { Db } from '../db/client.js';
import { DevfleetError } from '../errors.js';
import type { LiveHub } from '../live/hub.js';
import { alertExample, withExample } from '../openapi/examples.js';

const Params = Type.Object({ id: Type.String({ maxLength: 64, examples: [alertExample.id] }) });

export const alertRoutes: FastifyPluginAsyncTypebox<{ db: Db; hub: LiveHub }> = async (
  app,
  { db, hub },
) => {
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'List the alerts',
        description:
          'The 200 most recently updated alerts, optionally only those with the given `status` ' +
          '(repeat it for several).',
        querystring: Type.Object({
          status: Type.Optional(Type.Array(AlertStatus, { maxItems: 3, examples: [['open']] })),
        }),
        response: { 200: withExample(AlertList, { alerts: [alertExample] }) },
      },
    },
    async (request) => ({ alerts: listAlerts(db, request.query.status ?? []) }),
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert',
        description: 'The alert with its machines and the evidence behind the verdict.',
        params: Params,
        response: { 200: withExample(Alert, alertExample) },
      },
    },
    async (request) => {
      const alert = getAlert(db, request.params.id);
      if (!alert) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No alert with this id');
      return alert;
    },
  );

  for (const action of ['acknowledge', 'resolve'] as const) {
    const status = action === 'acknowledge' ? 'acknowledged' : 'resolved';

    app.post(
      `/api/v1/alerts/:id/${action}`,
      {
        schema: {
          tags: ['alerts'],
          summary: `${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} an alert`,
          description:
            `Sets the alert ${status} and tells open dashboards; 409 when it is not in a state ` +
            'for that (resolving a resolved alert…).',
          params: Params,
          response: { 200: withExample(Alert, { ...alertExample, status }) },
        },
      },
      async (request) => {
        const { id } = request.params;
        const before = getAlert(db, id);
        if (!before) throw new DevfleetError('DEVFLEET_NOT_FOUND', 'No alert with this id');

        if (!setAlertStatus(db, id, status, Date.now())) {
          throw new DevfleetError('DEVFLEET_ALERT_STATE_CONFLICT', `The alert is ${before.status}`);
        }
        const alert = getAlert(db, id) ?? before;

        request.log.info({ alertId: id, status }, 'alert status changed');
        hub.publish({ type: 'alert', alertId: id, status, at: alert.updatedAt });
        return alert;
      },
    );
  }
};
