import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SCHEMA_VERSION, type Report } from '@devfleet/wire';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

import { buildApp, type App, type AppOptions } from '../src/app.js';
import { hashMachineKey, hashPassword } from '../src/auth/keys.js';
import { insertEnrollmentSecret } from '../src/db/auth-repository.js';
import { closeDatabase, openDatabase, type Db } from '../src/db/client.js';
import { upsertUser } from '../src/db/settings-repository.js';

export const ENROLL_SECRET = 'test-enroll-secret-0123456789';

export const ADMIN_PASSWORD = 'test-admin-password';

export interface TestServer {
  app: App;
  db: Db;
  dir: string;
  /** The logged-in admin's headers: session cookie and CSRF token. */
  session: Record<string, string>;
  /** Injects as the logged-in admin: session cookie and CSRF token added. */
  inject: (options: InjectOptions) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
}

/** The real app on a real SQLite file in a temporary folder, with real migrations. */
export async function startTestApp(
  options: Partial<Pick<AppOptions, 'config' | 'webhookMinTimeoutMs' | 'requestTimeoutMs'>> = {},
): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-server-'));
  const db = openDatabase(path.join(dir, 'devfleet.db'));
  const app = await buildApp({
    config: { bodyLimitBytes: 256 * 1024, ...options.config },
    db,
    webDir: path.join(dir, 'no-web'),
    fleetIntervalMs: 0,
    detectionDelayMs: 0,
    webhookMinTimeoutMs: options.webhookMinTimeoutMs ?? 10,
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });

  insertEnrollmentSecret(db, {
    id: 'test-secret',
    label: 'test',
    secretHash: hashMachineKey(ENROLL_SECRET),
    createdAt: Date.now(),
  });
  upsertUser(db, {
    username: 'admin',
    passwordHash: await hashPassword(ADMIN_PASSWORD),
    role: 'admin',
  });
  const session = await login(app, 'admin', ADMIN_PASSWORD);

  return {
    app,
    db,
    dir,
    session,
    // Detection runs after the answer; a test reads alerts once it has run, as a person would.
    inject: async (options) => {
      const res = await app.inject({ ...options, headers: { ...session, ...options.headers } });
      await app.detection.idle();
      return res;
    },
    close: async () => {
      await app.close();
      closeDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function enroll(app: App, hostname = 'devhost-01'): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/enroll',
    payload: { secret: ENROLL_SECRET, hostname, user: 'devuser' },
  });
  if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
  return res.json<{ machineKey: string }>().machineKey;
}

let counter = 0;

/** A report as a Windows laptop with Docker Desktop on WSL2 would send it. */
export function sampleReport(
  overrides: {
    collectedAt?: string;
    desktopVersion?: string | null;
    daemon?: 'running' | 'unreachable';
  } = {},
): Report {
  counter += 1;
  const running = (overrides.daemon ?? 'running') === 'running';
  const desktopVersion =
    overrides.desktopVersion === undefined ? '4.36.0' : overrides.desktopVersion;

  return {
    schemaVersion: SCHEMA_VERSION,
    reportId: `report-${Date.now()}-${counter}`,
    collectedAt: overrides.collectedAt ?? new Date().toISOString(),
    agentVersion: '0.1.0',
    host: {
      hostname: 'devhost-01',
      platform: 'win32',
      osName: 'Windows 11 Pro',
      release: '10.0.22631',
      arch: 'x64',
      cpus: 8,
      memoryBytes: 16 * 1024 ** 3,
      user: 'devuser',
      wsl: null,
    },
    docker: {
      daemon: running
        ? { state: 'running', error: null }
        : { state: 'unreachable', error: 'error during connect: pipe not found' },
      client: {
        version: '27.3.1',
        apiVersion: '1.47',
        goVersion: 'go1.22.7',
        os: 'windows',
        arch: 'amd64',
        context: 'desktop-linux',
      },
      server: running
        ? {
            version: '27.3.1',
            apiVersion: '1.47',
            minApiVersion: '1.24',
            os: 'linux',
            arch: 'amd64',
            kernelVersion: '5.15.153.1-microsoft-standard-WSL2',
            platformName: desktopVersion ? `Docker Desktop ${desktopVersion} (178610)` : null,
            components: [{ name: 'Engine', version: '27.3.1' }],
          }
        : null,
      desktop: desktopVersion && running ? { version: desktopVersion, build: '178610' } : null,
      engine: running
        ? {
            serverVersion: '27.3.1',
            operatingSystem: 'Docker Desktop',
            osType: 'linux',
            kernelVersion: '5.15.153.1-microsoft-standard-WSL2',
            backend: 'wsl2',
            architecture: 'x86_64',
            cpus: 8,
            memoryBytes: 8 * 1024 ** 3,
            storageDriver: 'overlay2',
            cgroupVersion: '2',
            name: 'docker-desktop',
          }
        : null,
      plugins: [{ name: 'buildx', version: 'v0.17.1-desktop.1' }],
      warnings: [],
    },
    wsl: {
      version: '2.3.26.0',
      kernelVersion: '5.15.167.4-1',
      windowsVersion: '10.0.22631.4460',
      defaultDistro: 'Ubuntu',
      distros: [{ name: 'Ubuntu', state: 'Running', version: 2, isDefault: true }],
      config: [{ section: 'wsl2', key: 'memory', value: '8GB', bytes: 8 * 1024 ** 3 }],
    },
    desktopSettings: null,
    problems: [],
  };
}

/** Logs in through the API and returns the headers a dashboard sends: cookie and CSRF token. */
export async function login(
  app: App,
  username: string,
  password: string,
): Promise<Record<string, string>> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'devfleet_session');
  return {
    cookie: `devfleet_session=${cookie?.value ?? ''}`,
    'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken,
  };
}
