import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Report } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from './helpers/agent-process.js';

// Docker Desktop for Linux installed as a package, its daemon not running: the version still
// comes from the package database. dpkg-query and docker are stand-ins on PATH, since neither
// Desktop nor its package can be installed here.
describe.skipIf(process.platform !== 'linux')('Docker Desktop version with the daemon down', () => {
  let bin: string;

  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-bin-'));
    const script = (name: string, body: string) => {
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    };
    script(
      'docker',
      'echo "Cannot connect to the Docker daemon at unix:///home/devuser/.docker/desktop/docker.sock. Is the docker daemon running?" >&2; exit 1',
    );
    script('dpkg-query', 'printf "4.43.2-200950"');
  });

  afterAll(() => {
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it('reports the installed Desktop version and build, and the daemon as unreachable', async () => {
    const run = await runAgent(['collect', '--json'], agentEnv({ PATH: `${bin}:/usr/bin:/bin` }));

    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.docker.daemon.state).toBe('unreachable');
    expect(report.docker.desktop).toEqual({ version: '4.43.2', build: '200950' });
  });
});
