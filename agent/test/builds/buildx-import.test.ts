import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BuildRecord } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CommandResult } from '../../src/collectors/run-command.js';
import {
  importBuildxHistory,
  rememberImported,
  startOf,
  type CommandRunner,
} from '../../src/builds/buildx-import.js';

const NOW = new Date('2025-03-10T12:00:00Z');

/** A recorded fixture's body (after the `---` header), split into `$ command` sections. */
async function recorded(name: string): Promise<{ command: string; output: string }[]> {
  const text = await readFile(
    fileURLToPath(new URL(`../../../tests/fixtures/${name}`, import.meta.url)),
    'utf8',
  );
  const body = text.slice(text.indexOf('\n---\n') + 5);
  const sections: { command: string; output: string }[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) sections.push({ command: line.slice(2).trim(), output: '' });
    else if (sections.length === 0) sections.push({ command: '', output: `${line}\n` });
    else sections[sections.length - 1]!.output += `${line}\n`;
  }
  return sections;
}

const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', exitCode: 0, error: null });
const fail = (stderr: string, stdout = ''): CommandResult => ({
  stdout,
  stderr,
  exitCode: 1,
  error: null,
});

/** Answers commands from a table; anything else is a test error, so no real docker runs. */
function replay(answers: Record<string, CommandResult>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = (cmd: string, args: string[]) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const answer = answers[line];
    if (!answer) throw new Error(`unexpected command: ${line}`);
    return Promise.resolve(answer);
  };
  return Object.assign(run, { calls });
}

const UNKNOWN_FORMAT = fail("unknown flag: --format\nSee 'docker buildx history ls --help'.");

describe('importBuildxHistory', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-buildx-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('reads the table of an older buildx, after BuildKit’s bootstrap lines (docker/buildx#3300)', async () => {
    const [, working] = await recorded('34-buildx-history-ls-bootstrap-and-error.txt');
    const run = replay({
      'docker buildx history ls --format json': UNKNOWN_FORMAT,
      'docker buildx history ls': ok(working!.output),
      'docker buildx history inspect 1i4j7lqd7egb2s27xkqlyx83k --format json': UNKNOWN_FORMAT,
      'docker buildx history inspect 1i4j7lqd7egb2s27xkqlyx83k': fail('ERROR: no such build'),
    });

    const result = await importBuildxHistory({ home, run, now: () => NOW });

    expect(result.unavailable).toBeNull();
    expect(result.records).toEqual([
      {
        id: 'buildx-1i4j7lqd7egb2s27xkqlyx83k',
        source: 'buildx',
        name: 'buildx',
        command: null,
        startedAt: '2025-03-10T11:59:44.000Z',
        durationMs: 3600,
        exitCode: null,
        succeeded: false,
        fingerprint: null,
        pathKind: 'unknown',
        cacheRatio: null,
      },
    ]);
    expect(Value.Check(BuildRecord, result.records[0])).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/no such build/);
  });

  it('says why when the builder is not running (docker/buildx#3300)', async () => {
    const [failing] = await recorded('34-buildx-history-ls-bootstrap-and-error.txt');
    const run = replay({
      'docker buildx history ls --format json': fail(failing!.output),
    });

    const result = await importBuildxHistory({ home, run });

    expect(result.records).toEqual([]);
    expect(result.unavailable).toMatch(/history ls failed: .*is not running/);
  });

  it('completes a JSON entry from the inspect text of a failed build (docker/buildx#2925)', async () => {
    const [inspect] = await recorded('35-buildx-history-inspect-failed-build-tabs.txt');
    // The ls line is written from the fields REFERENCE.md lists; the inspect output is recorded.
    const listed = JSON.stringify({
      ref: 'priceless_brahmagupta/priceless_brahmagupta0/m38a1hxgttgm2qcyrjs14yf3j',
      name: 'app',
      status: 'Error',
      created_at: '2025-01-17T04:48:42Z',
    });
    const run = replay({
      'docker buildx history ls --format json': ok(`${listed}\n`),
      'docker buildx history inspect m38a1hxgttgm2qcyrjs14yf3j --format json': UNKNOWN_FORMAT,
      'docker buildx history inspect m38a1hxgttgm2qcyrjs14yf3j': ok(inspect!.output),
    });

    const result = await importBuildxHistory({ home, run, now: () => NOW });

    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({
      id: 'buildx-priceless_brahmagupta_priceless_brahmagupta0_m38a1hxgttgm2qcyrjs14yf3j',
      name: 'app',
      startedAt: '2025-01-17T04:48:42.000Z',
      durationMs: 4100,
      succeeded: false,
      cacheRatio: 0,
    });
    expect(result.refs).toEqual([
      'priceless_brahmagupta/priceless_brahmagupta0/m38a1hxgttgm2qcyrjs14yf3j',
    ]);
  });

  it('takes duration and cache ratio from JSON lines without inspecting, each build once', async () => {
    const lines = [
      {
        ref: 'default/default/aaaaaaaaaaaaaaaaaaaaaaaaa',
        name: 'web',
        status: 'Completed',
        created_at: '2025-03-10T11:00:00Z',
        completed_at: '2025-03-10T11:01:30.5Z',
        total_steps: 10,
        completed_steps: 10,
        cached_steps: 7,
      },
      {
        ref: 'default/default/bbbbbbbbbbbbbbbbbbbbbbbbb',
        name: 'web',
        status: 'Running',
        created_at: '2025-03-10T11:59:00Z',
        total_steps: 10,
        completed_steps: 2,
        cached_steps: 0,
      },
    ];
    const run = replay({
      'docker buildx history ls --format json': ok(lines.map((l) => JSON.stringify(l)).join('\n')),
    });

    const first = await importBuildxHistory({ home, run, now: () => NOW });
    expect(first.records.map((r) => [r.name, r.durationMs, r.cacheRatio, r.succeeded])).toEqual([
      ['web', 90_500, 0.7, true],
    ]);
    expect(run.calls).toHaveLength(1);

    await rememberImported(home, first.refs);
    const second = await importBuildxHistory({ home, run, now: () => NOW });
    expect(second.records).toEqual([]);
  });

  it('names the buildx version that has no history command (docker/buildx#2563)', async () => {
    const [version] = await recorded('37-buildx-version-and-inspect-distro-build.txt');
    const run = replay({
      'docker buildx history ls --format json': fail(
        'ERROR: unknown command "history" for "docker buildx"',
      ),
      'docker buildx version': ok(version!.output),
    });

    const result = await importBuildxHistory({ home, run });

    expect(result.unavailable).toBe(
      'buildx v0.9.1-docker has no `history` command (it came with buildx 0.20)',
    );
  });
});

describe('startOf', () => {
  it('counts "16 seconds ago" back from now and reads timestamps as given', () => {
    expect(startOf('16 seconds ago', 3600, NOW)).toBe('2025-03-10T11:59:44.000Z');
    expect(startOf('About an hour ago', 0, NOW)).toBe('2025-03-10T11:00:00.000Z');
    expect(startOf('2025-03-10T10:11:12.123456789Z', 0, NOW)).toBe('2025-03-10T10:11:12.123Z');
    expect(startOf(null, 1000, NOW)).toBe('2025-03-10T11:59:59.000Z');
  });
});
