import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  ADMIN_PASSWORD,
  dashboardSession,
  repoRoot,
  startServerProcess,
  tempDir,
} from '../helpers/processes.js';

const startScript = path.join(repoRoot, 'scripts', 'start.js');

/** `npm start` as a person runs it: until its banner (or its exit), then Ctrl-C. */
function npmStart(env: Record<string, string>) {
  const child = spawn(process.execPath, [startScript], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const banner = new Promise<string | null>((resolve) => {
    child.stdout.on('data', () => {
      const match = /devfleet is running: (http:\/\/\S+)/.exec(stdout);
      if (match && stdout.includes('Ctrl-C stops the server.')) resolve(match[1] ?? null);
    });
    void exited.then(() => resolve(null));
  });
  return { child, banner, exited, output: () => ({ stdout, stderr }) };
}

describe('npm start', () => {
  it('serves, reports this machine, prints the login and secret, and stops on Ctrl-C', async () => {
    const dir = tempDir('npm-start');
    const started = npmStart({ DEVFLEET_DB: path.join(dir, 'devfleet.db'), DEVFLEET_PORT: '0' });
    try {
      const url = await started.banner;
      const { stdout } = started.output();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stdout).toMatch(/admin login +admin \/ \S{12,}/);
      expect(stdout).toMatch(/enrollment secret +\S{16,}/);
      expect(stdout).toContain('this machine: enrolled and reported');
      expect(stdout).toContain('listens on 127.0.0.1 only');
      expect((await fetch(`${url}/healthz`)).ok).toBe(true);

      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      expect(fs.existsSync(path.join(dir, 'devfleet.db-wal'))).toBe(false);
    } finally {
      started.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps reporting as the same machine when started again on another port', async () => {
    const dir = tempDir('npm-start-again');
    const env = {
      DEVFLEET_DB: path.join(dir, 'devfleet.db'),
      DEVFLEET_ADMIN_PASSWORD: ADMIN_PASSWORD,
    };
    try {
      const urls: string[] = [];
      for (const port of ['0', '0']) {
        const started = npmStart({ ...env, DEVFLEET_PORT: port });
        try {
          const url = await started.banner;
          // Enrolled once; the second start only reports, under the key it has.
          const line = urls.length === 0 ? 'enrolled and reported' : 'reported';
          expect(started.output().stdout).toMatch(new RegExp(`^  this machine: ${line}$`, 'm'));
          urls.push(url ?? '');
          if (urls.length === 2) {
            const headers = await dashboardSession(url ?? '');
            const res = await fetch(`${url}/api/v1/machines`, { headers });
            const { machines } = (await res.json()) as { machines: unknown[] };
            expect(machines).toHaveLength(1);
          }
          started.child.kill('SIGINT');
          expect(await started.exited).toBe(0);
        } finally {
          started.child.kill('SIGKILL');
        }
      }
      expect(urls[0]).not.toBe(urls[1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops with the server’s exit code 78 on a broken setting, before anything runs', async () => {
    const dir = tempDir('npm-start-rules');
    const started = npmStart({
      DEVFLEET_DB: path.join(dir, 'devfleet.db'),
      DEVFLEET_PORT: '0',
      DEVFLEET_RULES: path.join(dir, 'missing-rules.yml'),
    });
    try {
      expect(await started.exited).toBe(78);
      expect(started.output().stderr).toMatch(/DEVFLEET_RULES/);
      expect(started.output().stdout).not.toContain('devfleet is running');
    } finally {
      started.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('says the port is taken instead of printing a banner for another server', async () => {
    const other = await startServerProcess();
    const dir = tempDir('npm-start-taken');
    const started = npmStart({
      DEVFLEET_DB: path.join(dir, 'devfleet.db'),
      DEVFLEET_PORT: new URL(other.url).port,
    });
    try {
      expect(await started.banner).toBeNull();
      expect(await started.exited).toBe(1);
      const { stdout, stderr } = started.output();
      expect(stdout).not.toContain('devfleet is running');
      expect(stderr).toMatch(/EADDRINUSE/);
      expect(stderr).toMatch(/npm start: the server stopped \(exit 1\)/);

      // The admin login generated for this database is shown, and it is the one that works.
      const shown = /admin login \(generated, shown once\): admin \/ (\S+)/.exec(stderr);
      expect(shown).not.toBeNull();
      const later = await startServerProcess({
        DEVFLEET_DB: path.join(dir, 'devfleet.db'),
        DEVFLEET_ADMIN_PASSWORD: '',
      });
      try {
        const login = await fetch(`${later.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: shown?.[1] }),
        });
        expect(login.status).toBe(200);
      } finally {
        await later.stop();
      }
    } finally {
      started.child.kill('SIGKILL');
      await other.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
