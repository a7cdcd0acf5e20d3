import fs from 'node:fs';
import { parseArgs } from 'node:util';

import { ensureCredentials } from './auth/bootstrap.js';
import { ConfigError, configVariables, loadConfig, type Config } from './config/config.js';
import { closeDatabase, DatabaseOpenError, openDatabase } from './db/client.js';
import { backupDatabase, pruneHistory } from './db/maintenance.js';
import { loadHealthRules, RulesFileError } from './health/rules-config.js';
import { startServer } from './server.js';

const usage = `Usage: devfleet-server [command]

Commands:
  start              open the database, apply migrations and serve (the default)
  credentials        apply migrations, make sure an enrollment secret and an admin login
                     exist, print them (--json for scripts) and exit
  backup FILE        write a consistent copy of the live database to FILE
  prune              thin history older than DEVFLEET_RETENTION_DAYS now

Configuration (environment variables, or keys of the DEVFLEET_CONFIG file; checked at start):
${Object.values(configVariables)
  .map((v) => `  ${v.name.padEnd(27)} ${v.meaning} (default: ${v.default})`)
  .join('\n')}
`;

/** The server's process entry: returns the exit code, or never returns while serving. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv.slice(2),
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`devfleet-server: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }

  const command = positionals[0] ?? 'start';
  try {
    const config = loadConfig();
    if (command === 'start') return await serve(config);
    if (command === 'credentials') return await printCredentials(config, values.json === true);
    if (command === 'backup') return await backup(config, positionals[1]);
    if (command === 'prune') return prune(config);

    process.stderr.write(`unknown command: ${command}\n\n${usage}`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RulesFileError) {
      process.stderr.write(`devfleet-server: ${error.message}\n`);
      return 78;
    }
    process.stderr.write(`devfleet-server: ${describeFailure(error, command)}\n`);
    return 1;
  }
}

/**
 * One line a person can act on for the failures that are about this machine, not a bug: the
 * port taken, the database path wrong. Anything else keeps its stack, to be reported.
 */
function describeFailure(error: unknown, command: string): string {
  const { code, message } = error as { code?: string; message?: string };
  const reason = message ?? String(error);
  if (code === 'EADDRINUSE') {
    return `cannot listen: ${reason.replace(/^listen /, '')}; another server uses the port: stop it or set DEVFLEET_PORT`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'ENOTFOUND') {
    return `cannot listen on DEVFLEET_HOST: ${reason}; use an address of this machine (127.0.0.1 by default)`;
  }
  if (error instanceof DatabaseOpenError) return `${error.message} (DEVFLEET_DB names the file)`;
  const failed = command === 'start' ? 'failed to start' : `${command} failed`;
  return `${failed}: ${error instanceof Error ? (error.stack ?? reason) : reason}`;
}

async function serve(config: Config): Promise<number> {
  const server = await startServer(config);
  const { credentials } = server;

  process.stderr.write(`devfleet server listening on ${server.url}\n`);
  if (!credentials.enrollSecretActive) {
    process.stderr.write('DEVFLEET_ENROLL_SECRET was revoked by an admin: it enrolls no machine\n');
  }
  if (credentials.enrollSecretSource === 'generated') {
    process.stderr.write(
      `enrollment secret (generated, kept in the database): ${credentials.enrollSecret}\n`,
    );
  }
  if (credentials.generatedAdminPassword) {
    process.stderr.write(
      `admin login (generated, shown once): ${credentials.adminUsername} / ${credentials.generatedAdminPassword}\n`,
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    // Ctrl-C reaches every process of the terminal's group, and a parent (npm start) may pass the
    // same signal on: a second one while shutting down must not cut the shutdown short.
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${signal}: shutting down\n`);
      server.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

async function printCredentials(config: Config, json: boolean): Promise<number> {
  // npm start asks for credentials before it starts the server: a rules file that would stop
  // the start stops this first, so no admin password is shown for a server that never runs.
  loadHealthRules(config.rulesPath);
  const db = openDatabase(config.dbPath);
  try {
    const credentials = await ensureCredentials(db, config);
    const out = {
      enrollSecret: credentials.enrollSecret,
      adminUsername: credentials.adminUsername,
      adminPassword: credentials.generatedAdminPassword,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      process.stdout.write(`enrollment secret: ${out.enrollSecret}\n`);
      process.stdout.write(
        `admin login: ${out.adminUsername} / ${out.adminPassword ?? '(set earlier; not readable again)'}\n`,
      );
    }
    return 0;
  } finally {
    closeDatabase(db);
  }
}

/** The database to back up or prune: a mistyped path must not make a new, empty one. */
function openExisting(config: Config) {
  if (config.dbPath !== ':memory:' && !fs.existsSync(config.dbPath)) {
    throw new DatabaseOpenError(`no database at ${config.dbPath}`);
  }
  return openDatabase(config.dbPath);
}

async function backup(config: Config, file: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write('usage: devfleet-server backup FILE\n');
    return 2;
  }
  if (fs.existsSync(file)) {
    process.stderr.write(`devfleet-server: ${file} exists; choose a new file\n`);
    return 1;
  }

  // Opened first: a database that cannot be opened leaves no empty copy behind.
  const db = openExisting(config);

  // The copy holds what the database holds (the enrollment secret, key hashes): made readable
  // by its owner only before a byte is written to it, as the database is.
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    closeDatabase(db);
    process.stderr.write(`devfleet-server: cannot write ${file}: ${(error as Error).message}\n`);
    return 1;
  }

  try {
    await backupDatabase(db, file);
    fs.chmodSync(file, 0o600);
    process.stdout.write(`backup written to ${file}\n`);
    return 0;
  } catch (error) {
    fs.rmSync(file, { force: true });
    process.stderr.write(`devfleet-server: backup failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    closeDatabase(db);
  }
}

function prune(config: Config): number {
  const db = openExisting(config);
  try {
    const before = Date.now() - config.retentionDays * 24 * 3600 * 1000;
    const result = config.retentionDays === 0 ? null : pruneHistory(db, before);
    process.stdout.write(`${JSON.stringify(result ?? { skipped: 'DEVFLEET_RETENTION_DAYS=0' })}\n`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}
