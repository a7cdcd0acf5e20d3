import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Report } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from './helpers/agent-process.js';
import { isAlive } from './helpers/processes.js';

const posix = process.platform !== 'win32';

function parseReport(stdout: string): Report {
  const report: unknown = JSON.parse(stdout);
  expect(Value.Errors(Report, report)).toEqual([]);
  return report as Report;
}

function dockerSays(args: string[]): string | null {
  try {
    return execFileSync('docker', args, { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

describe.skipIf(!posix)('devfleet-agent collect', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-collect-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes within its timeouts when docker hangs, and calls the daemon unreachable', async () => {
    const bin = path.join(dir, 'hanging-bin');
    const pids = path.join(dir, 'pids');
    await mkdir(bin);
    // Like a CLI stuck on a daemon socket: never answers, and its child holds stdout open.
    const script = `#!/bin/sh\necho $$ >> ${pids}\n/bin/sleep 1000 &\necho $! >> ${pids}\nwait\n`;
    await writeFile(path.join(bin, 'docker'), script);
    await chmod(path.join(bin, 'docker'), 0o755);

    const run = await runAgent(['collect', '--json'], agentEnv({ PATH: bin }));

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    // One 4 s timeout for both docker commands, plus node's start-up.
    expect(run.elapsedMs).toBeLessThan(8000);
    const report = parseReport(run.stdout);
    expect(report.docker.daemon.state).toBe('unreachable');
    expect(report.docker.daemon.error).toMatch(/did not finish within/);
    expect(report.problems.map((p) => p.code)).toContain('COMMAND_TIMEOUT');
    expect(report.problems.map((p) => p.code)).toContain('DOCKER_DAEMON_UNREACHABLE');

    const leftover = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(leftover).toHaveLength(4);
    await expect.poll(() => leftover.filter(isAlive), { timeout: 2000 }).toEqual([]);
  });

  it('reports docker as not installed when it is not on PATH', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));

    const run = await runAgent(['collect', '--json'], agentEnv({ PATH: empty }));

    expect(run.exitCode).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.docker.daemon).toEqual({ state: 'not-installed', error: null });
    expect(report.docker.engine).toBeNull();
    expect(report.problems).toContainEqual({
      source: 'docker',
      code: 'DOCKER_NOT_FOUND',
      message: 'no docker command on PATH',
    });
  });

  it('adds a problem when the daemon cannot be reached', async () => {
    const bin = path.join(dir, 'no-daemon-bin');
    await mkdir(bin);
    // What the docker CLI says with DOCKER_HOST=unix:///nonexistent.sock: the client part of
    // `version` on stdout, the daemon's failure on stderr, exit 1.
    const script =
      '#!/bin/sh\n' +
      'if [ "$1" = version ]; then echo \'{"Client":{"Version":"27.3.1","ApiVersion":"1.47",' +
      '"Os":"linux","Arch":"amd64","Context":"default"},"Server":null}\'; fi\n' +
      'echo "Cannot connect to the Docker daemon at unix:///nonexistent.sock. ' +
      'Is the docker daemon running?" >&2\nexit 1\n';
    await writeFile(path.join(bin, 'docker'), script);
    await chmod(path.join(bin, 'docker'), 0o755);

    const run = await runAgent(['collect', '--json'], agentEnv({ PATH: bin }));

    expect(run.exitCode).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.docker.daemon.state).toBe('unreachable');
    expect(report.problems).toContainEqual({
      source: 'docker',
      code: 'DOCKER_DAEMON_UNREACHABLE',
      message: expect.stringContaining('Cannot connect to the Docker daemon') as string,
    });
  });

  it('prints the host facts as a table with aligned columns', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));

    const run = await runAgent(['collect'], agentEnv({ PATH: empty }));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Host\n/);
    expect(run.stdout).toContain('\nDocker\n');
    expect(run.stdout).toContain('\nWSL\n');
    expect(run.stdout).toContain(os.hostname());
    const valueColumns = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => /^ {2}\S.*?\s{2,}(?=\S)/.exec(line)?.[0].length);
    expect(new Set(valueColumns).size).toBe(1);
  });

  const engineVersion = dockerSays(['version', '--format', '{{.Server.Version}}']);
  const engineCpus = dockerSays(['info', '--format', '{{.NCPU}}']);

  it.skipIf(!engineVersion || !engineCpus)('reads the running Docker engine', async () => {
    // The developer's own environment, so that DOCKER_HOST or DOCKER_CONTEXT apply as they do
    // for the docker commands above.
    const run = await runAgent(['collect', '--json'], process.env);

    expect(run.exitCode).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.docker.daemon.state).toBe('running');
    expect(report.docker.server?.version).toBe(engineVersion);
    expect(report.docker.engine?.serverVersion).toBe(engineVersion);
    expect(report.docker.engine?.cpus).toBe(Number(engineCpus));
  });
});
