import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { BuildRecord } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { QUEUE_FILE, readQueuedBuilds, removeQueuedBuilds } from '../../src/builds/build-queue.js';
import { fingerprintOf } from '../../src/builds/fingerprint.js';
import { shellQuoted, timeCommand } from '../../src/builds/time.js';

const FACTS = { 'engine.version': '28.5.1', 'desktop.version': '4.49.0', pathKind: 'linux' };

describe('time', () => {
  let home: string;
  let sent: BuildRecord[];

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-time-'));
    sent = [];
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const accept = (record: BuildRecord) => {
    sent.push(record);
    return Promise.resolve(true);
  };

  it('records a successful build and sends it', async () => {
    const result = await timeCommand({
      command: ['sh', '-c', 'sleep 0.2; exit 0'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: accept,
    });

    expect(result.exitCode).toBe(0);
    expect(result.outcome).toEqual({ kind: 'sent' });
    expect(sent).toEqual([result.record]);
    const record = result.record!;
    expect(Value.Check(BuildRecord, record)).toBe(true);
    expect(record).toMatchObject({
      source: 'time',
      name: path.basename(home),
      command: "sh -c 'sleep 0.2; exit 0'",
      exitCode: 0,
      succeeded: true,
      fingerprint: fingerprintOf(FACTS),
      pathKind: 'linux',
      cacheRatio: null,
    });
    expect(record.durationMs).toBeGreaterThanOrEqual(150);
    expect(record.durationMs).toBeLessThan(10_000);
    expect(await readQueuedBuilds(home)).toEqual([]);
  });

  it('returns the build’s own exit code and records the failure', async () => {
    const result = await timeCommand({
      command: ['sh', '-c', 'exit 3'],
      name: 'api',
      cwd: home,
      home,
      facts: Promise.resolve(FACTS),
      pathKind: 'linux',
      send: accept,
    });

    expect(result.exitCode).toBe(3);
    expect(result.record).toMatchObject({ name: 'api', succeeded: false, exitCode: 3 });
  });

  it('queues the record when sending fails, for the next report to carry', async () => {
    const refuse = () => Promise.reject(new Error('server away'));
    const first = await timeCommand({
      command: ['sh', '-c', 'exit 3'],
      cwd: home,
      home,
      facts: Promise.reject(new Error('docker hangs')),
      pathKind: 'linux',
      send: refuse,
    });
    const second = await timeCommand({
      command: ['true'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: () => Promise.resolve(false),
    });

    expect(first).toMatchObject({
      exitCode: 3,
      outcome: { kind: 'queued', reason: 'server away' },
    });
    expect(first.record?.fingerprint).toBeNull();
    const queued = await readQueuedBuilds(home);
    expect(queued).toEqual([first.record, second.record]);

    await removeQueuedBuilds(home, [first.record!.id]);
    expect(await readQueuedBuilds(home)).toEqual([second.record]);
  });

  it('skips damaged queue lines instead of failing', async () => {
    await timeCommand({
      command: ['true'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: () => Promise.resolve(false),
    });
    const file = path.join(home, QUEUE_FILE);
    const text = await readFile(file, 'utf8');
    await writeFile(file, `{"torn": \n${text}not json\n`);

    expect(await readQueuedBuilds(home)).toHaveLength(1);
  });

  it('masks secrets in the recorded command line', async () => {
    const result = await timeCommand({
      command: ['sh', '-c', 'exit 0', 'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: accept,
    });

    expect(result.record?.command).not.toContain('ghp_abcdefghijklmnop');
  });

  it('records nothing for a program that does not exist, and answers 127', async () => {
    const result = await timeCommand({
      command: ['devfleet-no-such-program'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: accept,
    });

    expect(result).toMatchObject({
      exitCode: 127,
      record: null,
      outcome: { kind: 'not-recorded' },
    });
    expect(sent).toEqual([]);
  });

  it('records nothing for a build cancelled with Ctrl-C', async () => {
    const result = await timeCommand({
      command: ['sh', '-c', 'kill -INT $$'],
      cwd: home,
      home,
      facts: FACTS,
      pathKind: 'linux',
      send: accept,
    });

    expect(result).toEqual({
      exitCode: 130,
      record: null,
      outcome: { kind: 'not-recorded', reason: 'cancelled by SIGINT' },
    });
  });
});

describe('shellQuoted', () => {
  it('quotes the words a shell would split or expand, and only those', () => {
    expect(shellQuoted(['sh', '-c', 'exit 3'])).toBe("sh -c 'exit 3'");
    expect(shellQuoted(['npm', 'run', 'build:prod', '--', '--out=dist/a.js'])).toBe(
      'npm run build:prod -- --out=dist/a.js',
    );
    expect(shellQuoted(['echo', "it's", '', '$HOME'])).toBe(`echo 'it'\\''s' '' '$HOME'`);
  });
});

describe('fingerprintOf', () => {
  it('is short, stable and independent of the order of the facts', () => {
    const reordered = {
      pathKind: 'linux',
      'desktop.version': '4.49.0',
      'engine.version': '28.5.1',
    };
    expect(fingerprintOf(FACTS)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(FACTS));
    expect(fingerprintOf({ ...FACTS, 'engine.version': '28.5.2' })).not.toBe(fingerprintOf(FACTS));
  });
});
