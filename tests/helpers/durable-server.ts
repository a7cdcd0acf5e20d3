import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ENROLL_SECRET, serverBin, tempDir } from './processes.js';

/**
 * The real server bin that outlives its processes: each `start` runs a new one on the same
 * database file and, after the first, the same port, so an agent configured with the URL finds
 * it again after a crash or a restart.
 */
export interface DurableServer {
  dir: string;
  dbPath: string;
  /** Set by the first start. */
  url: string;
  start: () => Promise<void>;
  /** Ends the current process with the signal and waits for it to be gone. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
  output: () => string;
  /** Ends any process and removes the database. */
  dispose: () => Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

export function durableServer(env: Record<string, string> = {}): DurableServer {
  const dir = tempDir('durable');
  const dbPath = path.join(dir, 'devfleet.db');
  let port = 0;
  let child: ChildProcess | null = null;
  let output = '';

  const server: DurableServer = {
    dir,
    dbPath,
    url: '',
    output: () => output,

    start: async () => {
      const from = output.length;
      const started = spawn(process.execPath, [serverBin, 'start'], {
        env: {
          ...process.env,
          DEVFLEET_HOST: '127.0.0.1',
          DEVFLEET_PORT: String(port),
          DEVFLEET_DB: dbPath,
          DEVFLEET_ENROLL_SECRET: ENROLL_SECRET,
          DEVFLEET_ADMIN_PASSWORD: 'integration-admin-password',
          DEVFLEET_LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      const collect = (chunk: Buffer) => (output += chunk.toString());
      started.stdout?.on('data', collect);
      started.stderr?.on('data', collect);

      server.url = await listeningUrl(started, () => output.slice(from));
      port = Number(new URL(server.url).port);
    },

    kill: async (signal) => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      await exited;
    },

    dispose: async () => {
      await server.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${output()}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (match?.[1]) {
        clearTimeout(timer);
        child.off('exit', failed);
        resolve(match[1]);
      }
    };
    const failed = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output()}`));
    };
    child.stderr?.on('data', check);
    child.once('exit', failed);
  });
}
