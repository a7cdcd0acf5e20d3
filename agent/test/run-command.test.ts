import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCommand } from '../src/collectors/run-command.js';
import { isAlive } from './helpers/processes.js';

const posix = process.platform !== 'win32';

describe('runCommand', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-run-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a missing binary as not-found instead of throwing', async () => {
    const result = await runCommand('devfleet-no-such-binary', ['--version'], { timeoutMs: 2000 });

    expect(result).toMatchObject({ error: 'not-found', exitCode: null, stdout: '' });
    expect(result.stderr).toContain('devfleet-no-such-binary');
  });

  it.skipIf(!posix)('kills a command that outlives its timeout and answers promptly', async () => {
    const started = performance.now();
    const result = await runCommand('sleep', ['5'], { timeoutMs: 200 });

    expect(result.error).toBe('timeout');
    expect(result.exitCode).toBeNull();
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it.skipIf(!posix)('does not wait for a grandchild that keeps stdout open', async () => {
    // A shell script whose own child inherits the pipe: the docker wrapper scripts seen on
    // some distributions behave like this when the daemon hangs.
    const pids = path.join(dir, 'pids');
    const script = path.join(dir, 'hang.sh');
    await writeFile(
      script,
      `#!/bin/sh\necho $$ >> ${pids}\nsleep 30 &\necho $! >> ${pids}\nwait\n`,
    );
    await chmod(script, 0o755);

    const started = performance.now();
    const result = await runCommand(script, [], { timeoutMs: 300 });

    expect(result.error).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1500);
    const leftover = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    await expect.poll(() => leftover.filter(isAlive), { timeout: 2000 }).toEqual([]);
  });

  it('returns stdout, stderr and the exit code of a command that fails', async () => {
    const code = 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)';
    const result = await runCommand(process.execPath, ['-e', code], { timeoutMs: 5000 });

    expect(result).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3, error: null });
  });

  it('hands stdout over as bytes when asked, for UTF-16 output like wsl.exe’s', async () => {
    const code = 'process.stdout.write(Buffer.from("WSL\\n", "utf16le"))';
    const result = await runCommand(process.execPath, ['-e', code], {
      timeoutMs: 5000,
      encoding: 'buffer',
    });

    expect(Buffer.isBuffer(result.stdout)).toBe(true);
    expect(result.stdout.toString('utf16le')).toBe('WSL\n');
  });
});
