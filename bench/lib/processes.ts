import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { startServerProcess, tempDir, type ServerProcess } from '../../tests/helpers/processes.js';
import { benchDir } from './figures.js';

/**
 * The real server bin, quiet and without retention (a generated year must not be thinned while
 * it is measured), on a copy of `fleetFile` when given so the cached fleet stays as generated.
 */
export async function startBenchServer(fleetFile?: string): Promise<ServerProcess> {
  const env: Record<string, string> = { DEVFLEET_RETENTION_DAYS: '0', DEVFLEET_LOG_LEVEL: 'error' };
  if (!fleetFile) return startServerProcess(env);

  const dir = tempDir('bench-fleet');
  const copy = path.join(dir, 'devfleet.db');
  fs.copyFileSync(fleetFile, copy);
  const server = await startServerProcess({ ...env, DEVFLEET_DB: copy });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EchoProcess {
  url: string;
  stop: () => Promise<void>;
}

export async function startEchoServer(): Promise<EchoProcess> {
  const script = path.join(benchDir, 'lib', 'echo-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await listeningUrl(child);
  return { url, stop: () => stopChild(child) };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${output}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
