import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { BenchmarkRun, type BuildRecord } from '@devfleet/wire';
import { Command } from 'commander';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { registerBenchCommands } from '../../src/cli/bench-command.js';
import { engineMissing, leftovers, MOUNT_IMAGE } from './docker-engine.js';

/**
 * The commands as main.ts will mount them, minus main.ts: a commander program with the same
 * exit override, the deps faked, stdout captured.
 */
async function runCli(args: string[], home: string) {
  const sent: BuildRecord[] = [];
  let exitCode = 0;
  const program = new Command('devfleet-agent')
    .option('--verbose')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerBenchCommands(program, {
    home,
    send: (record) => {
      sent.push(record);
      return Promise.resolve(true);
    },
    environmentFacts: () => Promise.resolve({ 'engine.version': 'test' }),
    setExitCode: (code) => (exitCode = code),
  });

  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'devfleet-agent', ...args]);
  } finally {
    write.mockRestore();
  }
  return { stdout: chunks.join(''), exitCode, sent };
}

const missing = engineMissing();

describe('bench and build commands', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-cli-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(missing !== null)(
    'bench mount --quick --json prints one valid BenchmarkRun',
    async () => {
      const args = [
        'bench',
        'mount',
        '--quick',
        '--json',
        '--image',
        MOUNT_IMAGE,
        '--path',
        folder,
      ];
      const { stdout, exitCode } = await runCli(args, folder);

      const run: unknown = JSON.parse(stdout);
      expect(Value.Check(BenchmarkRun, run)).toBe(true);
      expect(run).toMatchObject({ kind: 'mount', status: 'ok', quick: true });
      expect(exitCode).toBe(0);
      expect(leftovers()).toEqual({ containers: [], volumes: [] });
      expect(await readdir(folder)).toEqual([]);
    },
  );

  it('bench build without an image exits 1 and prints the reason in the table form', async () => {
    const args = ['bench', 'build', '--quick', '--no-pull', '--image', 'devfleet-test/none:0'];
    const { stdout, exitCode } = await runCli([...args, '--path', folder], folder);

    expect(stdout).toMatch(/^bench build: skipped in .* s: /);
    expect(exitCode).toBe(1);
  });

  it('time -- sh -c "exit 3" ends with 3 and sends a failed build under --name', async () => {
    const { exitCode, sent } = await runCli(
      ['time', '--name', 'api', '--', 'sh', '-c', 'exit 3'],
      folder,
    );

    expect(exitCode).toBe(3);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ name: 'api', exitCode: 3, succeeded: false, source: 'time' });
    expect(sent[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rejects a repetition count out of range as a usage error', async () => {
    await expect(runCli(['bench', 'mount', '--repetitions', '0'], folder)).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });
});
