import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from '../helpers/agent-process.js';

describe.skipIf(process.platform === 'win32')('devfleet-agent collect --redact-*', () => {
  let dir: string;
  let home: string;
  let emptyPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-redact-'));
    home = path.join(dir, 'home');
    emptyPath = await mkdtemp(path.join(dir, 'bin-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes the user with a salt kept beside the enrollment, the same on every run', async () => {
    const env = agentEnv({ PATH: emptyPath, DEVFLEET_AGENT_HOME: home, USER: 'devuser' });

    const first = await runAgent(['collect', '--json', '--redact-user'], env);
    const second = await runAgent(['collect', '--json', '--redact-user'], env);

    expect(first.stderr).toBe('');
    const user = (JSON.parse(first.stdout) as { host: { user: string } }).host.user;
    expect(user).toMatch(/^user-[0-9a-f]{8}$/);
    expect((JSON.parse(second.stdout) as { host: { user: string } }).host.user).toBe(user);
    expect((await stat(path.join(home, 'redact-salt'))).mode & 0o777).toBe(0o600);
    expect((await readFile(path.join(home, 'redact-salt'), 'utf8')).trim()).toMatch(
      /^[0-9a-f]{32}$/,
    );
  });

  it('takes the team salt from DEVFLEET_REDACT_SALT', async () => {
    const env = (salt: string) =>
      agentEnv({ PATH: emptyPath, DEVFLEET_AGENT_HOME: home, DEVFLEET_REDACT_SALT: salt });

    const a = await runAgent(['collect', '--json', '--redact-user'], env('one'));
    const b = await runAgent(['collect', '--json', '--redact-user'], env('two'));

    const userOf = (stdout: string) => (JSON.parse(stdout) as { host: { user: string } }).host.user;
    expect(userOf(a.stdout)).not.toBe(userOf(b.stdout));
  });

  it('leaves the home folder out of every field with --redact-paths', async () => {
    const env = agentEnv({ PATH: emptyPath, DEVFLEET_AGENT_HOME: home, HOME: home });

    const plain = await runAgent(['collect', '--json'], env);
    const redacted = await runAgent(['collect', '--json', '--redact-paths'], env);

    // Without docker the problems name no path; a home in any field would show up here.
    expect(plain.exitCode).toBe(0);
    expect(redacted.exitCode).toBe(0);
    expect(redacted.stdout).not.toContain(home);
  });
});
