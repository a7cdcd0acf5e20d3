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
      DEVFLEET_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DEVFLEET_LOG_LEVEL: 'warn',
      // Bursts from tests (a flushed spool, a kill test) are not the runaway agent this limits.
      DEVFLEET_REPORT_RATE_LIMIT: '100000',
      DEVFLEET_LOGIN_RATE_LIMIT: '1000',
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

export const ADMIN_PASSWORD = 'integration-admin-password';

const sessions = new Map<string, Promise<Record<string, string>>>();

/** Logs in as the admin once per server and returns the headers the dashboard would send. */
export function dashboardSession(url: string): Promise<Record<string, string>> {
  let session = sessions.get(url);
  if (!session) {
    session = login(url);
    sessions.set(url, session);
  }
  return session;
}

async function login(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, 'x-csrf-token': csrfToken };
}

/** GETs a dashboard API path as the admin. */
export async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: await dashboardSession(url) });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
