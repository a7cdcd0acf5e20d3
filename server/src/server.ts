import type { FastifyServerOptions } from 'fastify';

import { buildApp } from './app.js';
import { ensureCredentials, type Credentials } from './auth/bootstrap.js';
import type { Config } from './config/config.js';
import { closeDatabase, openDatabase } from './db/client.js';

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
    transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } },
  };
}

/** Opens the database, applies migrations, and listens. Throws when any step fails. */
export async function startServer(config: Config): Promise<RunningServer> {
  const db = openDatabase(config.dbPath);
  const credentials = await ensureCredentials(db, config);

  const app = await buildApp({
    config,
    db,
    logger: loggerOptions(config),
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    closeDatabase(db);
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = () => {
    // app.close stops accepting, waits for in-flight requests, then the database closes.
    closing ??= app.close().then(() => closeDatabase(db));
    return closing;
  };

  return { url: `http://${host}:${port}`, credentials, close };
}
