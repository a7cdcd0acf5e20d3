import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

import { buildApp } from './app.js';
import { ensureCredentials, type Credentials } from './auth/bootstrap.js';
import type { Config } from './config/config.js';
import { startCheckpointer } from './db/checkpointer.js';
import { closeDatabase, openDatabase, type Db } from './db/client.js';
import { pruneHistoryGently } from './db/maintenance.js';
import { loadHealthRules } from './health/rules-config.js';
import { ThreadReportWriter } from './ingest/thread-writer.js';

export interface RunningServer {
  url: string;
  credentials: Credentials;
  close: () => Promise<void>;
}

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  const base = { level: config.logLevel };
  // JSON for machines and log shippers; readable lines when a person watches the terminal.
  if (!process.stdout.isTTY) return base;
  return {
    ...base,
    // One line an event: a request is two lines, not fifteen, and the banner stays in view.
    transport: {
      target: 'pino-pretty',
      options: { translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: 'pid,hostname' },
    },
  };
}

/** Opens the database, applies migrations, and listens. Throws when any step fails. */
export async function startServer(config: Config): Promise<RunningServer> {
  // A broken rules file stops the start before an admin password is generated: one shown by a
  // start that then fails would be lost.
  const rules = loadHealthRules(config.rulesPath);
  const db = openDatabase(config.dbPath);
  const credentials = await ensureCredentials(db, config);

  let log: FastifyBaseLogger | null = null;
  const writer = ThreadReportWriter.start(config.dbPath, db, (error) =>
    log?.error({ err: error }, 'writer thread failed: storing reports on the request thread'),
  );
  let app;
  try {
    app = await buildApp({ config, db, rules, logger: loggerOptions(config), writer });
  } catch (error) {
    // The writer thread would keep the process alive after a failed build.
    await writer.close();
    closeDatabase(db);
    throw error;
  }
  log = app.log;

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // The writer thread would keep the process alive: it ends with the app.
    await app.close();
    closeDatabase(db);
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  const retention = scheduleRetention(db, config, app.log);
  const checkpointer = await startCheckpointer(db, config.dbPath, (message) =>
    app.log.error({ message }, 'checkpoint failed'),
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    // app.close stops accepting, waits for in-flight requests, then the database closes.
    retention.stop();
    closing ??= app
      .close()
      .then(() => checkpointer.stop())
      .then(() => closeDatabase(db));
    return closing;
  };

  return { url: `http://${host}:${port}`, credentials, close };
}

const RETENTION_EVERY_MS = 6 * 3600 * 1000;

/** Thins old history now and every few hours; a failure is logged, never fatal. */
function scheduleRetention(db: Db, config: Config, log: FastifyBaseLogger): { stop: () => void } {
  if (config.retentionDays === 0) return { stop: () => undefined };

  const stopped = new AbortController();
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const before = Date.now() - config.retentionDays * 24 * 3600 * 1000;
      const result = await pruneHistoryGently(db, before, stopped.signal);
      if (result.reportsPruned > 0 || result.samplesAggregated > 0)
        log.info(result, 'history thinned');
    } catch (error) {
      log.error({ err: error }, 'retention failed');
    } finally {
      running = false;
    }
  };
  const first = setImmediate(() => void run());
  const timer = setInterval(() => void run(), RETENTION_EVERY_MS).unref();
  return {
    stop: () => {
      stopped.abort();
      clearImmediate(first);
      clearInterval(timer);
    },
  };
}
