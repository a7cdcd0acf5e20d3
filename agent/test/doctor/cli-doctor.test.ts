import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/devfleet-agent.js', import.meta.url));

/** The built agent, run in `cwd` with no docker on PATH, so the daemon check fails the same way everywhere. */
function doctor(args: string[], cwd: string, emptyPath: string) {
  return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'doctor', ...args],
      { cwd, env: { HOME: cwd, PATH: emptyPath }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

describe.skipIf(process.platform === 'win32')('devfleet-agent doctor', () => {
  let dir: string;
  let emptyPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-doctor-'));
    emptyPath = await mkdtemp(path.join(dir, 'bin-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 and prints the fix for each failed check', async () => {
    const project = await mkdtemp(path.join(dir, 'project-'));
    await writeFile(path.join(project, 'Dockerfile'), 'FROM scratch\n');

    const run = await doctor([], project, emptyPath);

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}Docker daemon +The docker command is not on PATH/m);
    expect(run.stdout).toMatch(/^FAIL {2}\.dockerignore +No \.dockerignore/m);
    expect(run.stdout).toMatch(/fix: Add a \.dockerignore beside the Dockerfile/);
    expect(run.stdout).toMatch(/2 checks failed\n$/);
  });

  it('prints the checks as JSON, passing .dockerignore once the file is there', async () => {
    const project = await mkdtemp(path.join(dir, 'project-'));
    await writeFile(path.join(project, 'compose.yaml'), 'services: {}\n');
    await writeFile(path.join(project, '.dockerignore'), '.git\n');

    const run = await doctor(['--json'], project, emptyPath);

    expect(run.exitCode).toBe(1);
    const checks = JSON.parse(run.stdout) as { rule: string; result: string; fix: unknown }[];
    expect(checks.find((c) => c.rule === 'dockerignore')).toMatchObject({
      result: 'pass',
      fix: null,
    });
    expect(checks.find((c) => c.rule === 'projectLocation')?.result).toBe('pass');
    expect(checks.filter((c) => c.result === 'fail').map((c) => c.rule)).toEqual(['daemon']);
  });

  it('rejects a minimum Desktop version that is not a version, as a usage error', async () => {
    const run = await doctor(['--min-desktop', 'latest'], dir, emptyPath);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^error AGENT_USAGE: --min-desktop/);
  });
});
