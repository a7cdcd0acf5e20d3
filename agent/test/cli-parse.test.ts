import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PARSE_KINDS } from '../src/parsers/parse-kind.js';
import { agentEnv, runAgent } from './helpers/agent-process.js';
import { loadFixture, toUtf16 } from './parsers/load-fixture.js';

interface ParsedOutput {
  parts: { kind: string; value: Record<string, unknown>; warnings: string[] }[];
}

const FIXTURES = new URL('../../tests/fixtures/', import.meta.url).href;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-parse-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Saves a sample the way a support ticket attaches it (no fixture header) and parses it. */
async function parseFile(name: string, body: string | Buffer, args: string[] = []) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  const run = await runAgent(['parse', file, '--json', ...args], agentEnv({}));
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as ParsedOutput;
}

describe('devfleet-agent parse, as a child process', () => {
  it('reads a docker version paste and finds Docker Desktop and its build', async () => {
    const out = await parseFile('version.txt', loadFixture('04-docker-version-win-dd4.28.0.txt'));

    expect(out.parts.map((p) => p.kind)).toEqual(['docker-version']);
    expect(out.parts[0]?.value).toMatchObject({
      desktop: { version: '4.28.0', build: '139021' },
      server: { version: '25.0.3' },
      daemon: { state: 'running' },
    });
  });

  it('reads docker info text with its backend and memory', async () => {
    const out = await parseFile(
      'info.txt',
      loadFixture('45-docker-info-win-wsl2-dd-blkio-warnings-cmder.txt'),
    );

    expect(out.parts[0]?.kind).toBe('docker-info');
    expect(out.parts[0]?.value).toMatchObject({
      engine: { serverVersion: '20.10.22', backend: 'wsl2', cpus: 32 },
    });
  });

  it('splits a paste of wsl --status, --version, --list and -l -v into its parts', async () => {
    const out = await parseFile(
      'wsl.txt',
      loadFixture('18-wsl-spanish-status-version-list-wsl1-stopped.txt'),
    );

    expect(out.parts.map((p) => p.kind)).toEqual([
      'wsl-status',
      'wsl-version',
      'wsl-list',
      'wsl-list',
    ]);
    expect(out.parts[1]?.value).toMatchObject({
      version: '2.1.5.0',
      kernelVersion: '5.15.146.1-2',
    });
    expect(out.parts[3]?.value).toMatchObject({
      defaultDistro: 'Ubuntu',
      distros: expect.arrayContaining([
        { name: 'Ubuntu', state: 'Stopped', version: 1, isDefault: true },
      ]),
    });
  });

  it('decodes wsl -l -v saved as UTF-16LE, as wsl.exe writes it', async () => {
    const text = loadFixture('22-wsl-list-verbose-wsl1-default-ps-prompt.txt');
    const utf8 = await parseFile('list-utf8.txt', text);
    const utf16 = await parseFile('list-utf16.txt', toUtf16(text, false));

    expect(utf16.parts.map((p) => p.value)).toEqual(utf8.parts.map((p) => p.value));
    expect(utf16.parts.some((p) => p.kind === 'wsl-list')).toBe(true);
  });

  it('converts .wslconfig sizes to bytes and flags keys in the wrong section', async () => {
    const out = await parseFile(
      'wslconfig',
      loadFixture('27-wslconfig-automemoryreclaim-in-wrong-section.txt'),
      ['--kind', 'wslconfig'],
    );

    const entries = out.parts[0]?.value as unknown as { key: string; bytes: number | null }[];
    expect(entries.find((e) => e.key === 'memory')?.bytes).toBe(24 * 1024 ** 3);
    expect(out.parts[0]?.warnings.join('\n')).toMatch(/autoMemoryReclaim/);
  });

  it('reads Docker Desktop settings-store.json', async () => {
    const out = await parseFile(
      'settings-store.json',
      loadFixture('92-dd-settings-store-json-default-verbatim.txt'),
    );

    expect(out.parts[0]?.kind).toBe('desktop-settings');
  });

  it('reads a buildx history listing with a computed duration', async () => {
    const out = await parseFile(
      'history.txt',
      loadFixture('34-buildx-history-ls-bootstrap-and-error.txt'),
    );

    const history = out.parts.find((p) => p.kind === 'buildx-history');
    expect(history?.value).toEqual(
      expect.arrayContaining([expect.objectContaining({ durationMs: 3600, status: 'Error' })]),
    );
  });

  it('reads the spaced-out wsl -l below a ticket’s notes, detected or named with --kind', async () => {
    const fixture = fileURLToPath(new URL(`${FIXTURES}24-wsl-list-utf16-spaced-letters.txt`));

    const detected = await runAgent(['parse', fixture, '--json'], agentEnv({}));
    const named = await runAgent(['parse', fixture, '--json', '--kind', 'wsl-list'], agentEnv({}));

    for (const run of [detected, named]) {
      expect(run.exitCode).toBe(0);
      const list = (JSON.parse(run.stdout) as ParsedOutput).parts.find(
        (p) => p.kind === 'wsl-list',
      );
      expect(list?.value).toMatchObject({ defaultDistro: 'Ubuntu' });
      expect((list?.value.distros as { name: string }[]).map((d) => d.name)).toEqual([
        'Ubuntu',
        'Legacy',
        'Ubuntu-tmp',
      ]);
    }
  });

  it('decodes UTF-16LE wsl -l -v output saved below a line of plain text', async () => {
    const prompt = 'PS C:\\Users\\devuser> wsl -l -v > out.txt; type out.txt\n';
    const body = '  NAME            STATE           VERSION\n* Ubuntu-22.04    Running         2\n';
    const mixed = Buffer.concat([Buffer.from(prompt), toUtf16(body, false)]);

    const out = await parseFile('mixed.txt', mixed);

    expect(out.parts.find((p) => p.kind === 'wsl-list')?.value).toMatchObject({
      distros: [{ name: 'Ubuntu-22.04', state: 'Running', version: 2, isDefault: true }],
    });
  });

  it('fails with AGENT_PARSE_UNRECOGNIZED and exit 1 when it recognizes nothing', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'the build was slow again on Monday\n');

    const run = await runAgent(['parse', file], agentEnv({}));

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error AGENT_PARSE_UNRECOGNIZED: nothing the agent reads .*--kind\n$/,
    );
  });

  it('fails with AGENT_PARSE_UNRECOGNIZED when --kind names what the file is not', async () => {
    const file = path.join(dir, 'bashrc');
    fs.writeFileSync(file, '# ~/.bashrc\nexport PATH=$HOME/bin:$PATH\nalias ll="ls -l"\n');

    const runs = await Promise.all(
      PARSE_KINDS.map((kind) => runAgent(['parse', file, '--kind', kind], agentEnv({}))),
    );

    runs.forEach((run, index) => {
      expect({ kind: PARSE_KINDS[index], exitCode: run.exitCode, stdout: run.stdout }).toEqual({
        kind: PARSE_KINDS[index],
        exitCode: 1,
        stdout: '',
      });
      expect(run.stderr).toMatch(
        new RegExp(
          `^error AGENT_PARSE_UNRECOGNIZED: .*bashrc does not read as ${PARSE_KINDS[index]}`,
        ),
      );
    });
    const json = await runAgent(
      ['parse', file, '--kind', 'docker-version', '--json'],
      agentEnv({}),
    );
    expect((JSON.parse(json.stdout) as ParsedOutput).parts[0]).toMatchObject({
      kind: 'unknown',
      value: null,
    });
  });

  it.skipIf(process.platform === 'win32')(
    'reads no more than the parsers use from an endless input, and says so',
    async () => {
      const run = await runAgent(['parse', '/dev/zero', '--json'], agentEnv({}), 20_000);

      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^error AGENT_PARSE_UNRECOGNIZED: .*its first 4000000 bytes/);
      const out = JSON.parse(run.stdout) as { warnings: string[] };
      expect(out.warnings).toContain('only the first 4000000 bytes were read');
    },
  );

  it('refuses a folder with a usage error', async () => {
    const run = await runAgent(['parse', dir], agentEnv({}));

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`error AGENT_USAGE: ${dir} is a folder; give parse a file to read\n`);
  });

  it('prints control characters from the file as escapes, never raw', async () => {
    const file = path.join(dir, 'evil.wslconfig');
    fs.writeFileSync(
      file,
      '[wsl2]\nmemory=4GB\nkernel=C:\\\\k\u001b]0;owned\u0007\u001b[2J\u202e\n',
    );

    const run = await runAgent(['parse', file, '--kind', 'wslconfig'], agentEnv({}));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('[wsl2] kernel: C:\\k\\x1b]0;owned\\x07\\x1b[2J\\u202e\n');
    // eslint-disable-next-line no-control-regex -- the point: no control character gets out
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('fails with a stable code and exit 2 for a file that does not exist', async () => {
    const run = await runAgent(['parse', path.join(dir, 'missing.txt')], agentEnv({}));

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^error AGENT_USAGE: /);
  });
});
