import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { repoRoot } from '../helpers/processes.js';

/** `npm run demo` against `server`, with credentials given so it reads no local database. */
function demo(server: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'scripts', 'demo.ts')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          DEVFLEET_SERVER: server,
          DEVFLEET_ENROLL_SECRET: 'integration-enroll-secret-0123',
          DEVFLEET_ADMIN_PASSWORD: 'integration-admin-password',
        },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('npm run demo', () => {
  it('says in one line that no server answers, and how to start one', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const run = await demo(`http://127.0.0.1:${port}`);

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `demo: no server answers at http://127.0.0.1:${port}: start one with \`npm start\` in ` +
        'another terminal, or point DEVFLEET_SERVER at yours',
    );
  });

  it('says a server that is not devfleet is not, without dumping its page', async () => {
    const other = http.createServer((_, res) => res.writeHead(501).end('<html>nope</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const run = await demo(`http://127.0.0.1:${port}`);

      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `demo: http://127.0.0.1:${port} is not a devfleet server (GET /healthz answered 501): ` +
          'check DEVFLEET_SERVER',
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
