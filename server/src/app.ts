import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  type FastifyError,
  type FastifyReply,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';

import { Detection } from './alerts/detection.js';
import { WebhookNotifier } from './alerts/notifier.js';
import { FailureLimiter } from './auth/failure-limiter.js';
import { requireSession } from './auth/sessions.js';
import type { Config } from './config/config.js';
import type { Db } from './db/client.js';
import { DevfleetError, errorCatalog, type ErrorCode } from './errors.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { describeSchemaErrors, registerValidation } from './http/validation.js';
import { loadHealthRules, type HealthRules } from './health/rules-config.js';
import { LocalReportWriter, type ReportWriter } from './ingest/report-writer.js';
import { LiveHub } from './live/hub.js';
import { Metrics } from './metrics/metrics.js';
import { documentSecurity, registerApiDocs } from './openapi/docs.js';
import { webDistDir } from './paths.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { authRoutes } from './routes/auth.js';
import { changeRoutes } from './routes/changes.js';
import { developerRoutes } from './routes/developers.js';
import { enrollRoutes } from './routes/enroll.js';
import { exportRoutes } from './routes/export.js';
import { fleetRoutes } from './routes/fleet.js';
import { healthRoutes } from './routes/health.js';
import { liveRoutes } from './routes/live.js';
import { machineRoutes } from './routes/machines.js';
import { metricsRoutes } from './routes/metrics.js';
import { reportRoutes } from './routes/reports.js';
import { seriesRoutes } from './routes/series.js';
import { trendRoutes } from './routes/trends.js';
import { webRoutes } from './routes/web.js';

// A second is nothing to a person waiting for an alert, and lets a machine flushing its spool
// be assessed once rather than once a report.
const DETECTION_DELAY_MS = 1000;
const DETECTION_CLOSE_BUDGET_MS = 2000;
const FAILED_CREDENTIALS_PER_MINUTE = 30;
const REQUEST_TIMEOUT_MS = 30_000;

export interface AppOptions {
  config: Pick<Config, 'bodyLimitBytes'> &
    Partial<
      Pick<
        Config,
        | 'webhookUrl'
        | 'webhookFormat'
        | 'publicUrl'
        | 'trustProxy'
        | 'reportsPerMinute'
        | 'loginsPerMinute'
        | 'rulesPath'
        | 'metricsToken'
        | 'fleetIntervalSeconds'
      >
    >;
  db: Db;
  logger?: FastifyServerOptions['logger'];
  webDir?: string;
  hub?: LiveHub;
  /** Least time between fleet evaluations of one transition (tests use 0). */
  fleetIntervalMs?: number;
  /** How long a machine's reports gather before detection runs over them (tests use 0). */
  detectionDelayMs?: number;
  /** Where validated reports are stored; by default in-process, with group commit. */
  writer?: ReportWriter;
  /** First wait between webhook attempts (tests shorten it). */
  webhookMinTimeoutMs?: number;
  /** How long a whole request may take to arrive (tests shorten it). */
  requestTimeoutMs?: number;
  /** Rules already read from config.rulesPath; read here when absent. */
  rules?: HealthRules;
}

/**
 * DEVFLEET_TRUST_PROXY as Fastify takes it. `true` trusts the one proxy in front, not every
 * hop: trusting all would read the client's own X-Forwarded-For as its address.
 */
function trustedProxies(setting: Config['trustProxy']) {
  if (setting === false) return false;
  const hops = setting === true ? 1 : setting;
  if (typeof hops === 'string') return hops;
  return (_address: string, hop: number) => hop < hops;
}

/** Builds the Fastify app without listening: tests inject into it, server.ts runs it. */
export async function buildApp(options: AppOptions) {
  const { config, db } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustedProxies(config.trustProxy ?? false),
    requestIdHeader: false,
    genReqId: requestId,
    // As long as the longest id or name a route accepts (owners, hosts: 256): a longer path
    // segment would otherwise be "no route" instead of the route's own 400.
    routerOptions: { maxParamLength: 256 },
    // A "__proto__" key is valid JSON: dropped like any field the schema does not know, instead
    // of Fastify's refusal, which calls the body "not valid JSON".
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // A whole request, body included, must arrive within this: a client that stops sending
    // halfway would otherwise hold its connection and its request open for good.
    requestTimeout: requestTimeoutMs,
    http: {
      // Node enforces the shorter of the two limits as the headers' and the longer as the whole
      // request's: its default headers limit (60 s) would make the request limit 60 s too.
      headersTimeout: requestTimeoutMs,
      // How often Node looks for late requests (its default, 30 s, would double the wait).
      connectionsCheckingInterval: Math.min(requestTimeoutMs, 5000),
    },
    // A URL that cannot be decoded answers in the same envelope as every other error.
    frameworkErrors: (error, request, reply) => {
      const { status, code, message } = describeError(error, request.url);
      void (reply as FastifyReply).code(status).send({ error: { code, message } });
    },
    // Requests Node's parser refuses before Fastify sees them (a 20 KB header, a 100 KB URL)
    // are answered in the same envelope too.
    clientErrorHandler: answerClientError,
    schemaErrorFormatter: (errors, dataVar) => new Error(describeSchemaErrors(errors, dataVar)),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every body the API takes is JSON: text is refused as such (415), not read as a string that
  // then fails the schema (400).
  app.removeContentTypeParser('text/plain');
  // Nor is a body decoded: one labelled gzip would be read as if it were plain JSON.
  app.addHook('onRequest', async (request) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      throw new DevfleetError(
        'DEVFLEET_UNSUPPORTED_MEDIA_TYPE',
        'Send the body without Content-Encoding',
      );
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, code, message } = describeError(error, request.url);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code, status }, 'request rejected');
    if (error instanceof DevfleetError && error.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    return reply.code(status).send({ error: { code, message } });
  });

  app.setNotFoundHandler((request, reply) => {
    const where = request.url.split('?')[0]?.slice(0, 200) ?? '';
    const message = `No route for ${request.method} ${where}`;
    return reply.code(404).send({ error: { code: 'DEVFLEET_NOT_FOUND', message } });
  });

  // DEVFLEET_RULES names the team's rules file; a broken one stops the server at start.
  const rules = options.rules ?? loadHealthRules(config.rulesPath);
  const metrics = new Metrics(db, rules);
  app.decorate('metrics', metrics);
  registerRequestHooks(app, metrics);

  registerSecurityHeaders(app);
  registerValidation(app);
  await registerApiDocs(app);
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: () => new DevfleetError('DEVFLEET_RATE_LIMITED'),
  });
  const hub = options.hub ?? new LiveHub();
  app.addHook('onClose', async () => hub.closeAll());
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });

  const notifier = config.webhookUrl
    ? new WebhookNotifier(
        db,
        {
          url: config.webhookUrl,
          format: config.webhookFormat ?? 'slack',
          retries: 5,
          minTimeoutMs: options.webhookMinTimeoutMs ?? 2000,
          dashboardUrl: config.publicUrl ?? null,
          metrics,
        },
        app.log,
      )
    : null;
  const detection = new Detection({
    db,
    hub,
    notifier,
    log: app.log,
    fleetIntervalMs: options.fleetIntervalMs ?? (config.fleetIntervalSeconds ?? 30) * 1000,
    delayMs: options.detectionDelayMs ?? DETECTION_DELAY_MS,
  });
  app.decorate('notifier', notifier);
  app.decorate('detection', detection);
  app.addHook('onClose', async () => {
    const deferred = detection.flush(DETECTION_CLOSE_BUDGET_MS);
    if (deferred > 0) app.log.info({ machines: deferred }, 'detection deferred to next reports');
  });

  // Open to anyone: health, login, and the agents' own routes (they carry their own credentials).
  await app.register(healthRoutes, { checkDatabase: () => db.$client.open });
  await app.register(authRoutes, { db, loginsPerMinute: config.loginsPerMinute ?? 10 });
  // Unknown machine keys and wrong secrets, per address: guessing is throttled, agents are not.
  const failures = new FailureLimiter(FAILED_CREDENTIALS_PER_MINUTE, 60_000);
  await app.register(enrollRoutes, { db, failures });
  // The process (server.ts) stores reports on a thread of their own; tests store them here.
  const writer = options.writer ?? new LocalReportWriter(db);
  app.addHook('onClose', async () => writer.close());
  await app.register(reportRoutes, {
    db,
    failures,
    writer,
    hub,
    detection,
    reportsPerMinute: config.reportsPerMinute ?? 600,
  });
  if (config.metricsToken) {
    metrics.collectProcessMetrics();
    await app.register(metricsRoutes, { metrics, token: config.metricsToken });
  }
  await app.register(webRoutes, { dir: options.webDir ?? webDistDir });

  // The dashboard's API and live feed: a session, and a CSRF token on every change.
  await app.register(async (viewer) => {
    viewer.addHook('onRequest', requireSession(db, 'viewer'));
    viewer.addHook('onRoute', documentSecurity('viewer'));
    await viewer.register(machineRoutes, { db });
    await viewer.register(seriesRoutes, { db });
    await viewer.register(changeRoutes, { db });
    await viewer.register(alertRoutes, { db, hub });
    await viewer.register(liveRoutes, { hub });
    await viewer.register(fleetRoutes, { db, rules });
    await viewer.register(trendRoutes, { db });
    await viewer.register(developerRoutes, { db, rules });
    await viewer.register(exportRoutes, { db, rules });
  });

  await app.register(async (admin) => {
    admin.addHook('onRequest', requireSession(db, 'admin'));
    admin.addHook('onRoute', documentSecurity('admin'));
    await admin.register(adminRoutes, { db });
  });

  return app;
}

// A caller's (or proxy's) X-Request-Id is kept when it is a plain token, so one id follows a
// request across services; anything else could smuggle text into logs, so it gets a fresh one.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The request id on every answer, and each answer counted by route pattern for /metrics. */
function registerRequestHooks(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    // The pattern, never the URL: ids in URLs would make one time series per machine.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestAnswered(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'DEVFLEET_REPORT_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'DEVFLEET_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_TYPE: 'DEVFLEET_UNSUPPORTED_MEDIA_TYPE',
  // Fastify's message repeats the whole segment back.
  FST_ERR_MAX_PARAM_LENGTH: 'DEVFLEET_URL_TOO_LONG',
};

function describeError(
  error: FastifyError,
  url?: string,
): { status: number; code: ErrorCode; message: string } {
  if (error instanceof DevfleetError) {
    return { status: error.statusCode, code: error.code, message: error.message };
  }
  if (error.validation) {
    return { status: 400, code: 'DEVFLEET_VALIDATION_FAILED', message: error.message };
  }

  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && !url?.startsWith('/api/v1/reports')) {
    return {
      status: 413,
      code: 'DEVFLEET_BODY_TOO_LARGE',
      ...messageOf('DEVFLEET_BODY_TOO_LARGE'),
    };
  }
  const mapped = fastifyCodes[error.code];
  if (mapped) return { status: errorCatalog[mapped].status, code: mapped, ...messageOf(mapped) };

  const status = error.statusCode ?? 500;
  // The static files answer 403 for a name the file system refuses (too long): for a client
  // that is a file that does not exist.
  if (status === 403)
    return { status: 404, code: 'DEVFLEET_NOT_FOUND', ...messageOf('DEVFLEET_NOT_FOUND') };
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

/** The parser's refusals, in the error envelope; the connection closes after the answer. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return;
  const [code, reason] = clientErrorAnswer(error.code);
  const { status, message } = errorCatalog[code];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function clientErrorAnswer(nodeCode: string | undefined): [ErrorCode, string] {
  if (nodeCode === 'HPE_HEADER_OVERFLOW') {
    return ['DEVFLEET_HEADERS_TOO_LARGE', 'Request Header Fields Too Large'];
  }
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT')
    return ['DEVFLEET_REQUEST_TIMEOUT', 'Request Timeout'];
  return ['DEVFLEET_BAD_REQUEST', 'Bad Request'];
}

function messageOf(code: ErrorCode): { message: string } {
  return { message: errorCatalog[code].message };
}

export type App = Awaited<ReturnType<typeof buildApp>>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The webhook notifier when one is configured: shutdown and tests drain it. */
    notifier: WebhookNotifier | null;
    /** Detection after ingestion: tests wait for it to be idle. */
    detection: Detection;
    /** The Prometheus metrics: routes count what they do (a report stored…). */
    metrics: Metrics;
  }
}
