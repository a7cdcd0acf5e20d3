import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyServerOptions } from 'fastify';

import { Detection } from './alerts/detection.js';
import { WebhookNotifier } from './alerts/notifier.js';
import type { Config } from './config/config.js';
import type { Db } from './db/client.js';
import { DevfleetError, errorCatalog, type ErrorCode } from './errors.js';
import { LiveHub } from './live/hub.js';
import { webDistDir } from './paths.js';
import { alertRoutes } from './routes/alerts.js';
import { changeRoutes } from './routes/changes.js';
import { enrollRoutes } from './routes/enroll.js';
import { healthRoutes } from './routes/health.js';
import { liveRoutes } from './routes/live.js';
import { machineRoutes } from './routes/machines.js';
import { reportRoutes } from './routes/reports.js';
import { seriesRoutes } from './routes/series.js';
import { webRoutes } from './routes/web.js';

export interface AppOptions {
  config: Pick<Config, 'bodyLimitBytes'> &
    Partial<Pick<Config, 'webhookUrl' | 'webhookFormat' | 'publicUrl'>>;
  db: Db;
  enrollSecret: string;
  logger?: FastifyServerOptions['logger'];
  webDir?: string;
  hub?: LiveHub;
  /** Least time between fleet evaluations of one transition (tests use 0). */
  fleetIntervalMs?: number;
  /** First wait between webhook attempts (tests shorten it). */
  webhookMinTimeoutMs?: number;
}

/** Builds the Fastify app without listening: tests inject into it, server.ts runs it. */
export async function buildApp(options: AppOptions) {
  const { config, db, enrollSecret } = options;

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message } = describeError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, status }, 'request rejected');
    return reply.code(status).send({ error: { code, message } });
  });

  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .send({ error: { code: 'DEVFLEET_NOT_FOUND', message: `No route for ${request.method}` } });
  });

  const hub = options.hub ?? new LiveHub();
  app.addHook('onClose', async () => hub.closeAll());
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });

  await app.register(healthRoutes, { checkDatabase: () => db.$client.open });
  await app.register(enrollRoutes, { db, enrollSecret });
  const notifier = config.webhookUrl
    ? new WebhookNotifier(
        db,
        {
          url: config.webhookUrl,
          format: config.webhookFormat ?? 'slack',
          retries: 5,
          minTimeoutMs: options.webhookMinTimeoutMs ?? 2000,
          dashboardUrl: config.publicUrl ?? null,
        },
        app.log,
      )
    : null;
  const detection = new Detection({
    db,
    hub,
    notifier,
    log: app.log,
    fleetIntervalMs: options.fleetIntervalMs ?? 30_000,
  });
  app.decorate('notifier', notifier);

  await app.register(reportRoutes, { db, hub, detection });
  await app.register(machineRoutes, { db });
  await app.register(seriesRoutes, { db });
  await app.register(changeRoutes, { db });
  await app.register(alertRoutes, { db, hub });
  await app.register(liveRoutes, { hub });
  await app.register(webRoutes, { dir: options.webDir ?? webDistDir });

  return app;
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'DEVFLEET_REPORT_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'DEVFLEET_UNSUPPORTED_MEDIA_TYPE',
};

function describeError(error: FastifyError): { status: number; code: ErrorCode; message: string } {
  if (error instanceof DevfleetError) {
    return { status: error.statusCode, code: error.code, message: error.message };
  }
  if (error.validation) {
    return { status: 400, code: 'DEVFLEET_VALIDATION_FAILED', message: error.message };
  }

  const mapped = fastifyCodes[error.code];
  if (mapped) return { status: errorCatalog[mapped].status, code: mapped, message: error.message };

  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx (malformed JSON, empty body…) are safe to describe.
    return { status, code: 'DEVFLEET_VALIDATION_FAILED', message: error.message };
  }
  return {
    status: 500,
    code: 'DEVFLEET_INTERNAL',
    message: errorCatalog.DEVFLEET_INTERNAL.message,
  };
}

export type App = Awaited<ReturnType<typeof buildApp>>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The webhook notifier when one is configured: shutdown and tests drain it. */
    notifier: WebhookNotifier | null;
  }
}
