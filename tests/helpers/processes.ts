import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBin = path.join(repoRoot, 'server', 'bin', 'devfleet-server.js');
export const agentBin = path.join(repoRoot, 'agent', 'bin', 'devfleet-agent.js');

export const ENROLL_SECRET = 'integration-enroll-secret-0123';

export interface ServerProcess {
  url: string;
  dir: string;
  dbPath: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `devfleet-${prefix}-`));
}

/**
 * The real server bin on a free loopback port (port 0: the kernel picks, so parallel runs never
 * collide) with a database in a fresh temporary folder.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dir = tempDir('server');
  const dbPath = path.join(dir, 'devfleet.db');
  const child = spawn(process.execPath, [serverBin, 'start'], {
    env: {
      ...process.env,
      DEVFLEET_HOST: '127.0.0.1',
      DEVFLEET_PORT: '0',
      DEVFLEET_DB: dbPath,
      DEVFLEET_ENROLL_SECRET: ENROLL_SECRET,
      DEVFLEET_ADMIN_PASSWORD: 'integration-admin-password',
      DEVFLEET_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  return { url, dir, dbPath, child, output: () => output, stop };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real agent CLI as a child process. */
export function runAgent(args: string[], env: Record<string, string>): Promise<RunResult> {
  return runNode(agentBin, args, env);
}

export function runNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
